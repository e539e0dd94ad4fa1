// promql-check validates Herald's Prometheus rule files and PromQL expressions with Prometheus' own
// parser (the code `promtool check rules` runs), and lists the metric names each expression reads, so
// the tests in tests/deploy can check them against the metrics the services export.
//
//	promql-check rules FILE...   rule files: structure, PromQL, label and annotation templates
//	promql-check exprs           a JSON array of expressions on stdin (e.g. a dashboard's targets)
//
// Output on stdout is JSON: [{"source", "expr", "metrics", "error"}]. The exit code is 1 when any
// file or expression is invalid.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"sort"

	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/model/rulefmt"
	"github.com/prometheus/prometheus/promql/parser"
)

type result struct {
	Source  string   `json:"source"`
	Expr    string   `json:"expr"`
	Metrics []string `json:"metrics"`
	Error   string   `json:"error,omitempty"`
}

func metricNames(expr parser.Expr) []string {
	seen := map[string]bool{}
	parser.Inspect(expr, func(node parser.Node, _ []parser.Node) error {
		vs, ok := node.(*parser.VectorSelector)
		if !ok {
			return nil
		}
		if vs.Name != "" {
			seen[vs.Name] = true
		}
		for _, m := range vs.LabelMatchers {
			if m.Name == labels.MetricName && m.Type == labels.MatchEqual {
				seen[m.Value] = true
			}
		}
		return nil
	})
	names := make([]string, 0, len(seen))
	for n := range seen {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func check(source, text string) result {
	r := result{Source: source, Expr: text, Metrics: []string{}}
	expr, err := parser.ParseExpr(text)
	if err != nil {
		r.Error = err.Error()
		return r
	}
	r.Metrics = metricNames(expr)
	return r
}

func rules(paths []string) ([]result, bool) {
	var out []result
	ok := true
	for _, path := range paths {
		groups, errs := rulefmt.ParseFile(path, false, model.UTF8Validation)
		for _, err := range errs {
			out = append(out, result{Source: path, Metrics: []string{}, Error: err.Error()})
			ok = false
		}
		if groups == nil {
			continue
		}
		for _, g := range groups.Groups {
			for _, rule := range g.Rules {
				name := rule.Alert + rule.Record
				r := check(fmt.Sprintf("%s:%s:%s", path, g.Name, name), rule.Expr)
				ok = ok && r.Error == ""
				out = append(out, r)
			}
		}
	}
	return out, ok
}

func exprs() ([]result, bool) {
	var texts []string
	if err := json.NewDecoder(os.Stdin).Decode(&texts); err != nil {
		fmt.Fprintln(os.Stderr, "promql-check exprs: stdin must be a JSON array of strings:", err)
		os.Exit(2)
	}
	out := make([]result, 0, len(texts))
	ok := true
	for i, text := range texts {
		r := check(fmt.Sprintf("expr[%d]", i), text)
		ok = ok && r.Error == ""
		out = append(out, r)
	}
	return out, ok
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: promql-check rules FILE... | promql-check exprs < exprs.json")
		os.Exit(2)
	}
	var out []result
	var ok bool
	switch os.Args[1] {
	case "rules":
		out, ok = rules(os.Args[2:])
	case "exprs":
		out, ok = exprs()
	default:
		fmt.Fprintln(os.Stderr, "unknown command", os.Args[1])
		os.Exit(2)
	}
	if err := json.NewEncoder(os.Stdout).Encode(out); err != nil {
		os.Exit(2)
	}
	if !ok {
		os.Exit(1)
	}
}

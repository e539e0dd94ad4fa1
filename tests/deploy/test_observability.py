"""Alert rules and the dashboard parse with Prometheus' own parser (deploy/tools/promql-check), point at
runbook sections that exist, and read only metrics the services export — or ones listed below as awaited."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
import yaml
from deploy_support import ROOT, promql_check

ALERTS = ROOT / "deploy" / "prometheus" / "alerts.yml"
DASHBOARD = ROOT / "deploy" / "grafana" / "herald-dashboard.json"
OPERATIONS = ROOT / "docs" / "operations.md"
SOURCES = [ROOT / "libs" / "common" / "src", *(ROOT / "services").glob("*/src")]

# Metrics the dashboard and alerts already read though no service exports them yet; each is reported
# as missing in docs/operations.md. Remove an entry when its metric lands (the test says when).
AWAITED: dict[str, str] = {}
FROM_PROMETHEUS = {"up"}
# Defined by FastStream's KafkaPrometheusMiddleware (prefix "faststream"), which every broker installs.
FROM_FASTSTREAM = {
    "faststream_received_messages_total": "Counter",
    "faststream_received_processed_messages_total": "Counter",
    "faststream_received_processed_messages_exceptions_total": "Counter",
    "faststream_received_processed_messages_duration_seconds": "Histogram",
    "faststream_received_messages_in_process": "Gauge",
}
METRIC_DEFINITION = re.compile(r"\b(Counter|Gauge|Histogram|Summary)\(\s*\"([a-z_:][a-z0-9_:]*)\"", re.S)


def exported_metrics() -> dict[str, str]:
    """Metric name -> type, for every prometheus_client metric defined in the services' code."""
    found = {}
    for source in SOURCES:
        for path in source.rglob("*.py"):
            text = path.read_text()
            for kind, name in METRIC_DEFINITION.findall(text):
                found[name] = kind
            if "KafkaPrometheusMiddleware(" in text:
                found.update(FROM_FASTSTREAM)
    return found


def series_names(name: str, kind: str) -> set[str]:
    if kind == "Histogram":
        return {f"{name}_bucket", f"{name}_count", f"{name}_sum"}
    if kind == "Summary":
        return {name, f"{name}_count", f"{name}_sum"}
    return {name}


def known_series() -> set[str]:
    known = set(FROM_PROMETHEUS)
    for name, kind in exported_metrics().items():
        known |= series_names(name, kind)
    for name in AWAITED:
        known |= series_names(name, "Histogram") | {name}
    return known


def dashboard_exprs() -> list[str]:
    dashboard = json.loads(DASHBOARD.read_text())
    exprs = [t["expr"] for p in dashboard["panels"] for t in p.get("targets", [])]
    # Grafana's variables, as Grafana would put them in.
    return [e.replace("$__rate_interval", "5m").replace("$job", ".+") for e in exprs]


def anchors(markdown: str) -> set[str]:
    """GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens."""
    found = set()
    for line in markdown.splitlines():
        if line.startswith("#"):
            text = line.lstrip("#").strip().lower()
            found.add(re.sub(r"[^\w\- ]", "", text).replace(" ", "-"))
    return found


def test_the_code_exports_the_metrics_we_expect_to_find() -> None:
    exported = exported_metrics()
    assert {"herald_http_request_duration_seconds", "herald_publish_attempts_total"} <= set(exported)
    assert exported["herald_scheduler_lateness_seconds"] == "Histogram"


def test_alert_rules_are_valid_and_complete() -> None:
    code, results = promql_check("rules", str(ALERTS))
    assert code == 0, [r for r in results if r.get("error")]
    rules = [r for g in yaml.safe_load(ALERTS.read_text())["groups"] for r in g["rules"]]
    assert len(results) == len(rules)
    names = {r["alert"] for r in rules}
    assert {
        "HeraldServiceDown",
        "HeraldSchedulerLatenessHigh",
        "HeraldPublishFailureRatioHigh",
        "HeraldDeadLettersIncreasing",
        "HeraldConsumerLagGrowing",
        "HeraldOutboxBacklog",
    } <= names
    documented = anchors(OPERATIONS.read_text())
    for rule in rules:
        assert "for" in rule and rule["labels"]["severity"] in {"critical", "warning"}, rule["alert"]
        assert rule["annotations"]["summary"], rule["alert"]
        path, _, anchor = rule["annotations"]["runbook_url"].partition("#")
        assert path == "docs/operations.md" and anchor in documented, f"{rule['alert']}: no section #{anchor}"


def test_the_checker_rejects_a_broken_expression() -> None:
    code, results = promql_check("exprs", stdin=json.dumps(["sum(rate(x[5m])", "up == 0"]))
    assert code == 1
    assert results[0]["error"] and not results[1].get("error")


def test_dashboard_queries_are_valid_promql() -> None:
    code, results = promql_check("exprs", stdin=json.dumps(dashboard_exprs()))
    assert code == 0, [r for r in results if r.get("error")]


@pytest.mark.parametrize("what", ["alerts", "dashboard"])
def test_every_metric_read_is_exported_or_awaited(what: str) -> None:
    if what == "alerts":
        _, results = promql_check("rules", str(ALERTS))
    else:
        _, results = promql_check("exprs", stdin=json.dumps(dashboard_exprs()))
    known = known_series()
    unknown = {m: r["source"] for r in results for m in r["metrics"] if m not in known}
    assert not unknown, f"metrics nobody exports: {unknown}"


def test_awaited_metrics_are_still_missing() -> None:
    landed = set(AWAITED) & set(exported_metrics())
    assert not landed, (
        f"these metrics are exported now: remove them from AWAITED (and the docs' list): {landed}"
    )


def test_dashboard_is_well_formed() -> None:
    dashboard: dict[str, Any] = json.loads(DASHBOARD.read_text())
    assert dashboard["uid"] and dashboard["title"]
    ids = [p["id"] for p in dashboard["panels"]]
    assert len(ids) == len(set(ids))
    for panel in dashboard["panels"]:
        grid = panel["gridPos"]
        assert grid["x"] + grid["w"] <= 24, panel["title"]
        for target in panel.get("targets", []):
            assert target["expr"] and target["refId"], panel["title"]

"""herald_common's packages form layers: no two of them import each other, directly or round a loop
(a loop makes import order matter and hides which part depends on which)."""

from __future__ import annotations

import ast
from pathlib import Path

COMMON = Path(__file__).parents[1] / "src" / "herald_common"


def package_imports() -> dict[str, set[str]]:
    """herald_common's top-level packages and modules -> the other ones they import (lazy imports too)."""
    graph: dict[str, set[str]] = {}
    for path in COMMON.rglob("*.py"):
        part = path.relative_to(COMMON).parts[0].removesuffix(".py")
        targets = graph.setdefault(part, set())
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module]
                if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module
                else []
            )
            for name in names:
                parts = name.split(".")
                if parts[0] == "herald_common" and len(parts) > 1 and parts[1] != part:
                    targets.add(parts[1])
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every import loop, each found once from its smallest member (depth-first search)."""
    found: list[list[str]] = []

    def walk(start: str, node: str, path: list[str]) -> None:
        for nxt in sorted(graph.get(node, ())):
            if nxt == start:
                found.append([*path, start])
            elif nxt > start and nxt not in path:
                walk(start, nxt, [*path, nxt])

    for start in sorted(graph):
        walk(start, start, [start])
    return found


def test_the_finder_sees_a_loop() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c", "a"]]


def test_no_import_cycle_between_herald_common_packages() -> None:
    graph = package_imports()
    assert {"events", "kafka", "publishing", "accounts"} <= graph.keys()
    assert [" -> ".join(c) for c in cycles(graph)] == []

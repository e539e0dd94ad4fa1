"""Services never import each other: the notifier knows only herald_common."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).parents[1] / "src" / "herald_notifier"
OTHER_SERVICES = ("herald_gateway", "herald_scheduler", "herald_publisher", "herald_emulator")


def test_the_notifier_imports_no_other_service() -> None:
    offenders = []
    for path in SRC.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            offenders += [f"{path.name}: {n}" for n in names if n.startswith(OTHER_SERVICES)]
    assert offenders == []

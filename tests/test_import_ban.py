"""Services never import each other: each knows only its own package and herald_common, which knows
no service. What two services share belongs in libs/common."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).parents[1]
PACKAGES = {
    src.name: src
    for src in [*ROOT.glob("services/*/src/*"), *ROOT.glob("tools/platform-emulator/src/*")]
    if (src / "__init__.py").exists()
}
COMMON = ROOT / "libs" / "common" / "src" / "herald_common"


def imported(path: Path) -> Iterator[tuple[int, str]]:
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            yield from ((node.lineno, a.name) for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.lineno, node.module


def offenders(src: Path, own: str | None) -> list[str]:
    found = []
    for path in sorted(src.rglob("*.py")):
        for line, name in imported(path):
            top = name.split(".")[0]
            if top in PACKAGES and top != own:
                found.append(f"{path.relative_to(ROOT)}:{line} imports {name}")
    return found


def test_the_packages_are_found() -> None:
    assert {"herald_gateway", "herald_scheduler", "herald_emulator"} <= PACKAGES.keys()
    assert sum(name.startswith("herald_publisher_") for name in PACKAGES) == 3


def test_no_service_imports_another_and_common_imports_none() -> None:
    found = [f for own, src in PACKAGES.items() for f in offenders(src, own)]
    found += offenders(COMMON, None)
    assert found == []

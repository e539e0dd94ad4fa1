"""One way to produce: service and library code reach Kafka only through
`herald_common.kafka.producer.Producer` (tracing, idempotence and partitioning in one place)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).parents[1]
PRODUCER = ROOT / "libs" / "common" / "src" / "herald_common" / "kafka" / "producer.py"
SOURCES = [*ROOT.glob("services/*/src/**/*.py"), *ROOT.glob("libs/common/src/**/*.py")]


def raw_producing(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.ImportFrom) and node.module == "aiokafka":
            found += [
                f"{path.relative_to(ROOT)}:{node.lineno} imports AIOKafkaProducer"
                for a in node.names
                if a.name == "AIOKafkaProducer"
            ]
        elif (
            isinstance(node, ast.Attribute)
            and node.attr == "publish"
            and getattr(node.value, "id", "") == "broker"
        ):
            found.append(f"{path.relative_to(ROOT)}:{node.lineno} calls broker.publish")
    return found


def test_the_sources_are_found() -> None:
    assert PRODUCER in SOURCES and len(SOURCES) > 100


def test_nothing_but_the_producer_module_produces() -> None:
    assert [f for path in SOURCES if path != PRODUCER for f in raw_producing(path)] == []

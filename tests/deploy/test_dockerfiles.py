"""Each service's Dockerfile installs only its own package from uv.lock and runs it hardened."""

from __future__ import annotations

import json

import pytest
from deploy_support import EMULATOR, ROOT, SERVICES, Service
from dockerfile_parse import DockerfileParser


@pytest.mark.parametrize("service", [*SERVICES, EMULATOR], ids=lambda s: s.name)
def test_dockerfile_builds_the_service_hardened(service: Service) -> None:
    parser = DockerfileParser(path=str(service.folder / "Dockerfile"))
    instructions = parser.structure
    runtime = instructions[max(i for i, x in enumerate(instructions) if x["instruction"] == "FROM") :]
    by = {x["instruction"]: x["value"] for x in runtime}
    runs = " ".join(x["value"] for x in instructions if x["instruction"] == "RUN")
    assert "python:3.11-slim" in parser.content
    assert f"uv sync --frozen --no-dev --no-editable --package {service.package}" in runs
    assert by["USER"] == "10001:10001"
    assert by["EXPOSE"] == str(service.port)
    assert json.loads(by["ENTRYPOINT"]) == [service.script]
    assert "/health/live" in by["HEALTHCHECK"]
    assert "0.0.0.0" in " ".join(x["value"] for x in runtime if x["instruction"] == "ENV")
    copied = [
        x["value"].split()[0]
        for x in instructions
        if x["instruction"] == "COPY" and "--from" not in x["value"]
    ]
    assert str(service.folder.relative_to(ROOT)) in copied
    assert ("libs/common" in copied) == (service is not EMULATOR)


def test_dockerignore_keeps_the_context_small() -> None:
    lines = (ROOT / ".dockerignore").read_text().splitlines()
    assert lines[lines.index("*")] == "*" and "!uv.lock" in lines and "**/.venv" in lines

"""The gateway answers as its OpenAPI document says: Schemathesis fuzzes the running gateway.

Every check Schemathesis has (`all`), authenticated with dev tokens of two businesses (one
calls, the other checks it cannot read the first one's objects), over every phase (the
document's examples, coverage, random fuzzing, stateful sequences following the Location links).
`positive_data_acceptance` is off only for the operations named in fuzz/schemathesis.toml, whose
rules no schema can state (docs/api.md lists them).

Reproducible: a fixed seed, and a corpus (fuzz/corpus, a Hypothesis example database) of the
cases that failed once, replayed first on every run. The corpus is copied, so a run never
changes the committed one.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.e2e

FUZZ = Path(__file__).parent / "fuzz"
SCHEMATHESIS = Path(sys.executable).parent / "schemathesis"
# Businesses with no connected accounts: what the fuzzer publishes fails at the publisher without
# calling the platform emulator, so the other end-to-end tests' counts stay their own.
CALLER, PEER = 3, 4


def auth_file(stack: Any, path: Path) -> Path:
    """The callers as a Web Fuzzing Commons auth file (the format Schemathesis reads)."""
    users = [
        {
            "name": f"business-{b}",
            "fixedHeaders": [{"name": "Authorization", "value": f"Bearer {stack.token(b)}"}],
        }
        for b in (CALLER, PEER)
    ]
    path.write_text(json.dumps({"auth": users}))
    return path


def test_the_gateway_answers_as_its_openapi_document_says(stack: Any, tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(FUZZ / "corpus", corpus)
    reports = tmp_path / "reports"
    run = subprocess.run(
        [
            str(SCHEMATHESIS),
            "--config-file",
            str(FUZZ / "schemathesis.toml"),
            "run",
            f"{stack.gateway}/openapi.json",
            "--generation-database",
            str(corpus),
            "--report",
            "junit,ndjson",
            "--report-dir",
            str(reports),
            "--no-color",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "HERALD_FUZZ_AUTH_FILE": str(auth_file(stack, tmp_path / "auth.json"))},
    )
    summary = (
        run.stdout[run.stdout.find("=== SUMMARY") :] if "=== SUMMARY" in run.stdout else run.stdout[-3000:]
    )
    assert run.returncode == 0, (
        f"Schemathesis found problems (reports in {reports}):\n{run.stdout[-20000:]}\n{run.stderr[-2000:]}"
    )
    assert "No issues found" in summary, summary

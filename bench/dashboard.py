"""The dashboard's figures (web/bench/run.mjs): first-page JavaScript and the 1,000-post calendar."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

WEB = Path(__file__).resolve().parents[1] / "web"


def run() -> dict[str, Any]:
    node = shutil.which("node")
    if node is None or not (WEB / "dist" / "index.html").exists():
        raise SystemExit("the dashboard benchmark needs node and a built web/dist (make install)")
    done = subprocess.run([node, "bench/run.mjs"], cwd=WEB, check=True, capture_output=True, text=True)
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result

"""Gateway benchmark: accepted posts per second and latency of POST /api/v2/publish (wrk, fixed concurrency)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

HERE = Path(__file__).parent


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    subprocess.run(
        [*sudo, "apt-get", "install", "-y", "-qq", "wrk"],
        check=True,
        env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
    )
    return shutil.which("wrk") or "wrk"


def run(gateway: str, token: str, *, connections: int = 32, seconds: int = 20) -> dict[str, float]:
    wrk = ensure_wrk()
    # A short warm-up fills the connection pools and JIT-free caches (JWKS, pydantic validators).
    subprocess.run(
        [wrk, "-t2", "-c8", "-d3s", "-s", str(HERE / "publish.lua"), gateway],
        check=True,
        capture_output=True,
        env={**os.environ, "HERALD_BENCH_TOKEN": token},
    )
    done = subprocess.run(
        [
            wrk,
            "-t2",
            f"-c{connections}",
            f"-d{seconds}s",
            "--timeout",
            "5s",
            "-s",
            str(HERE / "publish.lua"),
            gateway,
        ],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, "HERALD_BENCH_TOKEN": token},
    )
    line = next(x for x in done.stdout.splitlines() if x.startswith("WRK_JSON "))
    raw = json.loads(line.removeprefix("WRK_JSON "))
    return {
        "connections": connections,
        "accepted_total": raw["requests"] - raw["errors"],
        "accepted_per_s": (raw["requests"] - raw["errors"]) / (raw["duration_us"] / 1e6),
        "errors": raw["errors"],
        "p50_ms": raw["p50_us"] / 1000,
        "p90_ms": raw["p90_us"] / 1000,
        "p99_ms": raw["p99_us"] / 1000,
        "max_ms": raw["max_us"] / 1000,
    }

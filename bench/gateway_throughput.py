"""Gateway benchmark: accepted posts per second and latency of POST /api/v2/publish (wrk, fixed concurrency)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Callable
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


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of these processes so far (/proc/<pid>/stat, clock ticks)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / os.sysconf("SC_CLK_TCK")


def process_tree(pid: int) -> list[int]:
    """A process and its children (PostgreSQL's backends are children of the postmaster)."""
    children = Path(f"/proc/{pid}/task/{pid}/children")
    try:
        kids = [int(c) for c in children.read_text().split()]
    except OSError:
        kids = []
    return [pid, *(k for kid in kids for k in process_tree(kid))]


def pid_in(path: Path) -> list[int]:
    """The pid a pid file names ([] when there is none): a process may not have started or has gone."""
    try:
        return [int(path.read_text().split()[0])]
    except (OSError, ValueError, IndexError):
        return []


def run(
    gateway: str,
    token: str,
    *,
    connections: int = 32,
    seconds: int = 20,
    cpu_of: dict[str, Callable[[], list[int]]] | None = None,
) -> dict[str, float]:
    """`cpu_of` names processes whose CPU time per accepted post is reported: on a shared machine
    throughput follows whatever else runs, CPU per post much less ("throughput per core")."""
    wrk = ensure_wrk()
    # A short warm-up fills the connection pools and JIT-free caches (JWKS, pydantic validators).
    subprocess.run(
        [wrk, "-t2", "-c8", "-d3s", "-s", str(HERE / "publish.lua"), gateway],
        check=True,
        capture_output=True,
        env={**os.environ, "HERALD_BENCH_TOKEN": token},
    )
    cpu_before = {name: cpu_seconds(pids()) for name, pids in (cpu_of or {}).items()}
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
    accepted = max(1, raw["requests"] - raw["errors"])
    cpu = {
        f"cpu_ms_per_post_{name}": (cpu_seconds(pids()) - cpu_before[name]) * 1000 / accepted
        for name, pids in (cpu_of or {}).items()
    }
    return {
        **cpu,
        "connections": connections,
        "accepted_total": raw["requests"] - raw["errors"],
        "accepted_per_s": (raw["requests"] - raw["errors"]) / (raw["duration_us"] / 1e6),
        "errors": raw["errors"],
        "p50_ms": raw["p50_us"] / 1000,
        "p90_ms": raw["p90_us"] / 1000,
        "p99_ms": raw["p99_us"] / 1000,
        "max_ms": raw["max_us"] / 1000,
    }

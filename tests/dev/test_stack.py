"""tools/dev/stack.py as people use it: `dev` in the foreground, a service crashing under it and
started again at once, and Ctrl-C stopping everything within a bounded wait.

Runs on a private Kafka, PostgreSQL and Redis (own state folder and ports), because `dev` stops
the infrastructure it started when it ends.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = [pytest.mark.infra, pytest.mark.e2e]

ROOT = Path(__file__).resolve().parents[2]
STACK = [sys.executable, str(ROOT / "tools" / "dev" / "stack.py")]
SLOT = int(os.environ.get("HERALD_TEST_SLOT", "0"))
KAFKA, PG, REDIS, OFFSET = 31092 + SLOT * 10, 25452 + SLOT, 26399 + SLOT, 150 + SLOT * 200
STOP_BOUND_S = 30.0  # a bounded wait, far above the ~10 s the stack aims for


@pytest.fixture
def private_env() -> Iterator[dict[str, str]]:
    state = ROOT / ".herald" / f"stack-test-{os.getpid()}"
    env = {
        **os.environ,
        "HERALD_STATE_DIR": str(state),
        "HERALD_KAFKA_PORT": str(KAFKA),
        "HERALD_KAFKA_CONTROLLER_PORT": str(KAFKA + 1),
        "HERALD_KAFKA_BOOTSTRAP_SERVERS": f"127.0.0.1:{KAFKA}",
        "HERALD_PG_PORT": str(PG),
        "HERALD_DATABASE_URL": f"postgresql://postgres@127.0.0.1:{PG}/herald",
        "HERALD_REDIS_PORT": str(REDIS),
        "HERALD_REDIS_URL": f"redis://127.0.0.1:{REDIS}/0",
        "HERALD_PORT_OFFSET": str(OFFSET),
        "HERALD_TRACE_DIR": "",
    }
    yield env
    subprocess.run([*STACK, "down", "--quiet"], env=env, timeout=120, check=False)
    shutil.rmtree(state, ignore_errors=True)


def _ready(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/health/ready", timeout=2) as resp:
            return resp.status == 200
    except OSError:
        return False


def _pid(env: dict[str, str], name: str) -> int:
    return int((Path(env["HERALD_STATE_DIR"]) / "run" / f"{name}.pid").read_text())


def _gone(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[-1].split()[0]
    except OSError:
        return True
    return state in ("Z", "X")


@pytest.mark.timeout(480)
def test_a_crashed_service_starts_again_at_once_and_ctrl_c_stops_everything(
    private_env: dict[str, str],
) -> None:
    env = private_env
    log = Path(env["HERALD_STATE_DIR"]).with_suffix(".dev.log")
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as out:
        dev = subprocess.Popen([*STACK, "dev"], env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 300
        while b"Press Ctrl-C" not in log.read_bytes():
            assert dev.poll() is None, log.read_text()
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.5)
        twitter_port = 8003 + OFFSET

        # A crash under `dev` (the dead process is dev's child), started again right away by pid.
        old = _pid(env, "publisher-twitter")
        os.kill(old, signal.SIGKILL)
        started = subprocess.run(
            [*STACK, "start", "publisher-twitter"], env=env, capture_output=True, text=True, timeout=180
        )
        assert started.returncode == 0, started.stdout + started.stderr
        assert _pid(env, "publisher-twitter") != old
        assert _ready(twitter_port)

        # The same through the stack's own command, which waits until the process is gone.
        old = _pid(env, "publisher-twitter")
        subprocess.run([*STACK, "kill", "publisher-twitter"], env=env, check=True, timeout=60)
        assert _gone(old)
        restarted = subprocess.run(
            [*STACK, "start", "publisher-twitter"], env=env, capture_output=True, text=True, timeout=180
        )
        assert restarted.returncode == 0, restarted.stdout + restarted.stderr
        assert _ready(twitter_port)

        services = [
            _pid(env, n) for n in ("api-gateway", "scheduler", "publisher-linkedin", "publisher-meta")
        ]
        dev.send_signal(signal.SIGINT)
        dev.wait(timeout=STOP_BOUND_S)
        text = log.read_text()
        assert "ignored SIGTERM" not in text and "killing it" not in text, text[-3000:]
        assert all(_gone(pid) for pid in services), text[-3000:]
        for port in (KAFKA, PG, REDIS, 8000 + OFFSET):
            with pytest.raises(ConnectionRefusedError):
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
    finally:
        if dev.poll() is None:
            dev.kill()
            dev.wait()

"""PostgreSQL restarts: the server starts again after a crash, even when the pid its lock file
names is alive again, and a service starting meanwhile waits for it.

A SIGKILLed postmaster leaves postmaster.pid behind. PostgreSQL refuses to start while the pid in
it belongs to a live process of its user, and pids wrap quickly on a busy machine (a test run
starts thousands of processes), so the chaos run's restart of a crashed server sometimes met a
reused pid and failed. tools/infra/postgres.sh must tell its own server from such a stranger.
"""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = [pytest.mark.infra]

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools" / "chaos"))

from target import Target  # noqa: E402  (the chaos run's crash, SIGKILL of the server and its backends)

_SLOT = int(os.environ.get("HERALD_TEST_SLOT", "0"))
PORT = str(25492 + _SLOT)  # clear of the shared test instance and of test_readiness's private one


def postgres(state: Path, action: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HERALD_STATE_DIR": str(state), "HERALD_PG_PORT": PORT, "HERALD_PG_FSYNC": "off"}
    return subprocess.run(
        [str(ROOT / "tools" / "infra" / "postgres.sh"), action],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def state() -> Iterator[Path]:
    # Under the project, not /tmp: PostgreSQL runs as its own user, which must reach the folder.
    folder = ROOT / ".herald" / f"pg-restart-{os.getpid()}"
    try:
        yield folder
    finally:
        postgres(folder, "stop")
        shutil.rmtree(folder, ignore_errors=True)


def test_a_crashed_server_starts_again_when_its_old_pid_is_taken(state: Path) -> None:
    started = postgres(state, "start")
    assert started.returncode == 0, started.stderr
    lock = state / "postgres" / "data" / "postmaster.pid"
    asyncio.run(Target({"HERALD_STATE_DIR": str(state)}).crash_infra("postgres"))
    assert lock.exists(), "a crash leaves the lock file behind"

    # Another process of PostgreSQL's user now holds the pid the lock file names.
    stranger = subprocess.Popen(["sleep", "300"], user="postgres" if os.geteuid() == 0 else None)
    try:
        lines = lock.read_text().splitlines()
        lock.write_text("\n".join([str(stranger.pid), *lines[1:]]) + "\n")

        again = postgres(state, "start")
        assert again.returncode == 0, again.stderr
        assert "removing the lock files" in again.stderr
        assert postgres(state, "status").returncode == 0
        assert stranger.poll() is None, "the stranger is left alone"
    finally:
        stranger.kill()
        stranger.wait()


async def test_migrations_wait_for_a_postgresql_that_comes_up_after_them(
    state: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A service started while PostgreSQL restarts (a crash, a rolling upgrade) applies its
    migrations once it is back, instead of failing its start-up."""
    from herald_common.runtime import migrate
    from herald_common.settings import HeraldSettings
    from herald_common.testing import eventually

    caplog.set_level(logging.WARNING, logger="herald_common.retrying")

    settings = HeraldSettings(
        database_url=f"postgresql://postgres@127.0.0.1:{PORT}/herald", environment="test"
    )
    migrations = ROOT / "services" / "scheduler" / "src" / "herald_scheduler" / "migrations"
    applying = asyncio.create_task(migrate(settings, "scheduler", migrations))
    # It tried, and failed, before the server exists.
    await eventually(lambda: "connecting to postgres failed" in caplog.text or applying.done(), timeout=30)
    assert not applying.done(), applying
    started = await asyncio.to_thread(postgres, state, "start")
    assert started.returncode == 0, started.stderr
    applied = await asyncio.wait_for(applying, timeout=60)
    assert applied and applied[0].startswith("0001"), applied

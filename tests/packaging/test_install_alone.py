"""Each service installs alone, exactly as its Dockerfile installs it (`uv sync --frozen --no-dev
--no-editable --package <service>` into an empty environment), then starts from that environment,
answers /health/live, and exits cleanly on SIGTERM.

Each started process gets a database of its own and its own consumer group where the service has
one, so it does not take work from the end-to-end stack that shares the test infrastructure.
"""

from __future__ import annotations

import asyncio
import importlib.util
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest

ROOT = Path(__file__).resolve().parents[2]
UV = ROOT / ".herald" / "tools" / "bin" / "uv"
SERVICES = {
    # package: (entry point, module that must import, process name in tools/dev/stack.py)
    "herald-api-gateway": ("herald-api-gateway", "herald_gateway.main", "api-gateway"),
    "herald-scheduler": ("herald-scheduler", "herald_scheduler.main", "scheduler"),
    "herald-publisher-linkedin": (
        "herald-publisher-linkedin",
        "herald_publisher_linkedin.main",
        "publisher-linkedin",
    ),
    "herald-publisher-twitter": (
        "herald-publisher-twitter",
        "herald_publisher_twitter.main",
        "publisher-twitter",
    ),
    "herald-publisher-meta": ("herald-publisher-meta", "herald_publisher_meta.main", "publisher-meta"),
    "herald-platform-emulator": ("herald-platform-emulator", "herald_emulator.main", "platform-emulator"),
}
START_TIMEOUT_S = 90.0
STOP_TIMEOUT_S = 40.0


def _stack_module():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("herald_dev_stack", ROOT / "tools" / "dev" / "stack.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up while being built
    spec.loader.exec_module(module)
    return module


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _live(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/health/live", timeout=2) as resp:
            return resp.status == 200
    except OSError:
        return False


def _install_alone(package: str, env_dir: Path) -> None:
    env = {**os.environ, "UV_PROJECT_ENVIRONMENT": str(env_dir), "UV_PYTHON_DOWNLOADS": "never"}
    env.pop("VIRTUAL_ENV", None)
    done = subprocess.run(
        [str(UV), "sync", "--frozen", "--no-dev", "--no-editable", "--package", package, "--quiet"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, f"uv sync --package {package} failed:\n{done.stderr}"


async def _drop_database(url: str) -> None:
    parts = urlsplit(url)
    conn = await asyncpg.connect(urlunsplit(parts._replace(path="/postgres")))
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{parts.path.lstrip("/")}" WITH (FORCE)')
    finally:
        await conn.close()


@pytest.mark.infra
@pytest.mark.parametrize("package", list(SERVICES))
def test_the_service_installs_alone_and_starts(package: str, tmp_path: Path) -> None:
    command, module, stack_name = SERVICES[package]
    env_dir = tmp_path / "venv"
    _install_alone(package, env_dir)

    imported = subprocess.run(
        [str(env_dir / "bin" / "python"), "-c", f"import {module}"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert imported.returncode == 0, f"{module} does not import when installed alone:\n{imported.stderr}"

    stack = _stack_module()
    proc_env = dict(next(p for p in stack.processes() if p.name == stack_name).env)
    port = _free_port()
    suffix = uuid.uuid4().hex[:8]
    base_db = os.environ.get("HERALD_DATABASE_URL", "postgresql://postgres@127.0.0.1:25432/herald")
    database_url = urlunsplit(urlsplit(base_db)._replace(path=f"/alone_{suffix}"))
    env = {
        **os.environ,
        **proc_env,
        "HERALD_SERVICE_NAME": f"install-check-{suffix}",  # publishers: their own consumer group
        "HERALD_SCHEDULER_CONSUMER_GROUP": f"install-check-{suffix}",
        "HERALD_HTTP_PORT": str(port),
        "HERALD_EMULATOR_PORT": str(port),
        "HERALD_DATABASE_URL": database_url,
        "HERALD_LOG_JSON": "false",
    }
    env.pop("HERALD_TRACE_FILE", None)
    log_path = tmp_path / "service.log"
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [str(env_dir / "bin" / command)], env=env, stdout=log, stderr=subprocess.STDOUT, cwd=tmp_path
        )
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while not _live(port):
            assert proc.poll() is None, f"{command} exited:\n{log_path.read_text()[-3000:]}"
            assert time.monotonic() < deadline, f"{command} not live:\n{log_path.read_text()[-3000:]}"
            time.sleep(0.3)
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(timeout=STOP_TIMEOUT_S)
        # uvicorn finishes its shutdown, then re-raises the signal: -SIGTERM is a clean exit too.
        log_text = log_path.read_text()
        assert code in (0, -signal.SIGTERM), f"{command} exited with {code} on SIGTERM:\n{log_text[-3000:]}"
        assert "Application shutdown complete" in log_text, log_text[-3000:]
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        if package != "herald-platform-emulator":
            asyncio.run(_drop_database(database_url))

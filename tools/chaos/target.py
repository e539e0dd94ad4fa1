"""Where the chaos run happens: the stack's ports, state folder and environment, and the commands
that start, kill and restart its parts (tools/dev/stack.py for services, tools/infra for the rest)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
STACK = [sys.executable, str(ROOT / "tools" / "dev" / "stack.py")]
INFRA = ROOT / "tools" / "infra"
SERVICES = ("api-gateway", "scheduler", "publisher-linkedin", "publisher-twitter", "publisher-meta")

# Herald's own limits and the emulator's are off: the run measures delivery, not quotas.
CHAOS_SETTINGS = {
    "HERALD_RATE_LIMITS_ENABLED": "false",
    "HERALD_EMULATOR_RATE_LIMITS": "off",
    "HERALD_BUDGETS_ENABLED": "false",
    "HERALD_ENVIRONMENT": "test",
}


@dataclass(frozen=True)
class Target:
    env: dict[str, str]

    @classmethod
    def from_environment(cls) -> Target:
        """The stack the environment describes (as `make test` / `make chaos` set it)."""
        return cls({**os.environ, **CHAOS_SETTINGS})

    @property
    def state(self) -> Path:
        return Path(self.env.get("HERALD_STATE_DIR", ROOT / ".herald" / "dev"))

    @property
    def offset(self) -> int:
        return int(self.env.get("HERALD_PORT_OFFSET", "0"))

    @property
    def gateway(self) -> str:
        return f"http://127.0.0.1:{8000 + self.offset}"

    @property
    def emulator(self) -> str:
        return f"http://127.0.0.1:{8090 + self.offset}"

    async def stack(self, *args: str, timeout: float = 240.0) -> tuple[int, str]:
        """Runs tools/dev/stack.py; returns its exit code and output."""
        proc = await asyncio.create_subprocess_exec(
            *STACK, *args, env=self.env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
        )
        try:
            out, _ = await asyncio.wait_for(proc.communicate(), timeout)
        except TimeoutError:
            proc.kill()
            await proc.wait()
            return 124, f"stack.py {' '.join(args)} timed out after {timeout:g}s"
        return proc.returncode or 0, out.decode(errors="replace")

    async def infra(self, name: str, action: str, timeout: float = 120.0) -> tuple[int, str]:
        proc = await asyncio.create_subprocess_exec(
            str(INFRA / f"{name}.sh"),
            action,
            env=self.env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        out, _ = await asyncio.wait_for(proc.communicate(), timeout)
        return proc.returncode or 0, out.decode(errors="replace")

    def infra_pid(self, name: str) -> int | None:
        """The main process of Kafka, PostgreSQL or Redis, from the pid files tools/infra writes."""
        pidfile = {
            "kafka": self.state / "run" / "kafka.pid",
            "redis": self.state / "run" / "redis.pid",
            "postgres": self.state / "postgres" / "data" / "postmaster.pid",
        }[name]
        try:
            return int(pidfile.read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return None

    async def crash_infra(self, name: str) -> None:
        """SIGKILL the server and every process it forked (PostgreSQL's backends), as a machine
        crash would, and wait until they are gone."""
        pid = self.infra_pid(name)
        if pid is None:
            raise RuntimeError(f"{name} has no pid file under {self.state}: is it running?")
        victims = [pid, *_children_of(pid)]
        for victim in victims:
            with contextlib.suppress(ProcessLookupError):
                os.kill(victim, signal.SIGKILL)
        deadline = time.monotonic() + 15
        while any(_running(v) for v in victims) and time.monotonic() < deadline:  # noqa: ASYNC110
            await asyncio.sleep(0.05)


def _children_of(pid: int) -> list[int]:
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[-1].split()
        except OSError:
            continue
        if fields[1] == str(pid):
            children.append(int(stat.parent.name))
    return children


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[-1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")

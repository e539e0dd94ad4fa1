"""The running stack for end-to-end tests: every service as its own process (tools/dev/stack.py).

Under `make test` the stack runs on the test infrastructure and ports offset by 100, so a
`make dev` on the same machine is left alone.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from redis.asyncio import Redis

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(Path(__file__).parent))  # e2e_support, for the test modules (importlib mode)
from e2e_support import fresh_topics  # noqa: E402

STACK = [sys.executable, str(ROOT / "tools" / "dev" / "stack.py")]
OFFSET = int(os.environ.get("HERALD_PORT_OFFSET", "0"))


@dataclass(frozen=True)
class Stack:
    gateway: str
    emulator: str

    def token(self, business_id: int) -> str:
        return subprocess.run(
            [*STACK, "token", "--business-id", str(business_id)], check=True, capture_output=True, text=True
        ).stdout.strip()

    def stop(self, *names: str, kill: bool = False) -> None:
        subprocess.run([*STACK, "stop", *names, *(["--kill"] if kill else [])], check=True, timeout=60)

    def seed(self) -> None:
        """Connect the demo accounts again (e.g. after a test left one needing re-authorisation)."""
        subprocess.run([*STACK, "seed"], check=True, timeout=60)

    def start(self, *names: str) -> None:
        subprocess.run([*STACK, "start", *names], check=True, timeout=180)


@pytest.fixture(scope="session")
def stack(kafka_bootstrap: str) -> Iterator[Stack]:
    subprocess.run([*STACK, "down", "--services-only"], timeout=120, check=False)
    asyncio.run(fresh_topics(kafka_bootstrap))
    up = subprocess.run([*STACK, "up"], capture_output=True, text=True, timeout=300)
    if up.returncode != 0:
        pytest.fail(f"the stack did not come up:\n{up.stdout}\n{up.stderr}", pytrace=False)
    yield Stack(gateway=f"http://127.0.0.1:{8000 + OFFSET}", emulator=f"http://127.0.0.1:{8090 + OFFSET}")
    subprocess.run([*STACK, "down", "--services-only"], timeout=120, check=False)


@pytest.fixture
async def api(stack: Stack) -> AsyncIterator[httpx.AsyncClient]:
    headers = {"Authorization": f"Bearer {stack.token(1)}"}
    async with httpx.AsyncClient(base_url=stack.gateway, headers=headers, timeout=15) as client:
        yield client


async def _forget_budgets(redis_url: str) -> None:
    """The publishers mirror each account's remaining quota in Redis; the emulator forgets its counts
    on every reset, so the mirror goes too."""
    redis = Redis.from_url(redis_url)
    try:
        keys = [key async for key in redis.scan_iter(match="herald:budget:*")]
        if keys:
            await redis.delete(*keys)
    finally:
        await redis.aclose()


@pytest.fixture
async def emulator(stack: Stack, redis_url: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=stack.emulator, timeout=15) as client:
        await client.post("/_emulator/reset")
        await _forget_budgets(redis_url)
        yield client
        await client.delete("/_emulator/faults")
        await _forget_budgets(redis_url)

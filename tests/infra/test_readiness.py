"""Every service's /health/ready follows its dependencies: 503 naming what is down, 200 when back.

This test stops and restarts real infrastructure, so it runs its own private Kafka, PostgreSQL
and Redis (tools/infra scripts on other ports) and never disturbs the shared test instances.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
from collections.abc import AsyncIterator, Iterator
from contextlib import AsyncExitStack
from pathlib import Path

import httpx
import pytest
from asgi_lifespan import LifespanManager

pytestmark = [pytest.mark.infra]

ROOT = Path(__file__).resolve().parents[2]
# Shifted by the test slot, so checkouts running `make test TEST_SLOT=n` side by side never collide.
_SLOT = int(os.environ.get("HERALD_TEST_SLOT", "0"))
PORTS = {
    "HERALD_KAFKA_PORT": str(28092 + _SLOT * 10),
    "HERALD_KAFKA_CONTROLLER_PORT": str(28093 + _SLOT * 10),
    "HERALD_PG_PORT": str(25472 + _SLOT),
    "HERALD_REDIS_PORT": str(26419 + _SLOT),
}


def infra(state: Path, name: str, action: str) -> None:
    env = {**os.environ, **PORTS, "HERALD_STATE_DIR": str(state), "HERALD_PG_FSYNC": "off"}
    subprocess.run(
        [str(ROOT / "tools" / "infra" / f"{name}.sh"), action],
        env=env,
        check=True,
        capture_output=True,
        timeout=120,
    )


@pytest.fixture(scope="module")
def private_infra() -> Iterator[Path]:
    # Under the project, not /tmp: PostgreSQL runs as its own user, which must reach the folder.
    state = ROOT / ".herald" / f"readiness-{os.getpid()}"
    try:
        for name in ("kafka", "postgres", "redis"):
            infra(state, name, "start")
        yield state
    finally:
        for name in ("redis", "postgres", "kafka"):
            infra(state, name, "stop")
        shutil.rmtree(state, ignore_errors=True)


def service_apps() -> dict[str, object]:
    from herald_gateway.main import create_app as gateway
    from herald_gateway.settings import Settings as GatewaySettings
    from herald_publisher_linkedin.main import create_app as linkedin
    from herald_publisher_linkedin.settings import Settings as LinkedInSettings
    from herald_publisher_meta.main import create_app as meta
    from herald_publisher_meta.settings import Settings as MetaSettings
    from herald_publisher_twitter.main import create_app as twitter
    from herald_publisher_twitter.settings import Settings as TwitterSettings
    from herald_scheduler.main import create_app as scheduler
    from herald_scheduler.settings import Settings as SchedulerSettings

    common = {
        "kafka_bootstrap_servers": f"127.0.0.1:{PORTS['HERALD_KAFKA_PORT']}",
        "database_url": f"postgresql://postgres@127.0.0.1:{PORTS['HERALD_PG_PORT']}/herald",
        "redis_url": f"redis://127.0.0.1:{PORTS['HERALD_REDIS_PORT']}/0",
        "readiness_timeout_seconds": 1.0,
    }
    return {
        "api-gateway": gateway(GatewaySettings(**common)),
        "scheduler": scheduler(SchedulerSettings(**common)),
        "publisher-linkedin": linkedin(LinkedInSettings(**common, accounts_source="settings")),
        "publisher-twitter": twitter(TwitterSettings(**common, accounts_source="settings")),
        "publisher-meta": meta(MetaSettings(**common, accounts_source="settings")),
    }


@pytest.fixture(scope="module")
async def clients(private_infra: Path) -> AsyncIterator[dict[str, httpx.AsyncClient]]:
    async with AsyncExitStack() as stack:
        out = {}
        for name, app in service_apps().items():
            manager = await stack.enter_async_context(
                LifespanManager(app, startup_timeout=90, shutdown_timeout=30)
            )
            transport = httpx.ASGITransport(app=manager.app)
            out[name] = await stack.enter_async_context(
                httpx.AsyncClient(transport=transport, base_url="http://svc")
            )
        yield out


async def readiness(clients: dict[str, httpx.AsyncClient]) -> dict[str, tuple[int, dict]]:
    responses = await asyncio.gather(*(c.get("/health/ready") for c in clients.values()))
    return {name: (r.status_code, r.json()) for name, r in zip(clients, responses, strict=True)}


async def wait_for(
    clients: dict[str, httpx.AsyncClient], status: int, timeout: float = 60, only: set[str] | None = None
) -> dict[str, tuple[int, dict]]:
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        seen = await readiness(clients)
        if all(code == status for name, (code, _) in seen.items() if only is None or name in only):
            return seen
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"not every service answered {status} within {timeout}s: {seen}")
        await asyncio.sleep(0.5)


async def test_all_ready_when_everything_is_up(clients: dict[str, httpx.AsyncClient]) -> None:
    seen = await wait_for(clients, 200)
    for name, (_, body) in seen.items():
        assert {"kafka", "postgres"} <= set(body["checks"]), name
        assert set(body["checks"].values()) == {"ok"}
    # the gateway and the publishers use Redis (rate limits, cancel answers, budgets)
    assert "redis" in seen["api-gateway"][1]["checks"]
    live = await clients["scheduler"].get("/health/live")
    assert live.status_code == 200
    legacy = await clients["api-gateway"].get("/health")
    assert (legacy.status_code, legacy.json()["status"]) == (200, "ok")


@pytest.mark.parametrize("dependency", ["redis", "postgres", "kafka"])
async def test_readiness_follows_a_stopped_dependency(
    clients: dict[str, httpx.AsyncClient], private_infra: Path, dependency: str
) -> None:
    before = await wait_for(clients, 200)
    users = {name for name, (_, body) in before.items() if dependency in body["checks"]}
    assert users, f"no service checks {dependency}"
    await asyncio.to_thread(infra, private_infra, dependency, "stop")
    try:
        seen = await wait_for(clients, 503, timeout=30, only=users)
        for name, (code, body) in seen.items():
            if name in users:
                assert body["status"] == "unavailable", name
                assert body["down"] == [dependency], (name, body)
                # the previous system's /health answers the same
                legacy = await clients[name].get("/health")
                assert (legacy.status_code, legacy.json()["down"]) == (503, [dependency]), name
            else:
                assert code == 200, (name, body)
    finally:
        await asyncio.to_thread(infra, private_infra, dependency, "start")
    await wait_for(clients, 200, timeout=90)

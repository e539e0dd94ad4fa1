"""A small chaos run inside `make test`: the same code as `make chaos`, fewer posts and crashes.

Every service is SIGKILLed and restarted, Kafka and PostgreSQL crash once, Redis restarts, the
platforms lose answers after creating; every accepted post must reach each platform exactly once.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import pytest
from aiokafka.admin import AIOKafkaAdminClient

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools" / "chaos"))

from run import Options, run_chaos  # noqa: E402
from target import Target  # noqa: E402

pytestmark = [pytest.mark.e2e, pytest.mark.infra]


async def _fresh_topics(bootstrap: str) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        ours = [t for t in await admin.list_topics() if t.startswith("herald.")]
        if ours:
            await admin.delete_topics(ours)
        for _ in range(100):
            if not any(t.startswith("herald.") for t in await admin.list_topics()):
                return
            await asyncio.sleep(0.1)
    finally:
        await admin.close()


@pytest.mark.timeout(600)
async def test_every_accepted_post_reaches_each_platform_exactly_once_through_crashes(
    kafka_bootstrap: str, redis_url: str
) -> None:
    target = Target.from_environment()
    # Services left by other tests run with other settings: the run starts its own and stops them.
    await target.stack("down", "--services-only")
    # Other tests leave thousands of events in the shared broker; the status store would read them
    # all before this run's. The services create the topics again as they start.
    await _fresh_topics(kafka_bootstrap)
    options = Options(posts=200, chaos_seconds=30, kills_per_service=1, due_within_s=40, seed=None)
    outcome = await run_chaos(target, options)
    report = outcome.report()
    print(report)
    assert outcome.plan.service_kills >= 5
    assert outcome.verdict.accepted > 0
    assert outcome.verdict.ok, report

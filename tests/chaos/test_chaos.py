"""A small chaos run inside `make test`: the same code as `make chaos`, fewer posts and crashes.

Every service is SIGKILLed and restarted, Kafka and PostgreSQL crash once, Redis restarts, the
platforms lose answers after creating; every accepted post must reach each platform exactly once.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools" / "chaos"))
sys.path.insert(0, str(ROOT / "tests" / "e2e"))

from e2e_support import fresh_topics  # noqa: E402
from run import Options, run_chaos  # noqa: E402
from target import Target  # noqa: E402

pytestmark = [pytest.mark.e2e, pytest.mark.infra]


@pytest.mark.timeout(600)
async def test_every_accepted_post_reaches_each_platform_exactly_once_through_crashes(
    kafka_bootstrap: str, redis_url: str
) -> None:
    target = Target.from_environment()
    # Services left by other tests run with other settings: the run starts its own and stops them.
    await target.stack("down", "--services-only")
    # Other tests leave thousands of events in the shared broker; the status store would read them
    # all before this run's. The services create the topics again as they start.
    await fresh_topics(kafka_bootstrap)
    options = Options(posts=200, chaos_seconds=30, kills_per_service=1, due_within_s=40, seed=None)
    outcome = await run_chaos(target, options)
    report = outcome.report()
    print(report)
    assert outcome.plan.service_kills >= 5
    assert outcome.verdict.accepted > 0
    assert outcome.verdict.ok, report

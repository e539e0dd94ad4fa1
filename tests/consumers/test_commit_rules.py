"""Every Kafka consumer of every service, read while the service runs: aiokafka's auto-commit is
off and the subscriber's commit rule is the one its module states.

Auto-commit would commit records fetched but not yet handled every few seconds; a SIGKILL then
loses them. The rule has to be stated on each subscriber: a subscriber declared on a router
does not take the broker's.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from faststream import AckPolicy

from herald_common.accounts.crypto import TokenCipher
from herald_common.events import topics
from herald_common.kafka.topics_admin import ensure_topics
from herald_common.platforms import Platform
from herald_common.testing import start_groups_at_end, unique
from herald_gateway.main import create_app as gateway_app
from herald_gateway.settings import Settings as GatewaySettings
from herald_gateway.status.handlers import INTAKE_GROUP, STATUS_GROUP
from herald_notifier.main import create_app as notifier_app
from herald_notifier.settings import Settings as NotifierSettings
from herald_publisher_linkedin.main import create_app as linkedin_app
from herald_publisher_linkedin.settings import Settings as LinkedInSettings
from herald_publisher_meta.main import create_app as meta_app
from herald_publisher_meta.settings import Settings as MetaSettings
from herald_publisher_twitter.main import create_app as twitter_app
from herald_publisher_twitter.settings import Settings as TwitterSettings
from herald_scheduler.main import create_app as scheduler_app
from herald_scheduler.settings import Settings as SchedulerSettings

pytestmark = pytest.mark.infra

ALL_TOPICS = [
    topics.POST_REQUESTS,
    topics.POST_LIFECYCLE,
    *(topics.post_due_topic(p) for p in Platform),
]


def _services(
    database_url: str, bootstrap: str, redis_url: str
) -> dict[str, tuple[FastAPI, AckPolicy, list[str]]]:
    """Each service's app, the commit rule its subscribers state, and its consumer groups."""
    common: dict[str, Any] = {
        "database_url": database_url,
        "kafka_bootstrap_servers": bootstrap,
        "redis_url": redis_url,
        "shutdown_grace_seconds": 2.0,
    }
    publishers: list[tuple[str, Callable[..., FastAPI], Any]] = [
        ("publisher-linkedin", linkedin_app, LinkedInSettings),
        ("publisher-twitter", twitter_app, TwitterSettings),
        ("publisher-meta", meta_app, MetaSettings),
    ]
    apps: dict[str, tuple[FastAPI, AckPolicy, list[str]]] = {}
    for name, create, settings in publishers:
        group = unique(name)  # the group is the service name
        apps[name] = (
            create(settings(service_name=group, accounts_source="settings", **common)),
            AckPolicy.MANUAL,  # committed by InFlight below finished work
            [group],
        )
    scheduler_group, results_group = unique("scheduler"), unique("scheduler-results")
    apps["scheduler"] = (
        scheduler_app(
            SchedulerSettings(
                scheduler_consumer_group=scheduler_group,
                scheduler_results_consumer_group=results_group,
                **common,
            )
        ),
        AckPolicy.NACK_ON_ERROR,  # a batch is committed after its transaction; an error seeks back
        [scheduler_group, results_group],
    )
    notifier_group = unique("notifier")
    apps["notifier"] = (
        notifier_app(
            NotifierSettings(
                notifier_consumer_group=notifier_group,
                token_encryption_keys=f"k1:{TokenCipher.new_key()}",
                **common,
            )
        ),
        AckPolicy.NACK_ON_ERROR,  # a batch is committed after its delivery rows are
        [notifier_group],
    )
    apps["api-gateway"] = (
        gateway_app(GatewaySettings(**common)),
        AckPolicy.NACK_ON_ERROR,  # status: a batch commits after its transaction; intake: one record at a time
        [STATUS_GROUP, INTAKE_GROUP],
    )
    return apps


@pytest.mark.parametrize(
    "service",
    ["publisher-linkedin", "publisher-twitter", "publisher-meta", "scheduler", "notifier", "api-gateway"],
)
async def test_every_running_consumer_commits_only_what_was_handled(
    service: str, fresh_database: str, kafka_bootstrap: str, redis_url: str
) -> None:
    await ensure_topics(kafka_bootstrap, 6)
    app, rule, groups = _services(fresh_database, kafka_bootstrap, redis_url)[service]
    await start_groups_at_end(kafka_bootstrap, groups, *ALL_TOPICS)
    async with LifespanManager(app, startup_timeout=60, shutdown_timeout=30):
        broker = app.state.infra.broker
        subscribers = list(broker.subscribers)
        assert subscribers, f"{service} has no Kafka subscriber"
        for sub in subscribers:
            consumer = sub.consumer
            assert consumer is not None, f"{service}: {sub.group_id} is not consuming"
            where = f"{service}: group {sub.group_id} on {sub.topic_names}"
            assert consumer._enable_auto_commit is False, f"{where} auto-commits fetched records"
            assert sub.ack_policy is rule, f"{where} commits by {sub.ack_policy}, not {rule}"
        assert sorted(sub.group_id for sub in subscribers) == sorted(groups)

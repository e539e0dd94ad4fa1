"""Requests the scheduler takes in keep the post rules, and come from producers allowed to act for
their business; what does not is dead-lettered with the reason, and the consumer goes on."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from asgi_lifespan import LifespanManager

from herald_common.events import PostTarget, encode
from herald_common.platforms import Platform
from herald_common.testing import eventually, unique
from herald_scheduler.main import create_app
from herald_scheduler.settings import Settings

from .conftest import Requests, Watcher, post

pytestmark = pytest.mark.infra

TRUSTED, OTHER_TRUSTED, INTRUDER = "/herald/tests", "/internal/newsletter", "/somebody/else"


@pytest.fixture
async def guarded(settings: Settings) -> AsyncIterator[Any]:
    """A scheduler that lets /herald/tests act for business 7 only, and the newsletter for any."""
    grants = {TRUSTED: [7], OTHER_TRUSTED: "*"}
    application = create_app(settings.model_copy(update={"kafka_request_producers": grants}))
    async with LifespanManager(application, startup_timeout=60, shutdown_timeout=30):
        yield application


async def send_as(requests: Requests, source: str, event: Any) -> None:
    record = encode(event, source=source)
    await requests.send_raw(record.value, record.key, {k: v.encode() for k, v in record.headers.items()})


def reason(watcher: Watcher, post_id: str) -> str:
    (dead,) = watcher.dead_letters(post_id.encode())
    return bytes(dead.headers["herald_dlq_reason"]).decode()


async def test_requests_from_producers_not_allowed_for_the_business_are_dead_lettered(
    guarded: Any, requests: Requests, watcher: Watcher
) -> None:
    allowed, other_business, intruder, anyone = (unique(n) for n in ("ok", "b8", "intruder", "any"))
    await send_as(requests, TRUSTED, post(other_business).model_copy(update={"business_id": 8}))
    await send_as(requests, INTRUDER, post(intruder))
    await send_as(requests, OTHER_TRUSTED, post(anyone).model_copy(update={"business_id": 8}))
    await send_as(requests, TRUSTED, post(allowed))
    await eventually(lambda: watcher.due(allowed) and watcher.due(anyone), timeout=15)
    await eventually(
        lambda: watcher.dead_letters(other_business.encode()) and watcher.dead_letters(intruder.encode())
    )
    assert "may not act for business 8" in reason(watcher, other_business)
    assert "'/somebody/else' may not write requests" in reason(watcher, intruder)
    assert watcher.due(other_business) == watcher.due(intruder) == []


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        (PostTarget(platform=Platform.INSTAGRAM, content="no picture"), "Instagram has no text-only posts"),
        (
            PostTarget(platform=Platform.TWITTER, content="hi", first_comment="and"),
            "first_comment is not supported",
        ),
        (PostTarget(platform=Platform.LINKEDIN, content="   "), "content is empty"),
        (PostTarget(platform=Platform.FACEBOOK, content="x" * 70_000), "facebook allows 63206"),
        (
            PostTarget(
                platform=Platform.TWITTER, content="a report", media_urls=("https://cdn.example/r.pdf",)
            ),
            "Media 1 is application/pdf",
        ),
    ],
)
async def test_posts_that_break_the_gateways_rules_are_dead_lettered_with_the_rule(
    guarded: Any, requests: Requests, watcher: Watcher, target: PostTarget, expected: str
) -> None:
    bad, good = unique("bad"), unique("good")
    await send_as(requests, TRUSTED, post(bad).model_copy(update={"targets": (target,)}))
    await send_as(requests, TRUSTED, post(good))
    await eventually(lambda: watcher.due(good), timeout=15)
    await eventually(lambda: watcher.dead_letters(bad.encode()))
    assert expected in reason(watcher, bad)
    assert watcher.due(bad) == []

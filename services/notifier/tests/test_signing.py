"""Signatures as the Standard Webhooks reference library checks them, and the retry schedule."""

from __future__ import annotations

import json
import random
import time
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from herald_common.events import Envelope, PostPublished, PublishedPart
from herald_common.platforms import Platform
from herald_common.webhooks import signing
from herald_common.webhooks.catalog import messages_for
from herald_notifier.service import retry_delay
from herald_notifier.settings import DEFAULT_RETRY_SCHEDULE


@given(
    data=st.dictionaries(st.text(max_size=10), st.text(max_size=80), max_size=5),
    message_id=st.text(alphabet="abcdef0123456789_", min_size=1, max_size=40),
)
def test_the_reference_library_verifies_our_signature(data: dict[str, str], message_id: str) -> None:
    body = json.dumps(data, ensure_ascii=False)  # the library parses what it verified
    secret = signing.new_secret()
    now = int(time.time())
    headers = {
        "webhook-id": message_id,
        "webhook-timestamp": str(now),
        "webhook-signature": signing.signature_header([secret], message_id, now, body),
    }
    Webhook(secret).verify(body, headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(signing.new_secret()).verify(body, headers)


def test_during_a_rotation_either_secret_verifies() -> None:
    old, new = signing.new_secret(), signing.new_secret()
    now = int(time.time())
    headers = {
        "webhook-id": "msg_1",
        "webhook-timestamp": str(now),
        "webhook-signature": signing.signature_header([new, old], "msg_1", now, "{}"),
    }
    assert headers["webhook-signature"].count("v1,") == 2
    Webhook(old).verify("{}", headers)
    Webhook(new).verify("{}", headers)


def test_the_default_schedule_retries_for_more_than_a_day_then_gives_up() -> None:
    rng = random.Random(7)
    waits = [retry_delay(DEFAULT_RETRY_SCHEDULE, n, rng) for n in range(1, len(DEFAULT_RETRY_SCHEDULE) + 2)]
    assert waits[-1] is None
    spent = [w for w in waits if w is not None]
    assert sum(spent) >= 24 * 3600 * 1.0  # even with the jitter at its low end (-20%)
    assert all(0.8 * b <= w <= 1.2 * b for w, b in zip(spent, DEFAULT_RETRY_SCHEDULE, strict=True))


def test_a_redelivered_lifecycle_event_yields_the_same_webhook_ids() -> None:
    event = PostPublished(
        post_id="p1",
        business_id=1,
        occurred_at=datetime.now(UTC),
        platform=Platform.TWITTER,
        attempt=1,
        parts=(PublishedPart(index=0, platform_post_id="9"),),
    )
    first = Envelope(
        id="e1", source="publisher-twitter", type=event.ce_type, time=event.occurred_at, data=event
    )
    again = Envelope(
        id="e1", source="publisher-twitter", type=event.ce_type, time=datetime.now(UTC), data=event
    )
    other = Envelope(
        id="e2", source="publisher-twitter", type=event.ce_type, time=event.occurred_at, data=event
    )
    assert [m.id for m in messages_for(first)] == [m.id for m in messages_for(again)]
    assert [m.id for m in messages_for(first)] != [m.id for m in messages_for(other)]

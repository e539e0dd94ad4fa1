"""The intake rules: who may act for which business, and the post rules the gateway also applies."""

from __future__ import annotations

from typing import Any

import pytest

from herald_common.events import (
    Envelope,
    MalformedEvent,
    PostCancelRequested,
    PostRequested,
    PostTarget,
    utcnow,
)
from herald_common.intake import OPEN, IntakeRules
from herald_common.platforms import Platform
from herald_common.post_rules import check_target

RULES = IntakeRules({"/herald/api-gateway": "*", "/internal/newsletter": [1, 2]})


def envelope(data: Any, source: str = "/herald/api-gateway") -> Envelope[Any]:
    return Envelope("e-1", source, data.ce_type, utcnow(), data, {})


def requested(business_id: int = 1, *targets: PostTarget) -> PostRequested:
    return PostRequested(
        post_id="p-1",
        business_id=business_id,
        targets=targets or (PostTarget(platform=Platform.TWITTER, content="hello"),),
        requested_at=utcnow(),
    )


@pytest.mark.parametrize(
    ("source", "business_id", "refusal"),
    [
        ("/herald/api-gateway", 99, None),
        ("/internal/newsletter", 2, None),
        ("/internal/newsletter", 3, "may not act for business 3"),
        ("/elsewhere", 1, "'/elsewhere' may not write requests"),
    ],
)
def test_a_producer_acts_only_for_its_businesses(source: str, business_id: int, refusal: str | None) -> None:
    for data in (
        requested(business_id),
        PostCancelRequested(post_id="p-1", business_id=business_id, request_id="r", requested_at=utcnow()),
    ):
        if refusal is None:
            RULES.check(envelope(data, source))
        else:
            with pytest.raises(MalformedEvent, match=refusal):
                RULES.check(envelope(data, source))


def test_without_grants_every_producer_may_act_but_posts_keep_the_rules() -> None:
    OPEN.check(envelope(requested(5), "/anyone"))
    twice = requested(
        1,
        PostTarget(platform=Platform.TWITTER, content="a"),
        PostTarget(platform=Platform.TWITTER, content="b"),
    )
    with pytest.raises(MalformedEvent, match="each platform may appear once"):
        OPEN.check(envelope(twice, "/anyone"))


def test_media_addresses_are_left_to_the_publisher_and_every_broken_rule_is_named() -> None:
    internal = PostTarget(platform=Platform.FACEBOOK, content="x", media_urls=("http://10.0.0.1/a.jpg",))
    OPEN.check(envelope(requested(1, internal)))  # the publisher's SSRF guard refuses it when fetching
    both = requested(
        1,
        PostTarget(platform=Platform.TWITTER, content="hi", first_comment="more"),
        PostTarget(platform=Platform.INSTAGRAM, content="text only"),
    )
    with pytest.raises(MalformedEvent, match="first_comment is not supported") as refused:
        OPEN.check(envelope(both))
    assert "Instagram has no text-only posts" in refused.value.reason


def test_the_gateway_applies_the_same_rules_with_media_addresses() -> None:
    internal = PostTarget(platform=Platform.FACEBOOK, content="x", media_urls=("http://10.0.0.1/a.jpg",))
    broken = check_target(internal, numbering=False)
    assert broken is not None and "internal address" in broken.message
    assert check_target(internal, numbering=False, allow_media_hosts=("10.0.0.1:80",)) is None

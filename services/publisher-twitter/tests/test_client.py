"""The X client against the emulator: tweets, reply chains, media, both auth methods, and how
every answer is classified."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from herald_common.events import PostTarget
from herald_common.platforms import Platform
from herald_common.publishing.accounts import Account
from herald_common.publishing.outcomes import (
    CreatedObject,
    DuplicateContent,
    PermanentError,
    ReauthRequired,
    RetryableError,
)
from herald_common.publishing.testing import part_request
from herald_emulator.testing import BASE_URL, SAMPLE_JPEG_PATH, created
from herald_publisher_twitter.client import XClient

USER = Account(Platform.TWITTER, "", "dev-x")
OAUTH1 = Account(
    Platform.TWITTER,
    "",
    "dev-x-token",
    token_secret="dev-x-token-secret",
    extra={"consumer_key": "dev-consumer", "consumer_secret": "dev-consumer-secret"},
)
SAMPLE = BASE_URL + SAMPLE_JPEG_PATH


async def fault(emulator: httpx.AsyncClient, **rule: object) -> None:
    (await emulator.post("/_emulator/faults", json={"platform": "twitter", **rule})).raise_for_status()


async def publish_thread(client: XClient, account: Account, text: str) -> list[CreatedObject]:
    made: list[CreatedObject] = []
    for index, body in enumerate(client.split(PostTarget(platform=Platform.TWITTER, content=text), True)):
        parent = made[-1] if made else None
        made.append(
            await client.publish(
                part_request(
                    account,
                    body,
                    parent=parent,
                    root=made[0] if made else None,
                    index=index,
                    kind="continuation" if made else "post",
                )
            )
        )
    return made


async def test_plain_tweet(client: XClient, emulator: httpx.AsyncClient) -> None:
    made = await client.publish(part_request(USER, "Hello from Herald"))
    (tweet,) = await created(emulator, "twitter")
    assert (tweet["id"], tweet["url"], tweet["text"]) == (
        made.platform_post_id,
        made.url,
        "Hello from Herald",
    )


@pytest.mark.parametrize("account", [USER, OAUTH1], ids=["oauth2", "oauth1"])
async def test_long_text_is_a_reply_chain(
    client: XClient, emulator: httpx.AsyncClient, account: Account
) -> None:
    words = [f"word{i:03d}" for i in range(120)]
    made = await publish_thread(client, account, " ".join(words))
    tweets = await created(emulator, "twitter")
    assert len(tweets) == len(made) > 1 and tweets[0]["in_reply_to"] is None
    for previous, tweet in itertools.pairwise(tweets):
        assert tweet["in_reply_to"] == previous["id"]
    assert tweets[-1]["text"].endswith(f"{len(made)}/{len(made)}")
    assert [w for t in tweets for w in t["text"].split() if "/" not in w] == words


@pytest.mark.parametrize("account", [USER, OAUTH1], ids=["oauth2", "oauth1"])
async def test_tweet_with_images(client: XClient, emulator: httpx.AsyncClient, account: Account) -> None:
    await client.publish(
        part_request(account, "pictures", media_urls=[SAMPLE, BASE_URL + "/_emulator/media/sample.png"])
    )
    (tweet,) = await created(emulator, "twitter")
    assert len(tweet["media_ids"]) == 2


async def test_a_wrong_media_type_fails_before_any_upload(
    client: XClient, emulator: httpx.AsyncClient
) -> None:
    await emulator.put("/_emulator/media/doc.jpg", content=b"%PDF-1.7 not an image")
    with pytest.raises(PermanentError) as caught:
        await client.publish(part_request(USER, "x", media_urls=[BASE_URL + "/_emulator/media/doc.jpg"]))
    assert caught.value.code == "media_type_not_allowed"
    calls = (await emulator.get("/_emulator/calls", params={"platform": "twitter"})).json()["calls"]
    assert not [c for c in calls if "media" in str(c)]


async def test_429_waits_for_the_reset_x_names(client: XClient, emulator: httpx.AsyncClient) -> None:
    await fault(emulator, kind="rate_limit", reset_in_s=120, count=1)
    with pytest.raises(RetryableError) as caught:
        await client.publish(part_request(USER, "too soon"))
    assert caught.value.rate_limited and caught.value.retry_after is not None
    assert 115 <= caught.value.retry_after <= 121


async def test_duplicate_is_not_a_plain_failure(client: XClient) -> None:
    await client.publish(part_request(USER, "twice"))
    with pytest.raises(DuplicateContent) as caught:
        await client.publish(part_request(USER, "twice"))
    assert caught.value.code == "duplicate_content" and caught.value.existing is None


async def test_too_long_is_permanent_with_code_and_reason(client: XClient) -> None:
    with pytest.raises(PermanentError) as caught:
        await client.publish(part_request(USER, "x" * 300))
    assert caught.value.code == "400/invalid-request" and "X answered 400" in caught.value.reason


async def test_expired_token_and_server_errors(client: XClient, emulator: httpx.AsyncClient) -> None:
    await fault(emulator, kind="expired_token", count=1)
    with pytest.raises(ReauthRequired):
        await client.publish(part_request(USER, "a"))
    await fault(emulator, kind="status", status=503, count=1)
    with pytest.raises(RetryableError) as caught:
        await client.publish(part_request(USER, "b"))
    assert caught.value.maybe_created


async def test_find_matches_text_and_the_replied_to_tweet(client: XClient) -> None:
    since = datetime.now(UTC) - timedelta(minutes=1)
    root = await client.publish(part_request(USER, "root"))
    reply = await client.publish(
        part_request(USER, "same reply", parent=root, root=root, kind="continuation")
    )
    assert (
        await client.find(
            part_request(USER, "same reply", parent=root, root=root, kind="continuation"), since
        )
        == reply
    )
    other = CreatedObject("1", None)
    assert (
        await client.find(
            part_request(USER, "same reply", parent=other, root=other, kind="continuation"), since
        )
        is None
    )
    assert await client.find(part_request(USER, "root"), since) == root

"""Small helpers for the end-to-end tests."""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
from aiokafka import TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from herald_common.testing import read_topic

FINAL = {"published", "partially_published", "failed", "cancelled", "missed"}


async def wait_for_status(
    api: httpx.AsyncClient,
    post_id: str,
    wanted: set[str] = FINAL,
    timeout: float = 20.0,
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        post = (await api.get(f"/api/v2/posts/{post_id}", headers=headers)).json()
        if post["status"] in wanted:
            return post  # type: ignore[no-any-return]
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"post {post_id} still {post['status']} after {timeout}s: {post}")
        await asyncio.sleep(0.1)


async def cancel(
    api: httpx.AsyncClient, post_id: str, headers: dict[str, str] | None = None
) -> dict[str, Any]:
    """Cancel a post due well after now and return it once cancelled. Both answers the API documents
    are taken: 200 (cancelled) and 202 (no answer in time: the cancel still applies, as it reaches
    the scheduler long before the due time)."""
    answer = await api.delete(f"/api/v2/schedule/{post_id}", headers=headers)
    assert answer.status_code in (200, 202), answer.text
    promised = "cancelled" if answer.status_code == 200 else "cancel_requested"
    assert answer.json()["status"] == promised, answer.text
    post = await wait_for_status(api, post_id, headers=headers)
    assert post["status"] == "cancelled", (answer.status_code, post)
    return post


async def created_on(emulator: httpx.AsyncClient, platform: str) -> list[dict[str, Any]]:
    return (await emulator.get(f"/_emulator/{platform}/posts")).json()["posts"]  # type: ignore[no-any-return]


def by_platform(post: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {t["platform"]: t for t in post["platforms"]}


async def committed(bootstrap: str, group: str, tp: TopicPartition) -> int:
    """The consumer group's committed offset on `tp` (-1 when none)."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        offsets = await admin.list_consumer_group_offsets(group)
    finally:
        await admin.close()
    meta = offsets.get(tp)
    return meta.offset if meta is not None else -1


async def wait_committed_past(
    bootstrap: str, group: str, tp: TopicPartition, offset: int, timeout: float = 30
) -> None:
    """Until `group` committed past `offset`: a consumer that commits only finished work has then
    handled that record and every one before it on the partition."""
    deadline = asyncio.get_running_loop().time() + timeout
    while (done := await committed(bootstrap, group, tp)) <= offset:
        assert asyncio.get_running_loop().time() < deadline, f"{group} committed {done}, not past {offset}"
        await asyncio.sleep(0.1)


async def wait_consumed(bootstrap: str, group: str, topic: str, keys: set[str], timeout: float = 30) -> None:
    """Until a record of each key is on `topic` (producers may relay them later) and `group`
    committed past the last of them on every partition they are on."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        records = [
            r for r in await read_topic(bootstrap, topic) if r.key is not None and r.key.decode() in keys
        ]
        if {r.key.decode() for r in records} == keys:
            break
        assert asyncio.get_running_loop().time() < deadline, (
            f"not every record of {sorted(keys)} is on {topic}"
        )
        await asyncio.sleep(0.1)
    last: dict[TopicPartition, int] = {}
    for record in records:
        tp = TopicPartition(record.topic, record.partition)
        last[tp] = max(last.get(tp, -1), record.offset)
    for tp, offset in last.items():
        await wait_committed_past(
            bootstrap, group, tp, offset, timeout=max(1.0, deadline - asyncio.get_running_loop().time())
        )


async def callback_quota_left(base_url: str, needed: int = 3) -> None:
    """Wait out the per-address limit of unauthenticated routes (the callback's), which other tests
    from this address (the fuzzer) may have used up, before starting a consent: the platform's
    code would expire while waiting in the middle of one. A bare callback is a cheap 422."""
    async with httpx.AsyncClient(base_url=base_url, timeout=15) as probe:
        for _ in range(40):  # the window is a minute long
            answer = await probe.get("/api/oauth/twitter/callback")
            if answer.status_code != 429 and int(answer.headers["x-ratelimit-remaining"]) >= needed:
                return
            await asyncio.sleep(min(int(answer.headers.get("retry-after", "2")), 10))
    raise AssertionError("the callback stayed rate-limited")


async def connect(api: httpx.AsyncClient, platform: str, **params: str) -> httpx.Response:
    """Start the consent, follow the platform's auto-consent redirect back to our callback."""
    await callback_quota_left(str(api.base_url))
    started = await api.get(f"/api/oauth/{platform}/authorize", params={"format": "json", **params})
    assert started.status_code == 200, started.text
    url = started.json()["authorization_url"]
    async with httpx.AsyncClient() as browser:
        consent = await browser.get(url)
    assert consent.status_code in (302, 303), consent.text
    back = consent.headers["location"]
    assert back.startswith(str(api.base_url)), back
    split = urlsplit(back)
    return await api.get(split.path, params={k: v[0] for k, v in parse_qs(split.query).items()})


async def fresh_topics(bootstrap: str) -> None:
    """Start from empty topics: due events and requests that other tests left in the shared broker
    must not be published by a new stack. The services create the topics again as they start."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        ours = [t for t in await admin.list_topics() if t.startswith("herald.")]
        if ours:
            await admin.delete_topics(ours)
        for _ in range(100):
            if not (left := [t for t in await admin.list_topics() if t.startswith("herald.")]):
                return
            await asyncio.sleep(0.1)
        raise AssertionError(f"the broker still lists {left} after deleting them")
    finally:
        await admin.close()

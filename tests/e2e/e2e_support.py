"""Small helpers for the end-to-end tests."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
from aiokafka import TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

FINAL = {"published", "partially_published", "failed", "cancelled", "missed"}


async def wait_for_status(
    api: httpx.AsyncClient, post_id: str, wanted: set[str] = FINAL, timeout: float = 20.0
) -> dict[str, Any]:
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        post = (await api.get(f"/api/v2/posts/{post_id}")).json()
        if post["status"] in wanted:
            return post  # type: ignore[no-any-return]
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"post {post_id} still {post['status']} after {timeout}s: {post}")
        await asyncio.sleep(0.1)


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

"""Small helpers for the end-to-end tests."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

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

"""Signed webhooks through the running stack: a multi-platform post, published by the real
publishers against the emulator, reaches a receiver on 127.0.0.1 as signed messages, in order."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import httpx
from e2e_support import wait_for_status
from standardwebhooks.webhooks import Webhook

from herald_common.testing import eventually

sys.path.insert(0, str(Path(__file__).parents[1] / "webhooks"))  # the receiver of tests/webhooks
from webhook_receiver import running_receiver


async def test_a_multi_platform_post_is_told_to_a_signed_webhook(api: httpx.AsyncClient) -> None:
    async with running_receiver() as receiver:
        created = await api.post(
            "/api/v2/webhooks",
            json={
                "url": receiver.url,
                "events": ["post.scheduled", "post.published", "post.status_changed"],
                "business_id": 1,
            },
        )
        assert created.status_code == 201, created.text
        hook = created.json()
        try:
            accepted = await api.post(
                "/api/v2/publish",
                json={
                    "content": "Webhooks are live",
                    "platforms": ["linkedin", "twitter", "facebook"],
                    "business_id": 1,
                },
            )
            assert accepted.status_code == 202, accepted.text
            post_id = accepted.json()["id"]
            post = await wait_for_status(api, post_id)
            assert post["status"] == "published", post

            def mine() -> list[dict[str, Any]]:
                return [
                    Webhook(hook["secret"]).verify(r.body, r.headers)
                    for r in receiver.received
                    if json.loads(r.body)["data"]["post_id"] == post_id
                ]

            def told_published() -> list[dict[str, Any]]:
                got = mine()
                return got if any(m["data"].get("status") == "published" for m in got) else []

            messages = await eventually(told_published, timeout=30)
            published = {m["data"]["platform"]: m["data"] for m in messages if m["type"] == "post.published"}
            urls = {t["platform"]: t["url"] for t in post["platforms"]}
            assert {p: d["url"] for p, d in published.items()} == urls
            assert sorted(m["data"]["platform"] for m in messages if m["type"] == "post.scheduled") == [
                "facebook",
                "linkedin",
                "twitter",
            ]
            statuses = [m["data"]["status"] for m in messages if m["type"] == "post.status_changed"]
            assert statuses[0] == "scheduled" and statuses[-1] == "published"
            assert messages.index(next(m for m in messages if m["type"] == "post.scheduled")) < min(
                messages.index(m) for m in messages if m["type"] == "post.published"
            )

            async def all_delivered() -> bool:
                log = await api.get(f"/api/v2/webhooks/{hook['id']}/deliveries")
                return {d["status"] for d in log.json()["items"] if d["post_id"] == post_id} == {"delivered"}

            # The receiver has the last message before the notifier records its answer: wait for that.
            await eventually(all_delivered, timeout=30)
        finally:
            await api.delete(f"/api/v2/webhooks/{hook['id']}")

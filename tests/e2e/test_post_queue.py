"""Posting queues: an account's weekly slots in an IANA zone; `"queue": true` takes the next free
slot, and requests that ask at once take different slots; only the owner sees or sets them."""

from __future__ import annotations

import asyncio
from datetime import datetime
from zoneinfo import ZoneInfo

import httpx
import pytest
from e2e_support import connect

pytestmark = pytest.mark.e2e
DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


async def test_queued_posts_take_distinct_next_slots(api: httpx.AsyncClient, stack: object) -> None:
    headers = {"Authorization": f"Bearer {stack.token(83)}"}  # type: ignore[attr-defined]
    async with httpx.AsyncClient(base_url=api.base_url, headers=headers) as own:
        assert (await connect(own, "twitter")).status_code == 200
        (account,) = [a for a in (await own.get("/api/v2/accounts")).json() if a["platform"] == "twitter"]

        no_slots = await own.post(
            "/api/v2/schedule", json={"content": "x", "platforms": ["twitter"], "queue": True}
        )
        assert no_slots.status_code == 422, no_slots.text
        assert account["id"] in no_slots.json()["detail"]

        slots = [{"weekday": d, "time": t} for d in DAYS for t in ("09:00", "13:30", "18:00")]
        put = await own.put(
            f"/api/v2/accounts/{account['id']}/slots", json={"timezone": "Asia/Tokyo", "slots": slots}
        )
        assert put.status_code == 200, put.text
        bad_zone = await own.put(
            f"/api/v2/accounts/{account['id']}/slots", json={"timezone": "Mars/Base", "slots": slots}
        )
        assert bad_zone.status_code == 422

        async def queue_one(n: int) -> httpx.Response:
            return await own.post(
                "/api/v2/schedule", json={"content": f"queued {n}", "platforms": ["twitter"], "queue": True}
            )

        answers = await asyncio.gather(*(queue_one(n) for n in range(6)))
        assert all(a.status_code == 202 for a in answers), [a.text for a in answers]
        times = sorted(a.json()["scheduled_for"] for a in answers)
        assert len(set(times)) == 6, f"two requests took the same slot: {times}"

        view = (await own.get(f"/api/v2/accounts/{account['id']}/queue", params={"count": 8})).json()
        upcoming = view["upcoming"]
        assert [e["post_id"] is not None for e in upcoming] == [True] * 6 + [False] * 2, (
            "the first six are taken"
        )
        assert {e["post_id"] for e in upcoming[:6]} == {a.json()["id"] for a in answers}
        tokyo = ZoneInfo("Asia/Tokyo")
        for entry in upcoming:
            wall = datetime.fromisoformat(entry["at"]).astimezone(tokyo)
            assert wall.strftime("%H:%M") in ("09:00", "13:30", "18:00")

        both = await own.post(
            "/api/v2/schedule",
            json={
                "content": "x",
                "platforms": ["twitter"],
                "queue": True,
                "scheduled_for": "2031-01-01T00:00:00Z",
            },
        )
        assert both.status_code == 422

    other = {"Authorization": f"Bearer {stack.token(2)}"}  # type: ignore[attr-defined]
    async with httpx.AsyncClient(base_url=api.base_url, headers=other) as intruder:
        assert (await intruder.get(f"/api/v2/accounts/{account['id']}/queue")).status_code == 404
        taken = await intruder.put(
            f"/api/v2/accounts/{account['id']}/slots", json={"timezone": "UTC", "slots": []}
        )
        assert taken.status_code == 404

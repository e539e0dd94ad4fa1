"""GET /api/v2/posts: every post of the caller's business, newest first, filtered, paged by cursor."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any


async def test_history_lists_newest_first_with_filters_and_cursor(
    gateway_factory: Callable[..., Any], token_for: Callable[..., str]
) -> None:
    mine = {"Authorization": f"Bearer {token_for(businesses=(1,))}"}
    theirs = {"Authorization": f"Bearer {token_for('user-2', businesses=(2,))}"}
    later = (datetime.now(UTC) + timedelta(days=2)).isoformat()
    async with gateway_factory(rate_limits_enabled=False) as api:
        ids = []
        for i in range(5):
            body: dict[str, Any] = {"content": f"post {i}", "platforms": ["linkedin" if i % 2 else "twitter"]}
            if i == 4:
                body["scheduled_for"] = later
            response = await api.post(
                "/api/v2/schedule" if i == 4 else "/api/v2/publish", json=body, headers=mine
            )
            assert response.status_code == 202, response.text
            ids.append(response.json()["id"])
        other = await api.post(
            "/api/v2/publish", json={"content": "not yours", "platforms": ["twitter"]}, headers=theirs
        )
        assert other.status_code == 202

        first = (await api.get("/api/v2/posts", params={"limit": 2}, headers=mine)).json()
        second = (
            await api.get("/api/v2/posts", params={"limit": 2, "cursor": first["next_cursor"]}, headers=mine)
        ).json()
        third = (
            await api.get("/api/v2/posts", params={"limit": 2, "cursor": second["next_cursor"]}, headers=mine)
        ).json()
        paged = [p["id"] for page in (first, second, third) for p in page["items"]]
        assert paged == list(reversed(ids)), "newest first, every post once, scheduled ones too"
        assert third["next_cursor"] is None

        linkedin = (await api.get("/api/v2/posts", params={"platform": "linkedin"}, headers=mine)).json()
        assert [p["id"] for p in linkedin["items"]] == [ids[3], ids[1]]
        scheduled = (await api.get("/api/v2/posts", params={"status": "scheduled"}, headers=mine)).json()
        assert [p["id"] for p in scheduled["items"]] == [ids[4]]
        future = (await api.get("/api/v2/posts", params={"from": later}, headers=mine)).json()
        assert future["items"] == []
        bad = await api.get("/api/v2/posts", params={"cursor": "nonsense"}, headers=mine)
        assert bad.status_code == 422


async def test_history_finds_posts_by_their_text(
    gateway_factory: Callable[..., Any], token_for: Callable[..., str]
) -> None:
    mine = {"Authorization": f"Bearer {token_for('user-13', businesses=(13,))}"}
    theirs = {"Authorization": f"Bearer {token_for('user-14', businesses=(14,))}"}
    async with gateway_factory(rate_limits_enabled=False) as api:
        tag = datetime.now(UTC).strftime("%H%M%S%f")
        bodies = [
            {"content": f"Spring SALE {tag} starts now", "platforms": ["twitter"]},
            {"content": f"nothing here {tag}", "platforms": ["linkedin"]},
            {
                "content": f"base text {tag}",
                "platforms": ["twitter", "linkedin"],
                "overrides": {"linkedin": {"content": f"the spring sale {tag}, longer"}},
            },
            {"content": f"100%_off {tag}", "platforms": ["twitter"]},
        ]
        ids = []
        for body in bodies:
            response = await api.post("/api/v2/publish/multi-platform", json=body, headers=mine)
            assert response.status_code == 202, response.text
            ids.append(response.json()["id"])
        await api.post(
            "/api/v2/publish",
            json={"content": f"spring sale {tag}", "platforms": ["twitter"]},
            headers=theirs,
        )

        async def found(q: str) -> list[str]:
            page = (await api.get("/api/v2/posts", params={"q": q}, headers=mine)).json()
            return [p["id"] for p in page["items"]]

        assert await found(f"SALE {tag}, longer") == [ids[2]], "an override's text counts; case ignored"
        assert await found(f"SALE {tag}") == [ids[2], ids[0]]
        assert await found(f"%_off {tag}") == [ids[3]], "wildcards are matched literally"
        assert await found(f"0%x {tag}") == []

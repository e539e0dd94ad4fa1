"""The HTTP contract: idempotency keys, RFC 9457 errors, listing, multi-platform overrides."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from e2e_support import by_platform, cancel, created_on, wait_for_status

pytestmark = pytest.mark.e2e

PROBLEM = "application/problem+json"


async def test_idempotency_key_replays_and_refuses_a_different_body(
    api: httpx.AsyncClient, emulator: httpx.AsyncClient
) -> None:
    body = {"content": "Idempotent hello", "platforms": ["twitter"]}
    headers = {"Idempotency-Key": f"order-{uuid.uuid4()}"}
    first = await api.post("/api/v2/publish", json=body, headers=headers)
    second = await api.post("/api/v2/publish", json=body, headers=headers)
    assert first.status_code == second.status_code == 202
    assert first.json() == second.json()
    await wait_for_status(api, first.json()["id"])
    assert len(await created_on(emulator, "twitter")) == 1

    other = await api.post("/api/v2/publish", json={**body, "content": "Something else"}, headers=headers)
    assert other.status_code == 422
    assert other.headers["content-type"].startswith(PROBLEM)
    assert "Idempotency-Key" in other.json()["detail"]


async def test_a_schedule_retried_after_its_time_gets_the_post_it_created(
    api: httpx.AsyncClient, emulator: httpx.AsyncClient
) -> None:
    """The answer to a schedule was lost and the client retries after the due time: the retry is a
    replay, answered with the post created, not a 422 for a time now in the past."""
    due = datetime.now(UTC) + timedelta(seconds=2)
    body = {
        "content": f"Replayed late {uuid.uuid4().hex[:8]}",
        "platforms": ["twitter"],
        "scheduled_for": due.isoformat(),
    }
    headers = {"Idempotency-Key": f"late-{uuid.uuid4()}"}
    first = await api.post("/api/v2/schedule", json=body, headers=headers)
    assert first.status_code == 202, first.text
    published = await wait_for_status(api, first.json()["id"])
    assert published["status"] == "published" and datetime.now(UTC) > due, published

    retry = await api.post("/api/v2/schedule", json=body, headers=headers)
    assert retry.status_code == 202, retry.text
    assert retry.json() == first.json()
    assert len(await created_on(emulator, "twitter")) == 1


@pytest.mark.parametrize(
    ("path", "body", "expected"),
    [
        (
            "/api/v2/schedule",
            {"content": "x", "platforms": ["twitter"], "scheduled_for": "2020-01-01T00:00:00Z"},
            "in the past",
        ),
        (
            "/api/v2/schedule",
            {"content": "x", "platforms": ["twitter"], "scheduled_for": "2031-01-01T00:00:00"},
            "no time zone",
        ),
        (
            "/api/v2/schedule",
            {
                "content": "x",
                "platforms": ["twitter"],
                "scheduled_for": "2031-01-01T00:00:00",
                "timezone": "Mars/Olympus",
            },
            "IANA",
        ),
        ("/api/v2/publish", {"content": "x", "platforms": []}, "platforms"),
        ("/api/v2/publish", {"content": "x", "platforms": ["myspace"]}, "platforms"),
        ("/api/v2/publish", {"content": "x", "platforms": ["twitter", "twitter"]}, "once"),
        ("/api/v2/publish", {"content": "   ", "platforms": ["twitter"]}, "empty"),
        ("/api/v2/publish", {"content": "text only", "platforms": ["instagram"]}, "Instagram"),
        ("/api/v2/publish", {"content": "x", "platforms": ["twitter"], "business_id": 2}, "not found"),
        (
            "/api/v2/publish",
            {"content": "x", "platforms": ["facebook"], "media_urls": ["http://169.254.169.254/a.jpg"]},
            "internal address",
        ),
        (
            "/api/v2/publish",
            {"content": "x", "platforms": ["facebook"], "media_urls": ["http://localhost:8000/a.jpg"]},
            "internal address",
        ),
        (
            "/api/v2/publish",
            {"content": "x", "platforms": ["facebook"], "media_urls": ["file:///etc/passwd"]},
            "URL",
        ),
        ("/api/v2/publish", {"content": "a\u0000b", "platforms": ["twitter"]}, "content: "),
        (
            "/api/v2/schedule",
            {
                "content": "x",
                "platforms": ["twitter"],
                "scheduled_for": "2030-01-01T09:00:00",
                "timezone": "Europe/\u0000Paris",
            },
            "timezone: ",
        ),
        (
            "/api/v2/publish",
            {
                "content": "x",
                "platforms": ["linkedin"],
                "overrides": {"linkedin": {"first_comment": "\u0007"}},
            },
            "overrides.linkedin.first_comment: ",
        ),
        ("/api/v2/api-keys", {"name": "key\u0000"}, "name: "),
    ],
)
async def test_bad_requests_are_problem_details(
    api: httpx.AsyncClient, path: str, body: dict, expected: str
) -> None:
    response = await api.post(path, json=body)
    assert response.status_code in (404, 422), response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    problem = response.json()
    assert {"type", "title", "status", "detail"} <= problem.keys()
    assert expected in problem["detail"], problem


async def test_missing_or_bad_token_is_401_problem(stack: object) -> None:
    async with httpx.AsyncClient(base_url=stack.gateway) as anon:  # type: ignore[attr-defined]
        for headers in ({}, {"Authorization": "Bearer not-a-jwt"}):
            response = await anon.post(
                "/api/v2/publish", json={"content": "x", "platforms": ["twitter"]}, headers=headers
            )
            assert response.status_code == 401
            assert response.headers["content-type"].startswith(PROBLEM)
            assert response.headers["www-authenticate"].startswith("Bearer")


async def test_unknown_post_is_404_problem(api: httpx.AsyncClient) -> None:
    response = await api.get("/api/v2/posts/does-not-exist")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith(PROBLEM)


async def test_multi_platform_overrides_reach_each_platform(
    api: httpx.AsyncClient, emulator: httpx.AsyncClient
) -> None:
    response = await api.post(
        "/api/v2/publish/multi-platform",
        json={
            "content": "The long version for LinkedIn",
            "platforms": ["linkedin", "twitter"],
            "overrides": {"twitter": {"content": "Short for X"}},
        },
    )
    assert response.status_code == 202, response.text
    post = await wait_for_status(api, response.json()["id"])
    assert post["status"] == "published"
    assert [t["text"] for t in await created_on(emulator, "twitter")] == ["Short for X"]
    assert [t["text"] for t in await created_on(emulator, "linkedin")] == ["The long version for LinkedIn"]
    assert set(by_platform(post)) == {"linkedin", "twitter"}


async def test_scheduled_list_is_newest_due_first_paginated_and_filtered(
    api: httpx.AsyncClient, stack: object
) -> None:
    # a business of its own: the list is this test's alone
    token = stack.token(random.randint(1_000, 1_000_000_000))  # type: ignore[attr-defined]
    headers = {"Authorization": f"Bearer {token}"}
    base = datetime.now(UTC) + timedelta(days=1)
    ids = []
    for i in range(5):
        r = await api.post(
            "/api/v2/schedule",
            headers=headers,
            json={
                "content": f"list {i}",
                "platforms": ["twitter"],
                "scheduled_for": (base + timedelta(hours=i)).isoformat(),
            },
        )
        ids.append(r.json()["id"])
    cancelled = ids[0]
    await cancel(api, cancelled, headers=headers)

    page1 = (await api.get("/api/v2/scheduled", params={"limit": 3}, headers=headers)).json()
    page2 = (
        await api.get(
            "/api/v2/scheduled", params={"limit": 3, "cursor": page1["next_cursor"]}, headers=headers
        )
    ).json()
    listed = [p["id"] for p in page1["items"] + page2["items"]]
    assert listed == list(reversed(ids))
    assert page2["next_cursor"] is None

    only = (await api.get("/api/v2/scheduled", params={"status": "cancelled"}, headers=headers)).json()
    assert [p["id"] for p in only["items"]] == [cancelled]
    window = (
        await api.get(
            "/api/v2/scheduled",
            headers=headers,
            params={
                "from": (base + timedelta(minutes=30)).isoformat(),
                "to": (base + timedelta(hours=2, minutes=30)).isoformat(),
            },
        )
    ).json()
    assert [p["id"] for p in window["items"]] == [ids[2], ids[1]]

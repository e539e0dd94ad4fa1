import httpx

from herald_emulator.testing import (
    LINKEDIN_HEADERS,
    META_TOKEN,
    PAGE_ID,
    X_HEADERS,
    created,
    linkedin_post_body,
)


async def test_health(client: httpx.AsyncClient) -> None:
    assert (await client.get("/health/live")).status_code == 200
    assert (await client.get("/health/ready")).status_code == 200


async def test_posts_in_creation_order_with_account_filter(client: httpx.AsyncClient) -> None:
    await client.post("/rest/posts", json=linkedin_post_body("a"), headers=LINKEDIN_HEADERS)
    await client.post(
        "/rest/posts", json=linkedin_post_body("b", "urn:li:organization:7"), headers=LINKEDIN_HEADERS
    )
    await client.post("/rest/posts", json=linkedin_post_body("c"), headers=LINKEDIN_HEADERS)
    assert [post["text"] for post in await created(client, "linkedin")] == ["a", "b", "c"]
    mine = await created(client, "linkedin", account="urn:li:person:demo")
    assert [post["text"] for post in mine] == ["a", "c"]


async def test_post_record_shape(client: httpx.AsyncClient) -> None:
    await client.post("/2/tweets", json={"text": "shape"}, headers=X_HEADERS)
    [post] = await created(client, "twitter")
    assert set(post) == {
        "platform", "kind", "id", "account", "text", "raw_text", "in_reply_to",
        "media_ids", "created_at", "url", "deleted", "extra",
    }  # fmt: skip
    assert post["created_at"].endswith("Z")


async def test_unknown_platform_is_404_problem(client: httpx.AsyncClient) -> None:
    response = await client.get("/_emulator/myspace/posts")
    assert response.status_code == 404
    assert response.json()["title"] == "Unknown platform"


async def test_reset_clears_state_but_keeps_config(client: httpx.AsyncClient) -> None:
    await client.post("/_emulator/config", json={"twitter": {"post_window_limit": 1}})
    await client.post("/2/tweets", json={"text": "before reset"}, headers=X_HEADERS)
    await client.post("/_emulator/faults", json={"platform": "twitter", "kind": "status"})
    await client.post("/_emulator/clock", json={"advance_s": 100})
    assert (await client.post("/_emulator/reset")).status_code == 200
    assert await created(client, "twitter") == []
    assert (await client.get("/_emulator/faults")).json() == {"faults": []}
    assert (await client.get("/_emulator/clock")).json()["offset_s"] == 0
    # Counters were reset (one call allowed again), config kept (only one).
    assert (
        await client.post("/2/tweets", json={"text": "before reset"}, headers=X_HEADERS)
    ).status_code == 201
    assert (await client.post("/2/tweets", json={"text": "second"}, headers=X_HEADERS)).status_code == 429


async def test_config_is_validated(client: httpx.AsyncClient) -> None:
    bad = await client.post("/_emulator/config", json={"instagram": {"quota_total": "lots"}})
    assert bad.status_code == 422
    good = await client.post("/_emulator/config", json={"instagram": {"quota_total": 25}})
    assert good.json()["instagram"]["quota_total"] == 25
    assert good.json()["instagram"]["caption_max_chars"] == 2200


async def test_call_log(client: httpx.AsyncClient) -> None:
    await client.post(f"/{PAGE_ID}/feed", data={"message": "logged", "access_token": META_TOKEN})
    calls = (await client.get("/_emulator/calls", params={"platform": "facebook"})).json()["calls"]
    assert [(call["endpoint"], call["status"]) for call in calls] == [("page_feed", 200)]


async def test_clock_rejects_going_backwards(client: httpx.AsyncClient) -> None:
    assert (await client.post("/_emulator/clock", json={"advance_s": -5})).status_code == 422


async def test_malformed_control_requests_are_422(client: httpx.AsyncClient) -> None:
    for path in ("/_emulator/faults", "/_emulator/config", "/_emulator/clock"):
        response = await client.post(path, content=b"{not json", headers={"content-type": "application/json"})
        assert response.status_code == 422, path

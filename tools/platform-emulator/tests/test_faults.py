import asyncio
import time

import httpx
import pytest

from herald_emulator.testing import (
    LINKEDIN_HEADERS,
    META_TOKEN,
    PAGE_ID,
    X_HEADERS,
    created,
    linkedin_post_body,
)


async def add_faults(client: httpx.AsyncClient, *rules: dict[str, object]) -> list[dict[str, object]]:
    response = await client.post("/_emulator/faults", json=list(rules))
    assert response.status_code == 201
    faults: list[dict[str, object]] = response.json()["faults"]
    return faults


async def test_status_fault_applies_count_times(client: httpx.AsyncClient) -> None:
    await add_faults(
        client,
        {"platform": "twitter", "endpoint": "create_tweet", "kind": "status", "status": 503, "count": 2},
    )
    for index in range(2):
        response = await client.post("/2/tweets", json={"text": f"t{index}"}, headers=X_HEADERS)
        assert response.status_code == 503
        assert response.json()["title"] == "Service Unavailable"
    assert (await client.post("/2/tweets", json={"text": "ok"}, headers=X_HEADERS)).status_code == 201
    assert (await client.get("/_emulator/faults")).json() == {"faults": []}


async def test_status_fault_on_facebook_uses_the_graph_envelope(client: httpx.AsyncClient) -> None:
    await add_faults(client, {"platform": "facebook", "kind": "status", "status": 500})
    response = await client.post(f"/{PAGE_ID}/feed", data={"message": "x", "access_token": META_TOKEN})
    assert response.status_code == 500
    error = response.json()["error"]
    assert (error["code"], error["is_transient"]) == (2, True)
    assert error["message"] == "An unexpected error has occurred. Please retry your request later."


async def test_endpoint_glob_matches_path(client: httpx.AsyncClient) -> None:
    await add_faults(client, {"platform": "linkedin", "endpoint": "/rest/socialActions/*", "kind": "status"})
    post = await client.post("/rest/posts", json=linkedin_post_body("unaffected"), headers=LINKEDIN_HEADERS)
    assert post.status_code == 201
    assert len((await client.get("/_emulator/faults")).json()["faults"]) == 1


@pytest.mark.parametrize(
    ("platform", "method", "path", "kwargs", "status", "check"),
    [
        ("linkedin", "POST", "/rest/posts",
         {"json": linkedin_post_body("x"), "headers": LINKEDIN_HEADERS}, 429,
         lambda body, headers: body["serviceErrorCode"] == 101 and "x-rate-limit-reset" not in headers),
        ("twitter", "POST", "/2/tweets", {"json": {"text": "x"}, "headers": X_HEADERS}, 429,
         lambda body, headers: headers["x-rate-limit-remaining"] == "0"
         and int(headers["x-rate-limit-reset"]) > 0),
        ("facebook", "POST", f"/{PAGE_ID}/feed", {"data": {"message": "x", "access_token": META_TOKEN}}, 400,
         lambda body, headers: body["error"]["code"] == 32 and body["error"]["is_transient"] is True),
    ],
)  # fmt: skip
async def test_rate_limit_fault_per_platform(
    client: httpx.AsyncClient, platform: str, method: str, path: str, kwargs: dict, status: int, check
) -> None:
    await add_faults(client, {"platform": platform, "kind": "rate_limit", "reset_in_s": 60})
    response = await client.request(method, path, **kwargs)
    assert response.status_code == status
    assert check(response.json(), response.headers)


@pytest.mark.parametrize(
    ("platform", "method", "path", "kwargs", "status"),
    [
        (
            "linkedin",
            "POST",
            "/rest/posts",
            {"json": linkedin_post_body("x"), "headers": LINKEDIN_HEADERS},
            401,
        ),
        ("twitter", "POST", "/2/tweets", {"json": {"text": "x"}, "headers": X_HEADERS}, 401),
        ("facebook", "POST", f"/{PAGE_ID}/feed", {"data": {"message": "x", "access_token": META_TOKEN}}, 400),
    ],
)
async def test_expired_token_fault(
    client: httpx.AsyncClient, platform: str, method: str, path: str, kwargs: dict, status: int
) -> None:
    await add_faults(client, {"platform": platform, "kind": "expired_token"})
    response = await client.request(method, path, **kwargs)
    assert response.status_code == status
    body = response.json()
    if platform == "linkedin":
        assert body["code"] == "EXPIRED_ACCESS_TOKEN"
    elif platform == "facebook":
        assert (body["error"]["code"], body["error"]["error_subcode"]) == (190, 463)
    else:
        assert body["title"] == "Unauthorized"


async def test_revoked_variant_on_linkedin(client: httpx.AsyncClient) -> None:
    await add_faults(client, {"platform": "linkedin", "kind": "expired_token", "variant": "revoked"})
    response = await client.post("/rest/posts", json=linkedin_post_body("x"), headers=LINKEDIN_HEADERS)
    assert response.json()["serviceErrorCode"] == 65601


async def test_latency_fault_delays_but_succeeds(client: httpx.AsyncClient) -> None:
    await add_faults(client, {"platform": "twitter", "kind": "latency", "latency_ms": 150})
    started = time.monotonic()
    response = await client.post("/2/tweets", json={"text": "slow"}, headers=X_HEADERS)
    assert response.status_code == 201
    assert time.monotonic() - started >= 0.15


async def test_timeout_fault_creates_nothing(client: httpx.AsyncClient) -> None:
    await add_faults(client, {"platform": "twitter", "kind": "timeout", "latency_ms": 50})
    response = await client.post("/2/tweets", json={"text": "never"}, headers=X_HEADERS)
    assert response.status_code == 504
    assert await created(client, "twitter") == []


async def test_drop_after_create_answers_504_but_the_post_exists(client: httpx.AsyncClient) -> None:
    await add_faults(
        client,
        {"platform": "linkedin", "endpoint": "create_post", "kind": "drop_after_create", "latency_ms": 20},
    )
    response = await client.post(
        "/rest/posts", json=linkedin_post_body("lost reply"), headers=LINKEDIN_HEADERS
    )
    assert response.status_code == 504
    assert [post["text"] for post in await created(client, "linkedin")] == ["lost reply"]
    retry = await client.post("/rest/posts", json=linkedin_post_body("lost reply"), headers=LINKEDIN_HEADERS)
    assert retry.status_code == 422  # a blind retry hits the duplicate check


async def test_drop_after_create_outlasts_a_short_client_timeout(client: httpx.AsyncClient) -> None:
    await add_faults(client, {"platform": "twitter", "kind": "drop_after_create", "latency_ms": 5000})
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(client.post("/2/tweets", json={"text": "in limbo"}, headers=X_HEADERS), 0.3)
    assert [post["text"] for post in await created(client, "twitter")] == ["in limbo"]


async def test_failed_call_does_not_consume_drop_response(client: httpx.AsyncClient) -> None:
    await add_faults(client, {"platform": "twitter", "kind": "drop_after_create", "latency_ms": 10})
    invalid = await client.post("/2/tweets", json={"text": ""}, headers=X_HEADERS)
    assert invalid.status_code == 400  # errors pass through untouched


async def test_rules_list_and_clear(client: httpx.AsyncClient) -> None:
    added = await add_faults(
        client,
        {"platform": "instagram", "kind": "status", "count": None},
        {"platform": "facebook", "endpoint": "page_*", "kind": "latency", "latency_ms": 1},
    )
    assert [rule["id"] for rule in added] == ["fault-1", "fault-2"]
    listed = (await client.get("/_emulator/faults")).json()["faults"]
    assert [rule["kind"] for rule in listed] == ["status", "latency"]
    assert (await client.delete("/_emulator/faults")).status_code == 204
    assert (await client.get("/_emulator/faults")).json() == {"faults": []}


async def test_single_rule_object_is_accepted_and_bad_rules_are_422(client: httpx.AsyncClient) -> None:
    single = await client.post("/_emulator/faults", json={"platform": "twitter", "kind": "status"})
    assert single.status_code == 201
    bad = await client.post("/_emulator/faults", json=[{"platform": "myspace", "kind": "status"}])
    assert bad.status_code == 422
    assert bad.headers["content-type"] == "application/problem+json"

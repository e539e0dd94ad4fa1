import re

import httpx
import pytest

from herald_emulator.testing import X_HEADERS, created

SNOWFLAKE = re.compile(r"^\d{19}$")
RATE_HEADERS = ("x-rate-limit-limit", "x-rate-limit-remaining", "x-rate-limit-reset")
DAILY_HEADERS = tuple(
    f"x-{scope}-limit-24hour-{part}" for scope in ("user", "app") for part in ("limit", "remaining", "reset")
)


async def tweet(client: httpx.AsyncClient, body: dict[str, object], as_user: str = "x") -> httpx.Response:
    return await client.post("/2/tweets", json=body, headers={"Authorization": f"Bearer dev-{as_user}"})


async def test_create_tweet_shape_and_headers(client: httpx.AsyncClient) -> None:
    response = await tweet(client, {"text": "Hello X"})
    assert response.status_code == 201
    data = response.json()["data"]
    assert SNOWFLAKE.match(data["id"])
    assert data["text"] == "Hello X"
    for name in RATE_HEADERS + DAILY_HEADERS:
        assert response.headers[name].isdigit(), name
    assert response.headers["x-rate-limit-remaining"] == "99"
    [post] = await created(client, "twitter")
    assert post["url"] == f"https://x.com/i/web/status/{data['id']}"
    assert post["account"] == "1000000000000000001"


async def test_thread_replies_record_the_relation(client: httpx.AsyncClient) -> None:
    first = (await tweet(client, {"text": "1/2"})).json()["data"]["id"]
    second = await tweet(client, {"text": "2/2", "reply": {"in_reply_to_tweet_id": first}})
    assert second.status_code == 201
    posts = await created(client, "twitter")
    assert posts[1]["in_reply_to"] == first


async def test_reply_to_unknown_tweet_is_invalid_request(client: httpx.AsyncClient) -> None:
    response = await tweet(
        client, {"text": "orphan", "reply": {"in_reply_to_tweet_id": "1346889436626259968"}}
    )
    assert response.status_code == 400
    body = response.json()
    assert body["title"] == "Invalid Request"
    assert body["type"] == "https://api.twitter.com/2/problems/invalid-request"
    assert "reply.in_reply_to_tweet_id" in body["errors"][0]["parameters"]
    assert "x-rate-limit-remaining" in response.headers


async def test_reply_to_unknown_can_be_the_real_403(client: httpx.AsyncClient) -> None:
    await client.post("/_emulator/config", json={"twitter": {"reply_to_unknown": "forbidden"}})
    response = await tweet(client, {"text": "orphan", "reply": {"in_reply_to_tweet_id": "1"}})
    assert response.status_code == 403
    assert "deleted or not visible" in response.json()["detail"]


async def test_missing_reply_id_and_unknown_fields(client: httpx.AsyncClient) -> None:
    missing = await tweet(client, {"text": "x", "reply": {}})
    assert (
        missing.json()["errors"][0]["message"]
        == "$.reply.in_reply_to_tweet_id: is missing but it is required"
    )
    unknown = await tweet(client, {"text": "x", "colour": "blue"})
    assert unknown.status_code == 400
    assert unknown.json()["errors"][0]["message"].startswith("$.colour: is not defined in the schema")


async def test_weighted_length_limit(client: httpx.AsyncClient) -> None:
    assert (await tweet(client, {"text": "a" * 280})).status_code == 201
    too_long = await tweet(client, {"text": "b" * 281})
    assert too_long.status_code == 400
    assert too_long.json()["title"] == "Invalid Request"
    cjk = await tweet(client, {"text": "\u4e00" * 141})
    assert cjk.status_code == 400
    urls = await tweet(client, {"text": "https://example.com/" + "x" * 300})
    assert urls.status_code == 201


async def test_duplicate_is_403_with_the_real_body(client: httpx.AsyncClient) -> None:
    await tweet(client, {"text": "same text"})
    response = await tweet(client, {"text": "same text"})
    assert response.status_code == 403
    assert response.json() == {
        "detail": "You are not allowed to create a Tweet with duplicate content.",
        "type": "about:blank",
        "title": "Forbidden",
        "status": 403,
    }
    assert (await tweet(client, {"text": "same text"}, as_user="x-someone")).status_code == 201


async def test_window_rate_limit_gives_429_problem(client: httpx.AsyncClient) -> None:
    await client.post("/_emulator/config", json={"twitter": {"post_window_limit": 2}})
    for index in range(2):
        assert (await tweet(client, {"text": f"t{index}"})).status_code == 201
    response = await tweet(client, {"text": "t3"})
    assert response.status_code == 429
    assert response.json() == {
        "title": "Too Many Requests",
        "detail": "Too Many Requests",
        "type": "about:blank",
        "status": 429,
    }
    assert response.headers["x-rate-limit-remaining"] == "0"
    assert int(response.headers["x-rate-limit-reset"]) > 0
    await client.post("/_emulator/clock", json={"advance_s": 901})
    assert (await tweet(client, {"text": "t4"})).status_code == 201


async def test_user_24h_cap(client: httpx.AsyncClient) -> None:
    await client.post("/_emulator/config", json={"twitter": {"user_24h_limit": 1}})
    first = await tweet(client, {"text": "only one"})
    assert first.headers["x-user-limit-24hour-remaining"] == "0"
    second = await tweet(client, {"text": "second"})
    assert second.status_code == 429
    assert second.headers["x-user-limit-24hour-remaining"] == "0"


async def test_rate_limits_off_reports_full_budget(client: httpx.AsyncClient) -> None:
    await client.post(
        "/_emulator/config", json={"rate_limits_enabled": False, "twitter": {"post_window_limit": 1}}
    )
    for index in range(3):
        response = await tweet(client, {"text": f"bench {index}"})
        assert response.status_code == 201
        assert response.headers["x-rate-limit-remaining"] == "1"


@pytest.mark.parametrize("authorization", [None, "Bearer unknown", "Basic abc"])
async def test_unauthorized(client: httpx.AsyncClient, authorization: str | None) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    response = await client.post("/2/tweets", json={"text": "x"}, headers=headers)
    assert response.status_code == 401
    assert response.json()["title"] == "Unauthorized"


async def test_users_me_and_timeline_for_reconciliation(client: httpx.AsyncClient) -> None:
    ids = [(await tweet(client, {"text": f"tweet {index}"})).json()["data"]["id"] for index in range(3)]
    me = (await client.get("/2/users/me", headers=X_HEADERS)).json()["data"]
    assert me == {"id": "1000000000000000001", "name": "Herald Demo", "username": "herald_demo"}
    timeline = await client.get(
        f"/2/users/{me['id']}/tweets",
        params={"max_results": "5", "tweet.fields": "created_at,conversation_id"},
        headers=X_HEADERS,
    )
    body = timeline.json()
    assert [item["id"] for item in body["data"]] == ids[::-1]
    assert body["meta"]["result_count"] == 3
    assert body["meta"]["newest_id"] == ids[2]
    assert body["data"][0]["created_at"].endswith(".000Z")
    empty = await client.get("/2/users/42/tweets", headers=X_HEADERS)
    assert empty.json() == {"meta": {"result_count": 0}}


async def test_get_tweet_and_missing_tweet(client: httpx.AsyncClient) -> None:
    tweet_id = (await tweet(client, {"text": "findable"})).json()["data"]["id"]
    found = await client.get(f"/2/tweets/{tweet_id}", headers=X_HEADERS)
    assert found.json()["data"]["text"] == "findable"
    missing = await client.get("/2/tweets/123", headers=X_HEADERS)
    assert missing.status_code == 200
    assert missing.json()["errors"][0]["title"] == "Not Found Error"


async def test_delete_tweet(client: httpx.AsyncClient) -> None:
    tweet_id = (await tweet(client, {"text": "bye"})).json()["data"]["id"]
    response = await client.delete(f"/2/tweets/{tweet_id}", headers=X_HEADERS)
    assert response.json() == {"data": {"deleted": True}}

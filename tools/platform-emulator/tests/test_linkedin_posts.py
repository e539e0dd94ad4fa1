import re
from typing import Any

import httpx
import pytest

from herald_emulator.testing import LINKEDIN_HEADERS, created, linkedin_post_body

SHARE_URN = re.compile(r"^urn:li:share:\d{19}$")


async def create_post(client: httpx.AsyncClient, body: dict[str, Any], headers: dict[str, str] | None = None):
    return await client.post("/rest/posts", json=body, headers=headers or LINKEDIN_HEADERS)


async def test_create_post_returns_201_empty_body_and_restli_id(client: httpx.AsyncClient) -> None:
    response = await create_post(client, linkedin_post_body("Hello LinkedIn #launch"))
    assert response.status_code == 201
    assert response.content == b""
    assert SHARE_URN.match(response.headers["x-restli-id"])
    [post] = await created(client, "linkedin")
    assert post["id"] == response.headers["x-restli-id"]
    assert post["text"] == "Hello LinkedIn #launch"
    assert post["account"] == "urn:li:person:demo"
    assert post["url"] == f"https://www.linkedin.com/feed/update/{post['id']}"


async def test_missing_fields_give_422_with_one_line_each(client: httpx.AsyncClient) -> None:
    body = linkedin_post_body("x")
    del body["commentary"], body["visibility"]
    response = await create_post(client, body)
    assert response.status_code == 422
    message = response.json()["message"]
    assert "ERROR :: /commentary :: field is required but not found and has no default value" in message
    assert "ERROR :: /visibility :: field is required but not found and has no default value" in message


async def test_bad_enum_is_422(client: httpx.AsyncClient) -> None:
    response = await create_post(client, linkedin_post_body("x", visibility="EVERYONE"))
    assert response.status_code == 422
    assert '/visibility :: "EVERYONE" is not an enum symbol' in response.json()["message"]


async def test_commentary_over_3000_chars_is_400(client: httpx.AsyncClient) -> None:
    response = await create_post(client, linkedin_post_body("a" * 3001))
    assert response.status_code == 400
    body = response.json()
    assert body["status"] == 400
    assert (
        "ShareCommentary text length (3001 characters) exceeded the maximum allowed (3000 characters)"
        in body["message"]
    )
    assert body["errorDetails"]["inputErrors"][0]["code"] == "FIELD_ARRAY_SIZE_TOO_HIGH"
    assert (await create_post(client, linkedin_post_body("a" * 3000))).status_code == 201


async def test_duplicate_commentary_is_422_naming_the_first_post(client: httpx.AsyncClient) -> None:
    first = await create_post(client, linkedin_post_body("Same words"))
    second = await create_post(client, linkedin_post_body("Same words"))
    assert second.status_code == 422
    body = second.json()
    assert body["message"].endswith(f"Content is a duplicate of {first.headers['x-restli-id']}")
    assert body["errorDetails"]["inputErrors"][0]["code"] == "DUPLICATE_POST"
    other_author = await create_post(
        client, linkedin_post_body("Same words", author="urn:li:organization:42")
    )
    assert other_author.status_code == 201


async def test_duplicate_window_expires(client: httpx.AsyncClient) -> None:
    await create_post(client, linkedin_post_body("Again later"))
    await client.post("/_emulator/clock", json={"advance_s": 86_401})
    assert (await create_post(client, linkedin_post_body("Again later"))).status_code == 201


async def test_unescaped_reserved_character_silently_truncates(client: httpx.AsyncClient) -> None:
    response = await create_post(client, linkedin_post_body("Launch (beta) today"))
    assert response.status_code == 201
    [post] = await created(client, "linkedin")
    assert post["text"] == "Launch "
    assert post["raw_text"] == "Launch (beta) today"
    assert post["extra"]["truncated"] is True


async def test_escaped_text_mentions_and_hashtags_survive(client: httpx.AsyncClient) -> None:
    commentary = r"Launch \(beta\) with @[Herald](urn:li:organization:1) #news"
    await create_post(client, linkedin_post_body(commentary))
    [post] = await created(client, "linkedin")
    assert post["text"] == "Launch (beta) with Herald #news"
    assert post["extra"]["truncated"] is False


@pytest.mark.parametrize(
    ("headers", "status", "code"),
    [
        ({"LinkedIn-Version": "20240401"}, 426, "NONEXISTENT_VERSION"),
        ({"LinkedIn-Version": "202301"}, 426, "NONEXISTENT_VERSION"),
        ({"LinkedIn-Version": ""}, 400, "VERSION_MISSING"),
    ],
)
async def test_version_header(
    client: httpx.AsyncClient, headers: dict[str, str], status: int, code: str
) -> None:
    merged = {key: value for key, value in {**LINKEDIN_HEADERS, **headers}.items() if value}
    response = await create_post(client, linkedin_post_body("versioned"), merged)
    assert response.status_code == status
    assert response.json()["code"] == code


async def test_expired_version_body_matches_the_real_one(client: httpx.AsyncClient) -> None:
    response = await create_post(
        client, linkedin_post_body("x"), {**LINKEDIN_HEADERS, "LinkedIn-Version": "20240401"}
    )
    assert response.json() == {
        "status": 426,
        "code": "NONEXISTENT_VERSION",
        "message": "Requested version 20240401 is not active",
    }


async def test_active_versions_are_configurable(client: httpx.AsyncClient) -> None:
    await client.post("/_emulator/config", json={"linkedin": {"active_versions": ["202401"]}})
    ok = await create_post(
        client, linkedin_post_body("a"), {**LINKEDIN_HEADERS, "LinkedIn-Version": "202401"}
    )
    assert ok.status_code == 201
    assert (await create_post(client, linkedin_post_body("b"))).status_code == 426


async def test_restli_protocol_header_is_required(client: httpx.AsyncClient) -> None:
    headers = {key: value for key, value in LINKEDIN_HEADERS.items() if key != "X-Restli-Protocol-Version"}
    assert (await create_post(client, linkedin_post_body("x"), headers)).status_code == 400


@pytest.mark.parametrize(
    ("authorization", "service_code"),
    [(None, 65604), ("Bearer not-a-token", 65600)],
)
async def test_token_errors(client: httpx.AsyncClient, authorization: str | None, service_code: int) -> None:
    headers = {key: value for key, value in LINKEDIN_HEADERS.items() if key != "Authorization"}
    if authorization:
        headers["Authorization"] = authorization
    response = await create_post(client, linkedin_post_body("x"), headers)
    assert response.status_code == 401
    assert response.json()["serviceErrorCode"] == service_code


async def test_daily_post_limit_is_429_without_headers(client: httpx.AsyncClient) -> None:
    await client.post("/_emulator/config", json={"linkedin": {"daily_posts_per_member": 2}})
    for index in range(2):
        assert (await create_post(client, linkedin_post_body(f"post {index}"))).status_code == 201
    response = await create_post(client, linkedin_post_body("one too many"))
    assert response.status_code == 429
    assert response.json() == {
        "status": 429,
        "message": "Resource level throttle limit for calls to this resource is reached.",
        "serviceErrorCode": 101,
    }
    assert not any(name.lower().startswith(("x-rate", "retry-after")) for name in response.headers)


async def test_daily_limit_resets_at_midnight_utc(client: httpx.AsyncClient) -> None:
    await client.post("/_emulator/config", json={"linkedin": {"daily_posts_per_member": 1}})
    await create_post(client, linkedin_post_body("today"))
    assert (await create_post(client, linkedin_post_body("still today"))).status_code == 429
    await client.post("/_emulator/clock", json={"advance_s": 86_400})
    assert (await create_post(client, linkedin_post_body("tomorrow"))).status_code == 201


async def test_rate_limits_can_be_switched_off(client: httpx.AsyncClient) -> None:
    await client.post(
        "/_emulator/config", json={"rate_limits_enabled": False, "linkedin": {"daily_posts_per_member": 1}}
    )
    for index in range(3):
        assert (await create_post(client, linkedin_post_body(f"bench {index}"))).status_code == 201


async def test_find_posts_by_author_lists_newest_first(client: httpx.AsyncClient) -> None:
    urns = []
    for index in range(3):
        response = await create_post(client, linkedin_post_body(f"post number {index}"))
        urns.append(response.headers["x-restli-id"])
    await create_post(client, linkedin_post_body("someone else", author="urn:li:organization:9"))
    params = {"q": "author", "author": "urn:li:person:demo", "count": "2"}
    response = await client.get("/rest/posts", params=params, headers=LINKEDIN_HEADERS)
    assert response.status_code == 200
    body = response.json()
    assert [element["id"] for element in body["elements"]] == [urns[2], urns[1]]
    assert body["elements"][0]["commentary"] == "post number 2"
    assert body["paging"]["total"] == 3


async def test_get_and_delete_a_post(client: httpx.AsyncClient) -> None:
    urn = (await create_post(client, linkedin_post_body("to delete"))).headers["x-restli-id"]
    fetched = await client.get(f"/rest/posts/{urn}", headers=LINKEDIN_HEADERS)
    assert fetched.json()["id"] == urn
    assert (await client.delete(f"/rest/posts/{urn}", headers=LINKEDIN_HEADERS)).status_code == 204
    assert (await client.get(f"/rest/posts/{urn}", headers=LINKEDIN_HEADERS)).status_code == 404
    # The duplicate cache still remembers the deleted "ghost", as the real API does.
    again = await create_post(client, linkedin_post_body("to delete"))
    assert again.status_code == 422
    assert urn in again.json()["message"]

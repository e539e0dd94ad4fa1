from urllib.parse import parse_qs, urlsplit

import httpx

from herald_emulator.testing import LINKEDIN_HEADERS, linkedin_post_body

REDIRECT = "https://herald.test/callback/linkedin"


async def authorize(client: httpx.AsyncClient, scope: str = "openid profile w_member_social") -> str:
    response = await client.get(
        "/oauth/v2/authorization",
        params={
            "response_type": "code",
            "client_id": "herald",
            "redirect_uri": REDIRECT,
            "scope": scope,
            "state": "xyz",
            "emulator_member": "alice",
        },
    )
    assert response.status_code == 302
    location = urlsplit(response.headers["location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == REDIRECT
    query = parse_qs(location.query)
    assert query["state"] == ["xyz"]
    return query["code"][0]


async def exchange(client: httpx.AsyncClient, code: str) -> httpx.Response:
    return await client.post(
        "/oauth/v2/accessToken",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "client_id": "herald",
            "client_secret": "s3cret",
            "redirect_uri": REDIRECT,
        },
    )


async def test_code_exchange_userinfo_and_posting(client: httpx.AsyncClient) -> None:
    tokens = (await exchange(client, await authorize(client))).json()
    assert tokens["expires_in"] == 60 * 86_400
    assert tokens["refresh_token_expires_in"] == 365 * 86_400
    bearer = {"Authorization": f"Bearer {tokens['access_token']}"}
    me = await client.get("/v2/userinfo", headers=bearer)
    assert me.json()["sub"] == "alice"
    headers = {**LINKEDIN_HEADERS, **bearer}
    own = await client.post(
        "/rest/posts", json=linkedin_post_body("mine", "urn:li:person:alice"), headers=headers
    )
    assert own.status_code == 201
    other = await client.post(
        "/rest/posts", json=linkedin_post_body("theirs", "urn:li:person:bob"), headers=headers
    )
    assert other.status_code == 403
    assert other.json()["code"] == "ACCESS_DENIED"


async def test_code_is_single_use_and_redirect_must_match(client: httpx.AsyncClient) -> None:
    code = await authorize(client)
    assert (await exchange(client, code)).status_code == 200
    reused = await exchange(client, code)
    assert reused.status_code == 400
    assert reused.json()["error"] == "invalid_request"


async def test_refresh_keeps_the_refresh_token_expiry(client: httpx.AsyncClient) -> None:
    tokens = (await exchange(client, await authorize(client))).json()
    await client.post("/_emulator/clock", json={"advance_s": 59 * 86_400})
    refreshed = await client.post(
        "/oauth/v2/accessToken",
        data={
            "grant_type": "refresh_token",
            "refresh_token": tokens["refresh_token"],
            "client_id": "herald",
            "client_secret": "s3cret",
        },
    )
    body = refreshed.json()
    assert body["expires_in"] == 60 * 86_400
    assert body["refresh_token_expires_in"] == 306 * 86_400


async def test_expired_access_token_gives_65602(client: httpx.AsyncClient) -> None:
    tokens = (await exchange(client, await authorize(client))).json()
    await client.post("/_emulator/clock", json={"advance_s": 61 * 86_400})
    response = await client.get("/v2/userinfo", headers={"Authorization": f"Bearer {tokens['access_token']}"})
    assert response.status_code == 401
    assert response.json() == {
        "status": 401,
        "message": "The token used in the request has expired",
        "serviceErrorCode": 65602,
        "code": "EXPIRED_ACCESS_TOKEN",
    }


async def test_introspection(client: httpx.AsyncClient) -> None:
    tokens = (await exchange(client, await authorize(client))).json()
    fields = {"token": tokens["access_token"], "client_id": "herald", "client_secret": "s3cret"}
    active = (await client.post("/oauth/v2/introspectToken", data=fields)).json()
    assert active["active"] is True
    assert active["auth_type"] == "3L"
    assert (await client.post("/oauth/v2/introspectToken", data={**fields, "token": "nope"})).json() == {
        "active": False
    }

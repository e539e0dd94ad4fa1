import base64
import hashlib
from urllib.parse import parse_qs, urlsplit

import httpx

REDIRECT = "https://herald.test/callback/x"
VERIFIER = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
CHALLENGE = base64.urlsafe_b64encode(hashlib.sha256(VERIFIER.encode()).digest()).rstrip(b"=").decode()
SCOPE = "tweet.read tweet.write users.read offline.access"


async def authorize(client: httpx.AsyncClient, scope: str = SCOPE) -> str:
    response = await client.get(
        "/i/oauth2/authorize",
        params={
            "response_type": "code",
            "client_id": "herald-x",
            "redirect_uri": REDIRECT,
            "scope": scope,
            "state": "st",
            "code_challenge": CHALLENGE,
            "code_challenge_method": "S256",
        },
    )
    assert response.status_code == 302
    query = parse_qs(urlsplit(response.headers["location"]).query)
    assert query["state"] == ["st"]
    return query["code"][0]


async def exchange(
    client: httpx.AsyncClient, code: str, verifier: str = VERIFIER, **headers: str
) -> httpx.Response:
    return await client.post(
        "/2/oauth2/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT,
            "code_verifier": verifier,
            "client_id": "herald-x",
        },
        headers=headers,
    )


async def refresh(client: httpx.AsyncClient, refresh_token: str) -> httpx.Response:
    return await client.post(
        "/2/oauth2/token",
        data={"grant_type": "refresh_token", "refresh_token": refresh_token, "client_id": "herald-x"},
    )


async def test_pkce_flow_issues_two_hour_tokens_that_can_post(client: httpx.AsyncClient) -> None:
    response = await exchange(client, await authorize(client))
    assert response.status_code == 200
    tokens = response.json()
    assert tokens["token_type"] == "bearer"
    assert tokens["expires_in"] == 7200
    assert tokens["scope"] == SCOPE
    bearer = {"Authorization": f"Bearer {tokens['access_token']}"}
    assert (await client.post("/2/tweets", json={"text": "via oauth2"}, headers=bearer)).status_code == 201
    me = await client.get("/2/users/me", headers=bearer)
    assert me.json()["data"]["username"] == "herald_demo"
    await client.post("/_emulator/clock", json={"advance_s": 7201})
    expired = await client.post("/2/tweets", json={"text": "too late"}, headers=bearer)
    assert expired.status_code == 401
    assert expired.json()["title"] == "Unauthorized"


async def test_wrong_verifier_is_rejected(client: httpx.AsyncClient) -> None:
    response = await exchange(client, await authorize(client), verifier="wrong-verifier")
    assert response.status_code == 400
    assert response.json() == {
        "error": "invalid_request",
        "error_description": "Value passed for the authorization code was invalid.",
    }


async def test_no_refresh_token_without_offline_access(client: httpx.AsyncClient) -> None:
    tokens = (
        await exchange(client, await authorize(client, scope="tweet.read tweet.write users.read"))
    ).json()
    assert "refresh_token" not in tokens


async def test_refresh_tokens_are_single_use_and_reuse_revokes_the_family(client: httpx.AsyncClient) -> None:
    first = (await exchange(client, await authorize(client))).json()
    second = (await refresh(client, first["refresh_token"])).json()
    assert second["refresh_token"] != first["refresh_token"]
    reused = await refresh(client, first["refresh_token"])
    assert reused.status_code == 400
    assert reused.json()["error"] == "invalid_request"
    # The whole family is gone: the newest refresh token and its access token no longer work.
    assert (await refresh(client, second["refresh_token"])).status_code == 400
    bearer = {"Authorization": f"Bearer {second['access_token']}"}
    assert (await client.get("/2/users/me", headers=bearer)).status_code == 401


async def test_confidential_client_needs_basic_auth(client: httpx.AsyncClient) -> None:
    await client.post(
        "/_emulator/config", json={"twitter": {"oauth2_clients": {"herald-x": "client-secret"}}}
    )
    without = await exchange(client, await authorize(client))
    assert without.status_code == 401
    assert without.json()["error"] == "unauthorized_client"
    basic = base64.b64encode(b"herald-x:client-secret").decode()
    with_basic = await exchange(client, await authorize(client), Authorization=f"Basic {basic}")
    assert with_basic.status_code == 200
    wrong = base64.b64encode(b"herald-x:nope").decode()
    assert (
        await exchange(client, await authorize(client), Authorization=f"Basic {wrong}")
    ).status_code == 401


async def test_revoke(client: httpx.AsyncClient) -> None:
    tokens = (await exchange(client, await authorize(client))).json()
    await client.post("/2/oauth2/revoke", data={"token": tokens["access_token"], "client_id": "herald-x"})
    bearer = {"Authorization": f"Bearer {tokens['access_token']}"}
    assert (await client.get("/2/users/me", headers=bearer)).status_code == 401

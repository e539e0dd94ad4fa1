from urllib.parse import parse_qs, urlsplit

import httpx

from herald_emulator.testing import IG_USER_ID, PAGE_ID

REDIRECT = "https://herald.test/callback/meta"


async def user_token(client: httpx.AsyncClient) -> str:
    dialog = await client.get(
        "/v25.0/dialog/oauth",
        params={"client_id": "app", "redirect_uri": REDIRECT, "state": "s1", "scope": "pages_manage_posts"},
    )
    assert dialog.status_code == 302
    query = parse_qs(urlsplit(dialog.headers["location"]).query)
    assert query["state"] == ["s1"]
    exchange = await client.get(
        "/v25.0/oauth/access_token",
        params={
            "client_id": "app",
            "client_secret": "sec",
            "redirect_uri": REDIRECT,
            "code": query["code"][0],
        },
    )
    assert exchange.status_code == 200
    assert exchange.json()["token_type"] == "bearer"
    token: str = exchange.json()["access_token"]
    return token


async def test_login_long_lived_exchange_and_page_tokens(client: httpx.AsyncClient) -> None:
    short = await user_token(client)
    long_lived = await client.get(
        "/oauth/access_token",
        params={
            "grant_type": "fb_exchange_token",
            "client_id": "app",
            "client_secret": "sec",
            "fb_exchange_token": short,
        },
    )
    assert long_lived.json()["expires_in"] == 5_183_944
    token = long_lived.json()["access_token"]
    accounts = await client.get(
        "/v25.0/me/accounts",
        params={"fields": "id,name,access_token,instagram_business_account", "access_token": token},
    )
    [page] = accounts.json()["data"]
    assert page["id"] == PAGE_ID
    assert page["instagram_business_account"] == {"id": IG_USER_ID}
    post = await client.post(
        f"/{PAGE_ID}/feed", data={"message": "with page token", "access_token": page["access_token"]}
    )
    assert post.status_code == 200
    as_user = await client.post(
        f"/{PAGE_ID}/feed", data={"message": "with user token", "access_token": token}
    )
    assert as_user.json()["error"]["code"] == 200
    other_page = await client.post(
        "/999/feed", data={"message": "elsewhere", "access_token": page["access_token"]}
    )
    assert other_page.json()["error"]["code"] == 200


async def test_short_lived_user_token_expires_with_190_463(client: httpx.AsyncClient) -> None:
    token = await user_token(client)
    await client.post("/_emulator/clock", json={"advance_s": 7201})
    response = await client.get("/me/accounts", params={"access_token": token})
    error = response.json()["error"]
    assert (error["code"], error["error_subcode"], error["type"]) == (190, 463, "OAuthException")


async def test_code_reuse_and_redirect_mismatch(client: httpx.AsyncClient) -> None:
    dialog = await client.get("/dialog/oauth", params={"client_id": "app", "redirect_uri": REDIRECT})
    code = parse_qs(urlsplit(dialog.headers["location"]).query)["code"][0]
    params = {"client_id": "app", "client_secret": "sec", "redirect_uri": "https://evil.test/", "code": code}
    mismatch = await client.get("/oauth/access_token", params=params)
    assert mismatch.json()["error"]["error_subcode"] == 36008
    ok = await client.get("/oauth/access_token", params={**params, "redirect_uri": REDIRECT})
    assert ok.status_code == 200
    reused = await client.get("/oauth/access_token", params={**params, "redirect_uri": REDIRECT})
    assert reused.status_code == 400


async def test_me(client: httpx.AsyncClient) -> None:
    token = await user_token(client)
    assert (await client.get("/me", params={"access_token": token})).json() == {
        "id": "10000000000000001",
        "name": "Herald Demo",
    }

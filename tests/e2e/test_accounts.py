"""Connecting social accounts through OAuth (the emulator plays each platform's consent and token
endpoints), listing, disconnecting, tenant isolation, and tokens sealed at rest."""

from __future__ import annotations

import os
import subprocess
from urllib.parse import parse_qs, parse_qsl, urlsplit

import httpx
import pytest
from e2e_support import callback_quota_left, connect, created_on, wait_for_status

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize(
    ("platform", "expected"),
    [
        ("linkedin", {"linkedin"}),
        ("twitter", {"twitter"}),
        ("facebook", {"facebook", "instagram"}),
    ],
)
async def test_connect_list_and_disconnect(
    api: httpx.AsyncClient, stack: object, platform: str, expected: set[str]
) -> None:
    headers = {"Authorization": f"Bearer {stack.token(77)}"}  # type: ignore[attr-defined]  # a business of its own
    async with httpx.AsyncClient(base_url=api.base_url, headers=headers) as own:
        before = {a["id"] for a in (await own.get("/api/v2/accounts")).json()}
        response = await connect(own, platform)
        assert response.status_code == 200, response.text
        connected = response.json()["accounts"]
        assert {a["platform"] for a in connected} == expected
        assert all(a["business_id"] == 77 and a["status"] == "active" for a in connected)
        assert all("token" not in key for a in connected for key in a), "no token in answers"

        listed = (await own.get("/api/v2/accounts")).json()
        assert {a["id"] for a in connected} <= {a["id"] for a in listed}
        for account in connected:
            if account["id"] not in before:
                assert (await own.delete(f"/api/v2/accounts/{account['id']}")).status_code == 204
        remaining = {a["id"] for a in (await own.get("/api/v2/accounts")).json()}
        assert remaining == before


async def test_state_is_single_use_and_checked(stack: object) -> None:
    # A business of its own: connecting replaces that business's account, and business 1's demo
    # accounts are what the other tests publish with.
    headers = {"Authorization": f"Bearer {stack.token(78)}"}  # type: ignore[attr-defined]
    async with httpx.AsyncClient(base_url=stack.gateway, headers=headers) as api:  # type: ignore[attr-defined]
        await _single_use(api)


async def _single_use(api: httpx.AsyncClient) -> None:
    await callback_quota_left(str(api.base_url), needed=5)
    started = (await api.get("/api/oauth/twitter/authorize", params={"format": "json"})).json()
    async with httpx.AsyncClient() as browser:
        consent = await browser.get(started["authorization_url"])
    callback = urlsplit(consent.headers["location"])
    params = {k: v[0] for k, v in parse_qs(callback.query).items()}
    assert (await api.get(callback.path, params=params)).status_code == 200
    replay = await api.get(callback.path, params=params)
    assert replay.status_code == 422
    assert "already used" in replay.json()["detail"]
    forged = await api.get(callback.path, params={**params, "state": "made-up"})
    assert forged.status_code == 422
    wrong_platform = await api.get("/api/oauth/linkedin/callback", params=params)
    assert wrong_platform.status_code == 422


async def test_a_consent_link_sent_to_someone_else_connects_nothing(stack: object) -> None:
    """The attacker starts a consent for their business and sends the consent link to a victim,
    who is logged in at the platform: the callback reaches us from the victim's browser, without
    the attacker's browser cookie, and must not put the victim's tokens in the attacker's business."""
    attacker_headers = {"Authorization": f"Bearer {stack.token(91)}"}  # type: ignore[attr-defined]
    victim_headers = {"Authorization": f"Bearer {stack.token(92)}"}  # type: ignore[attr-defined]
    gateway = stack.gateway  # type: ignore[attr-defined]
    async with (
        httpx.AsyncClient(base_url=gateway, headers=attacker_headers) as attacker,
        httpx.AsyncClient(base_url=gateway, headers=victim_headers) as victim,
    ):
        await callback_quota_left(gateway, needed=4)
        started = await attacker.get("/api/oauth/twitter/authorize", params={"format": "json"})
        cookie = started.headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=lax" in cookie and "path=/api/oauth/" in cookie
        # The victim has a consent cookie of their own: it is not the one the state was bound to.
        await victim.get("/api/oauth/twitter/authorize", params={"format": "json"})
        async with httpx.AsyncClient() as platform_page:
            consent = await platform_page.get(started.json()["authorization_url"])
        callback = urlsplit(consent.headers["location"])
        params = {k: v[0] for k, v in parse_qs(callback.query).items()}

        hijack = await victim.get(callback.path, params=params)
        assert hijack.status_code == 403, hijack.text
        assert hijack.headers["content-type"].startswith("application/problem+json")
        assert (await attacker.get("/api/v2/accounts")).json() == []
        # The state is spent: the attacker cannot replay it from their own browser either.
        assert (await attacker.get(callback.path, params=params)).status_code == 422
        # Without any cookie at all, the same.
        restarted = await attacker.get("/api/oauth/twitter/authorize", params={"format": "json"})
        async with httpx.AsyncClient() as platform_page:
            consent = await platform_page.get(restarted.json()["authorization_url"])
        back = urlsplit(consent.headers["location"])
        async with httpx.AsyncClient(base_url=gateway) as cookieless:
            no_cookie = await cookieless.get(back.path, params=dict(parse_qsl(back.query)))
        assert no_cookie.status_code == 403
        assert (await attacker.get("/api/v2/accounts")).json() == []


async def test_authorize_redirects_to_the_platform_with_pkce(api: httpx.AsyncClient, stack: object) -> None:
    response = await api.get("/api/oauth/twitter/authorize", follow_redirects=False)
    assert response.status_code == 302
    query = parse_qs(urlsplit(response.headers["location"]).query)
    assert query["code_challenge_method"] == ["S256"]
    assert len(query["code_challenge"][0]) == 43
    assert query["redirect_uri"] == [f"{stack.gateway}/api/oauth/twitter/callback"]  # type: ignore[attr-defined]
    assert "offline.access" in query["scope"][0]


async def test_accounts_are_isolated_between_businesses(api: httpx.AsyncClient, stack: object) -> None:
    mine = (await api.get("/api/v2/accounts")).json()
    assert mine and {a["business_id"] for a in mine} == {1}
    other = {"Authorization": f"Bearer {stack.token(2)}"}  # type: ignore[attr-defined]
    async with httpx.AsyncClient(base_url=api.base_url, headers=other) as intruder:
        theirs = (await intruder.get("/api/v2/accounts")).json()
        assert {a["business_id"] for a in theirs} == {2}
        assert (await intruder.delete(f"/api/v2/accounts/{mine[0]['id']}")).status_code == 404
        assert (await intruder.get("/api/v2/accounts", params={"business_id": 1})).status_code == 404
        assert (
            await intruder.get("/api/oauth/twitter/authorize", params={"business_id": 1})
        ).status_code == 404
    assert len((await api.get("/api/v2/accounts")).json()) == len(mine)


async def test_api_keys_cannot_connect_accounts(api: httpx.AsyncClient) -> None:
    key = (await api.post("/api/v2/api-keys", json={"name": "no oauth"})).json()["key"]
    async with httpx.AsyncClient(base_url=api.base_url, headers={"X-API-Key": key}) as script:
        assert (await script.get("/api/oauth/twitter/authorize")).status_code == 403
        assert (await script.get("/api/v2/accounts")).status_code == 200


def test_a_database_dump_holds_no_plaintext_token() -> None:
    """The demo accounts' tokens are known strings: none may appear in a dump of the database."""
    port = os.environ.get("HERALD_PG_PORT", "15432")
    dump = subprocess.run(
        [
            "/usr/lib/postgresql/15/bin/pg_dump",
            "-h",
            "127.0.0.1",
            "-p",
            port,
            "-U",
            "postgres",
            "--data-only",
            "herald",
        ],
        capture_output=True,
        check=True,
    ).stdout
    assert b"connected_accounts" in dump and b"urn:li:person:demo" in dump, "the accounts are in the dump"
    for token in (b"dev-linkedin", b"dev-x", b"dev-meta-page"):
        assert token not in dump, token


async def test_an_expired_x_token_is_refreshed_and_the_post_goes_out(
    stack: object, emulator: httpx.AsyncClient
) -> None:
    """An account connected through OAuth has a refresh token: when X rejects the access token, the
    publisher refreshes it (X rotates single-use refresh tokens) and publishes with the new one."""
    headers = {"Authorization": f"Bearer {stack.token(79)}"}  # type: ignore[attr-defined]
    async with httpx.AsyncClient(base_url=stack.gateway, headers=headers) as own:  # type: ignore[attr-defined]
        assert (await connect(own, "twitter")).status_code == 200
        await emulator.post(
            "/_emulator/faults",
            json={"platform": "twitter", "kind": "expired_token", "endpoint": "create_tweet"},
        )
        created = await own.post(
            "/api/v2/publish", json={"content": "refreshed on the fly", "platforms": ["twitter"]}
        )
        post = await wait_for_status(own, created.json()["id"], timeout=30)
        assert post["status"] == "published", post
        assert [t["text"] for t in await created_on(emulator, "twitter")] == ["refreshed on the fly"]
        (account,) = [a for a in (await own.get("/api/v2/accounts")).json() if a["platform"] == "twitter"]
        assert account["status"] == "active"

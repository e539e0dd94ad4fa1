"""Authorize links through the gateway in process (real PostgreSQL and Redis): minted with a
bearer, opened without one, once; refusals are 401 problems naming the failed check."""

from __future__ import annotations

import base64
import os
from collections.abc import AsyncIterator, Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from herald_gateway.accounts import link_token
from herald_gateway.accounts.browser_binding import COOKIE

KEYRING = f"k1:{base64.b64encode(os.urandom(32)).decode()}"
PUBLIC = "https://herald.example.com"


@pytest.fixture
async def api(gateway_factory: Callable[..., Any]) -> AsyncIterator[httpx.AsyncClient]:
    async with gateway_factory(
        token_encryption_keys=KEYRING,
        oauth_redirect_base_url=PUBLIC,
        linkedin_client_id="herald-test",
        twitter_client_id="herald-test",
    ) as client:
        yield client


async def mint(
    api: httpx.AsyncClient, token: str, platform: str = "linkedin", **params: Any
) -> httpx.Response:
    return await api.post(
        f"/api/oauth/{platform}/links", params=params, headers={"Authorization": f"Bearer {token}"}
    )


def local(url: str) -> str:
    """The link's path and query (the app runs in process, not at its public address)."""
    assert url.startswith(f"{PUBLIC}/"), url
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


async def test_a_link_opens_the_consent_once_without_a_bearer(
    api: httpx.AsyncClient, token_for: Callable[..., str]
) -> None:
    minted = await mint(api, token_for(businesses=(5,)))
    assert minted.status_code == 201, minted.text
    body = minted.json()
    assert body["expires_in"] == 120
    assert urlsplit(body["url"]).path == "/api/oauth/linkedin/authorize"

    opened = await api.get(local(body["url"]))  # no Authorization header
    assert opened.status_code == 302, opened.text
    consent = urlsplit(opened.headers["location"])
    assert consent.netloc == "www.linkedin.com"
    assert parse_qs(consent.query)["state"], "a consent was started"
    assert COOKIE in opened.headers["set-cookie"], "the callback's browser binding is set"

    again = await api.get(local(body["url"]))
    assert again.status_code == 401
    assert again.headers["content-type"] == "application/problem+json"
    assert again.json()["type"].endswith("/link-used")


async def test_refusals_say_which_check_failed(api: httpx.AsyncClient, token_for: Callable[..., str]) -> None:
    url = local((await mint(api, token_for())).json()["url"])
    other_platform = await api.get(url.replace("/linkedin/", "/twitter/"))
    assert other_platform.status_code == 401
    assert other_platform.json()["type"].endswith("/link-other-platform")

    path, _, query = url.partition("?link=")
    payload, signature = query.split(".")
    flipped = ("B" if signature[0] != "B" else "C") + signature[1:]
    tampered = await api.get(f"{path}?link={payload}.{flipped}")
    assert tampered.status_code == 401
    assert tampered.json()["type"].endswith("/link-invalid")

    past = link_token.new_claims("linkedin", 1, "user-1", now=0, ttl=120)
    expired = await api.get(f"{path}?link={link_token.sign(link_token.derive_key(KEYRING), past)}")
    assert expired.status_code == 401
    assert expired.json()["type"].endswith("/link-expired")
    assert expired.headers["www-authenticate"].startswith("Bearer")

    # None of these used the link up: it still opens once.
    assert (await api.get(url)).status_code == 302


async def test_with_a_bearer_the_link_is_not_read(
    api: httpx.AsyncClient, token_for: Callable[..., str]
) -> None:
    url = local((await mint(api, token_for())).json()["url"])
    headers = {"Authorization": f"Bearer {token_for()}"}
    forged = url[:-2] + ("AA" if not url.endswith("AA") else "BB")
    assert (await api.get(forged, headers=headers)).status_code == 302
    assert (await api.get(url)).status_code == 302, "the bearer call did not use the link up"
    assert (await api.get("/api/oauth/linkedin/authorize?link=not-a-link")).status_code == 422


async def test_no_link_for_another_business(api: httpx.AsyncClient, token_for: Callable[..., str]) -> None:
    refused = await mint(api, token_for(businesses=(5,)), business_id=6)
    assert refused.status_code == 404
    assert refused.headers["content-type"] == "application/problem+json"
    assert (await api.post("/api/oauth/linkedin/links")).status_code == 401


async def test_a_link_acts_for_its_own_business_only(
    api: httpx.AsyncClient, token_for: Callable[..., str]
) -> None:
    url = local((await mint(api, token_for(businesses=(5, 6)), business_id=6)).json()["url"])
    assert (await api.get(f"{url}&business_id=5")).status_code == 404  # not widened by the query


async def test_without_token_keys_there_are_no_links(
    gateway_factory: Callable[..., Any], token_for: Callable[..., str]
) -> None:
    async with gateway_factory() as api:
        assert (await mint(api, token_for())).status_code == 503
        assert (await api.get("/api/oauth/linkedin/authorize?link=a.b")).status_code == 422


async def test_api_keys_mint_no_links(api: httpx.AsyncClient, token_for: Callable[..., str]) -> None:
    created = await api.post(
        "/api/v2/api-keys", json={"name": "script"}, headers={"Authorization": f"Bearer {token_for()}"}
    )
    assert created.status_code == 201, created.text
    key = {"X-API-Key": created.json()["key"]}
    assert (await api.post("/api/oauth/linkedin/links", headers=key)).status_code == 403
    url = local((await mint(api, token_for())).json()["url"])
    assert (await api.get(url, headers=key)).status_code == 403, "a key with a link is still a key"
    assert (await api.get(url)).status_code == 302

"""A browser with no bearer connects an account through a signed authorize link (as a previous-
system frontend's `window.location.href` does): minted with the bearer, opened once, through the
emulator's consent and back to the callback, which still checks the browser binding."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from e2e_support import callback_quota_left

from herald_gateway.accounts import link_token

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
STATE = Path(os.environ.get("HERALD_STATE_DIR", ROOT / ".herald" / "dev"))
BUSINESS = 79  # a business of its own: connecting replaces only its accounts
PROBLEM = "application/problem+json"


@pytest.fixture
async def own(stack: object) -> AsyncIterator[httpx.AsyncClient]:
    headers = {"Authorization": f"Bearer {stack.token(BUSINESS)}"}  # type: ignore[attr-defined]
    async with httpx.AsyncClient(base_url=stack.gateway, headers=headers, timeout=15) as client:  # type: ignore[attr-defined]
        yield client


async def mint(api: httpx.AsyncClient, platform: str, **params: object) -> str:
    minted = await api.post(f"/api/oauth/{platform}/links", params=params)
    assert minted.status_code == 201, minted.text
    assert 0 < minted.json()["expires_in"] <= 120
    url: str = minted.json()["url"]
    assert url.startswith(f"{str(api.base_url).rstrip('/')}/api/oauth/{platform}/authorize?link="), url
    return url


async def browse(browser: httpx.AsyncClient, url: str) -> list[httpx.Response]:
    """What a browser does: follow each redirect, sending the cookies it was given."""
    answers = [await browser.get(url)]
    while answers[-1].status_code in (302, 303) and len(answers) < 5:
        location = answers[-1].headers["location"]
        if location.startswith("/app/"):  # the dashboard's page, not part of the flow
            break
        answers.append(await browser.get(location))
    return answers


def refusal(response: httpx.Response) -> str:
    assert response.status_code == 401, response.text
    assert response.headers["content-type"] == PROBLEM
    return str(response.json()["type"]).rsplit("/", 1)[-1]


async def test_a_link_opened_without_a_bearer_connects_the_account(own: httpx.AsyncClient) -> None:
    await callback_quota_left(str(own.base_url))
    url = await mint(own, "twitter")
    async with httpx.AsyncClient(headers={"Accept": "text/html"}, timeout=15) as browser:
        authorize, consent, callback = await browse(browser, url)
        assert authorize.status_code == 302, authorize.text
        assert "herald_oauth_browser" in authorize.headers["set-cookie"]
        assert consent.status_code in (302, 303), consent.text
        assert urlsplit(consent.headers["location"]).path == "/api/oauth/twitter/callback"
        assert callback.status_code == 302, callback.text
        assert callback.headers["location"].endswith("?connected=twitter")

        connected = (await own.get("/api/v2/accounts")).json()
        assert [a["business_id"] for a in connected if a["platform"] == "twitter"] == [BUSINESS]

        assert refusal(await browser.get(url)) == "link-used"


async def test_a_callback_from_another_browser_is_still_refused(own: httpx.AsyncClient) -> None:
    await callback_quota_left(str(own.base_url))
    url = await mint(own, "linkedin")
    async with httpx.AsyncClient(timeout=15) as victim, httpx.AsyncClient(timeout=15) as other:
        authorize = await victim.get(url)
        consent = await victim.get(authorize.headers["location"])
        callback = await other.get(consent.headers["location"])  # no binding cookie
        assert callback.status_code == 403, callback.text


async def test_tampered_expired_and_other_platform_links_are_refused(own: httpx.AsyncClient) -> None:
    url = await mint(own, "linkedin")
    path, _, token = url.partition("?link=")
    payload, signature = token.split(".")
    async with httpx.AsyncClient(timeout=15) as browser:
        assert refusal(await browser.get(url.replace("/linkedin/", "/facebook/"))) == "link-other-platform"
        edited = payload[:-1] + ("A" if payload[-1] != "A" else "B")
        assert refusal(await browser.get(f"{path}?link={edited}.{signature}")) == "link-invalid"

        key = link_token.derive_key((STATE / "auth" / "token-encryption-keys").read_text().strip())
        past = link_token.new_claims("linkedin", BUSINESS, "demo-user", now=1_000_000_000, ttl=120)
        assert refusal(await browser.get(f"{path}?link={link_token.sign(key, past)}")) == "link-expired"

        assert (await browser.get(url)).status_code == 302, "refusals did not use the link up"


async def test_no_link_is_minted_for_another_business(own: httpx.AsyncClient, stack: object) -> None:
    refused = await own.post("/api/oauth/linkedin/links", params={"business_id": BUSINESS + 1})
    assert refused.status_code == 404
    assert refused.headers["content-type"] == PROBLEM
    async with httpx.AsyncClient(base_url=stack.gateway, timeout=15) as anonymous:  # type: ignore[attr-defined]
        assert (await anonymous.post("/api/oauth/linkedin/links")).status_code == 401
        assert (await anonymous.get("/api/oauth/linkedin/authorize")).status_code == 401

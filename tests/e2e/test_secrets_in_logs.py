"""No credential reaches a log line or a span: OAuth connect (Meta's fb_exchange_token and
client_secret travel in query strings), one through a signed authorize link (the link is a query
parameter), a token refresh, and a Meta publish (the Page token is a query parameter), then every
log and span file of the stack is searched for them."""

from __future__ import annotations

import asyncio
import os
import re
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest
from e2e_support import wait_for_status

pytestmark = pytest.mark.e2e

STATE = Path(os.environ.get("HERALD_STATE_DIR", Path(__file__).resolve().parents[2] / ".herald" / "dev"))
TRACE_DIR = os.environ.get("HERALD_TRACE_DIR")
# What the emulator issues: LinkedIn AQ…, Meta EAA…, X bare; V for access, X for refresh tokens.
ISSUED_TOKEN = re.compile(rb"(?<![A-Za-z0-9_-])(?:AQ|EAA)?[VX][A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])")
AUTHORIZATION_CODE = re.compile(
    rb"(?<![A-Za-z0-9_-])(?:AQT[A-Za-z0-9_-]{32}|[A-Za-z0-9_-]{64})(?![A-Za-z0-9_-])"
)
KNOWN_SECRETS = [b"herald-dev-secret", b"dev-linkedin-", b"dev-x-", b"dev-meta-page"]


async def connect(client: httpx.AsyncClient, platform: str) -> None:
    started = await client.get(f"/api/oauth/{platform}/authorize", params={"format": "json"})
    async with httpx.AsyncClient() as browser:
        consent = await browser.get(started.json()["authorization_url"])
    back = urlsplit(consent.headers["location"])
    connected = await client.get(back.path, params=dict(parse_qsl(back.query)))
    assert connected.status_code == 200, connected.text


async def open_link(client: httpx.AsyncClient, platform: str) -> bytes:
    """Mint an authorize link and open it without a bearer, as a browser would; its signature."""
    url = (await client.post(f"/api/oauth/{platform}/links")).json()["url"]
    async with httpx.AsyncClient() as browser:
        assert (await browser.get(url)).status_code == 302
    return str(url).rsplit(".", 1)[-1].encode()


def leaks(data: bytes, minted: tuple[bytes, ...] = ()) -> list[bytes]:
    found = [secret for secret in (*KNOWN_SECRETS, *minted) if secret in data]
    return found + ISSUED_TOKEN.findall(data) + AUTHORIZATION_CODE.findall(data)


@pytest.mark.skipif(not TRACE_DIR, reason="HERALD_TRACE_DIR is not set: the stack writes no spans")
async def test_no_secret_in_any_log_or_span(stack: object, emulator: httpx.AsyncClient) -> None:
    already_written = {path: path.stat().st_size for path in herald_files()}  # earlier runs' lines
    headers = {"Authorization": f"Bearer {stack.token(93)}"}  # type: ignore[attr-defined]
    async with httpx.AsyncClient(base_url=stack.gateway, headers=headers) as own:  # type: ignore[attr-defined]
        await connect(own, "facebook")
        await connect(own, "twitter")
        link_signature = await open_link(own, "linkedin")
        await emulator.post(
            "/_emulator/faults",
            json={"platform": "twitter", "kind": "expired_token", "endpoint": "create_tweet"},
        )
        created = await own.post(
            "/api/v2/publish", json={"content": "nothing secret here", "platforms": ["twitter", "facebook"]}
        )
        post = await wait_for_status(own, created.json()["id"], timeout=30)
        assert post["status"] == "published", post

    for _ in range(50):  # each process writes its spans every 200 ms: wait for both publishers'
        if spans_written(post["id"], "publisher-meta", "publisher-twitter"):
            break
        await asyncio.sleep(0.2)
    else:
        raise AssertionError("the publishers' spans of the post were never written: nothing to search")
    found = {
        path.name: leaks(written_since(path, already_written.get(path, 0)), (link_signature,))
        for path in herald_files()
    }
    assert "api-gateway.log" in found and "publisher-meta.jsonl" in found, sorted(found)
    assert not any(found.values()), {name: hits[:3] for name, hits in found.items() if hits}


def herald_files() -> list[Path]:
    """Our services' logs and spans (the emulator, Kafka and PostgreSQL are not ours)."""
    ours = ("api-gateway", "scheduler", "publisher-")
    files = [*STATE.joinpath("logs").glob("*.log"), *Path(str(TRACE_DIR)).glob("*.jsonl")]
    return [path for path in files if path.name.startswith(ours)]


def written_since(path: Path, offset: int) -> bytes:
    with path.open("rb") as file:
        file.seek(offset)
        return file.read()


def spans_written(post_id: str, *services: str) -> bool:
    paths = [Path(str(TRACE_DIR)) / f"{service}.jsonl" for service in services]
    return all(path.exists() and post_id.encode() in path.read_bytes() for path in paths)

"""One signed HTTP request to an endpoint, through the SSRF guard. Never follows redirects: only a
2xx answer counts as delivered."""

from __future__ import annotations

import time
from dataclasses import dataclass

import httpx

from herald_common.netguard import BlockedUrl
from herald_common.webhooks.signing import signature_header
from herald_common.webhooks.urls import resolve_target

USER_AGENT = "Herald-Webhooks/1"


@dataclass(frozen=True)
class Outcome:
    ok: bool
    status_code: int | None
    latency_ms: int
    error: str | None


async def send(
    http: httpx.AsyncClient,
    *,
    url: str,
    message_id: str,
    body: str,
    secrets: list[str],
    timeout: float,
    allow_loopback: bool,
) -> Outcome:
    started = time.perf_counter()

    def elapsed() -> int:
        return round((time.perf_counter() - started) * 1000)

    try:
        target = await resolve_target(url, allow_loopback=allow_loopback)
    except BlockedUrl as exc:
        return Outcome(False, None, elapsed(), f"refused: {exc}")
    timestamp = int(time.time())
    headers = {
        "content-type": "application/json",
        "user-agent": USER_AGENT,
        "host": httpx.URL(url).netloc.decode(),
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature_header(secrets, message_id, timestamp, body),
    }
    extensions = {"sni_hostname": target.host} if target.url.scheme == "https" else {}
    request = http.build_request(
        "POST", target.url, content=body.encode(), headers=headers, extensions=extensions, timeout=timeout
    )
    try:
        response = await http.send(request, stream=True, follow_redirects=False)
        await response.aclose()  # the answer's body is not needed
    except httpx.TimeoutException:
        return Outcome(False, None, elapsed(), f"timed out after {timeout:g} s")
    except httpx.HTTPError as exc:
        return Outcome(False, None, elapsed(), f"connection failed: {type(exc).__name__}")
    if 200 <= response.status_code < 300:
        return Outcome(True, response.status_code, elapsed(), None)
    return Outcome(False, response.status_code, elapsed(), f"HTTP {response.status_code}")

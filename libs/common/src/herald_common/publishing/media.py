"""Media given by URL: fetched once by the publisher, typed from its bytes, checked against the
platform's media rules (herald_common.text) before any upload starts.

Instagram and Facebook fetch URLs themselves; for them only `check_urls` applies.

Bounded before and during the download: the count is checked before the first byte is fetched,
a declared Content-Length over the cap is refused unread, the body is streamed and cut at the
cap, and each file has a total deadline (a server dripping a byte per second cannot hold a
publisher longer than that, whatever its per-read pace).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx

from herald_common.netguard import BlockedUrl, guarded_stream
from herald_common.platforms import Platform
from herald_common.publishing.metrics import PLATFORM_CALLS
from herald_common.publishing.outcomes import PermanentError, RetryableError
from herald_common.text import MediaItem, check_media, rules_for

# Most media a post may carry on a platform without a documented limit (the API's own cap).
MAX_MEDIA_URLS = 10


@dataclass(frozen=True)
class FetchedMedia:
    url: str
    data: bytes
    mime_type: str

    @property
    def size(self) -> int:
        return len(self.data)


def sniff_mime_type(data: bytes) -> str | None:
    """The media type the bytes say they are (the URL's extension and the server's header lie)."""
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data[4:8] == b"ftyp":
        return "video/quicktime" if data[8:10] == b"qt" else "video/mp4"
    if data.startswith(b"BM"):
        return "image/bmp"
    if data[:4] in (b"II*\x00", b"MM\x00*"):
        return "image/tiff"
    return None


def check_urls(platform: Platform, urls: Sequence[str]) -> None:
    """Only http(s) URLs are fetched (by us or by the platform)."""
    for url in urls:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise PermanentError(
                f"{platform.value}: media URL {url[:200]!r} is not an http(s) URL", code="media_url_invalid"
            )


async def fetch_media(
    http: httpx.AsyncClient,
    url: str,
    *,
    platform: Platform,
    max_bytes: int,
    timeout: float,
    allow: Collection[str] = (),
) -> FetchedMedia:
    """Download one media URL, at most `max_bytes`, within `timeout` seconds in total.

    Only public addresses are fetched (herald_common.netguard: loopback, private, link-local and
    metadata targets are refused, also after redirects and DNS changes); `allow` lists host:port
    pairs exempted for tests and the local emulator.
    """
    check_urls(platform, [url])
    start = time.perf_counter()
    outcome = "error"
    try:
        async with asyncio.timeout(timeout):
            data, outcome = await _download(http, url, max_bytes=max_bytes, timeout=timeout, allow=allow)
    except TimeoutError:
        outcome = "timeout"
        raise RetryableError(
            f"media URL {url[:200]} did not arrive within {timeout:g} s", code="media_unavailable"
        ) from None
    except httpx.TransportError as exc:
        raise RetryableError(
            f"media URL {url[:200]} could not be fetched: {type(exc).__name__}", code="media_unavailable"
        ) from exc
    except BlockedUrl as exc:
        raise PermanentError(f"media URL refused: {exc}", code="media_url_blocked") from None
    finally:
        PLATFORM_CALLS.labels(platform.value, "fetch_media", outcome).observe(time.perf_counter() - start)
    data_bytes = bytes(data)
    mime = sniff_mime_type(data_bytes)
    if mime is None:
        raise PermanentError(
            f"media {url[:200]} is not an image or video we recognise (checked its bytes)",
            code="media_type_not_allowed",
        )
    return FetchedMedia(url, data_bytes, mime)


async def _download(
    http: httpx.AsyncClient, url: str, *, max_bytes: int, timeout: float, allow: Collection[str]
) -> tuple[bytearray, str]:
    """The body, streamed and cut at `max_bytes`, and the status class for the metrics."""
    async with guarded_stream(http, url, allow=allow, timeout=timeout) as response:
        outcome = f"{response.status_code // 100}xx"
        if response.status_code >= 500 or response.status_code == 429:
            raise RetryableError(
                f"media URL {url[:200]} answered {response.status_code}", code="media_unavailable"
            )
        if response.status_code >= 400:
            raise PermanentError(
                f"media URL {url[:200]} answered {response.status_code}; it must be publicly reachable",
                code="media_unavailable",
            )
        declared = response.headers.get("content-length", "")
        too_large = PermanentError(
            f"media {url[:200]} is larger than the {max_bytes} bytes we fetch", code="media_too_large"
        )
        if declared.isdigit() and int(declared) > max_bytes:
            raise too_large
        data = bytearray()
        async for chunk in response.aiter_bytes():
            data += chunk
            if len(data) > max_bytes:
                raise too_large
        return data, outcome


def check_media_count(platform: Platform, urls: Sequence[str]) -> None:
    """Before anything is fetched: no more media than the platform takes, and never over MAX_MEDIA_URLS."""
    limit = min(rules_for(platform).media.max_count or MAX_MEDIA_URLS, MAX_MEDIA_URLS)
    if len(urls) > limit:
        raise PermanentError(
            f"{platform.value}: {len(urls)} media attached; at most {limit} are allowed",
            code="too_many_media",
        )


async def fetch_all(
    http: httpx.AsyncClient,
    platform: Platform,
    urls: Sequence[str],
    *,
    max_bytes: int,
    timeout: float,
    allow: Collection[str] = (),
) -> list[FetchedMedia]:
    """Every URL fetched and the set checked against the platform's media rules; a rule broken is
    a permanent failure whose reason names the rule."""
    check_media_count(platform, urls)
    fetched = [
        await fetch_media(http, url, platform=platform, max_bytes=max_bytes, timeout=timeout, allow=allow)
        for url in urls
    ]
    items = [MediaItem(mime_type=m.mime_type, size_bytes=m.size) for m in fetched]
    violations = check_media(rules_for(platform).media, items)
    if violations:
        first = violations[0]
        raise PermanentError(f"{platform.value}: {first.message}", code=str(first.code.value))
    return fetched

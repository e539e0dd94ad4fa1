"""Media by URL: typed from the bytes, bounded, checked against the platform's rules."""

from __future__ import annotations

import httpx
import pytest

from herald_common.platforms import Platform
from herald_common.publishing.media import fetch_all, fetch_media, sniff_mime_type
from herald_common.publishing.outcomes import PermanentError, RetryableError

# The fake CDN answers through a mock transport; the SSRF guard has tests of its own (tests/netguard).
CDN = {"cdn.test:443"}
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 100
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 100
FILES = {
    "/a.jpg": (200, JPEG),
    "/a.png": (200, PNG),
    "/png-named.jpg": (200, PNG),
    "/gif": (200, b"GIF89a" + b"\x00" * 10),
    "/text.jpg": (200, b"hello"),
    "/gone": (404, b""),
    "/busy": (503, b""),
    "/big": (200, JPEG * 100),
}


def http() -> httpx.AsyncClient:
    def answer(request: httpx.Request) -> httpx.Response:
        status, body = FILES[request.url.path]
        return httpx.Response(status, content=body, headers={"content-type": "image/jpeg"})

    return httpx.AsyncClient(transport=httpx.MockTransport(answer))


@pytest.mark.parametrize(
    ("data", "mime"),
    [
        (JPEG, "image/jpeg"),
        (PNG, "image/png"),
        (b"GIF87a..", "image/gif"),
        (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "image/webp"),
        (b"\x00\x00\x00\x18ftypmp42", "video/mp4"),
        (b"\x00\x00\x00\x14ftypqt  ", "video/quicktime"),
        (b"<html>", None),
    ],
)
def test_sniffing(data: bytes, mime: str | None) -> None:
    assert sniff_mime_type(data) == mime


async def test_the_type_comes_from_the_bytes_not_the_name_or_header() -> None:
    async with http() as client:
        media = await fetch_media(
            client,
            "https://cdn.test/png-named.jpg",
            platform=Platform.TWITTER,
            max_bytes=10_000,
            timeout=5,
            allow=CDN,
        )
    assert media.mime_type == "image/png" and media.size == len(PNG)


@pytest.mark.parametrize(
    ("url", "error", "code"),
    [
        ("ftp://cdn.test/a.jpg", PermanentError, "media_url_invalid"),
        ("https://cdn.test/text.jpg", PermanentError, "media_type_not_allowed"),
        ("https://cdn.test/gone", PermanentError, "media_unavailable"),
        ("https://cdn.test/busy", RetryableError, "media_unavailable"),
        ("https://cdn.test/big", PermanentError, "media_too_large"),
    ],
)
async def test_fetch_failures(url: str, error: type[Exception], code: str) -> None:
    async with http() as client:
        with pytest.raises(error) as caught:
            await fetch_media(client, url, platform=Platform.LINKEDIN, max_bytes=5_000, timeout=5, allow=CDN)
    assert getattr(caught.value, "code", None) == code


async def test_platform_rules_apply_to_the_set() -> None:
    async with http() as client:
        assert (
            len(
                await fetch_all(
                    client,
                    Platform.TWITTER,
                    ["https://cdn.test/a.jpg", "https://cdn.test/a.png"],
                    allow=CDN,
                    max_bytes=10_000,
                    timeout=5,
                )
            )
            == 2
        )
        with pytest.raises(PermanentError) as caught:
            await fetch_all(
                client,
                Platform.TWITTER,
                ["https://cdn.test/gif", "https://cdn.test/a.jpg"],
                allow=CDN,
                max_bytes=10_000,
                timeout=5,
            )
    assert caught.value.code == "media_combination_not_allowed"

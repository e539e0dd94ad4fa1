"""Media downloads stay bounded against a real local HTTP server that misbehaves on purpose."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import httpx
import pytest

from herald_common.platforms import Platform
from herald_common.publishing.media import fetch_all, fetch_media
from herald_common.publishing.outcomes import PermanentError, RetryableError

JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 100


@dataclass
class BadServer:
    """Answers raw HTTP/1.1: /drip sends a byte every 50 ms, /declared-huge announces 1 GB,
    /endless streams without a length, anything else a small JPEG. Counts requests."""

    port: int = 0
    requests: list[str] = field(default_factory=list)

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            path = (await reader.readline()).split()[1].decode()
            while (await reader.readline()).strip():
                pass
            self.requests.append(path)
            if path == "/drip":
                writer.write(b"HTTP/1.1 200 OK\r\ncontent-length: 100000\r\n\r\n" + JPEG[:4])
                for _ in range(400):  # 20 s in all: far past any deadline under test
                    await writer.drain()
                    await asyncio.sleep(0.05)
                    writer.write(b"\x00")
            elif path == "/declared-huge":
                writer.write(b"HTTP/1.1 200 OK\r\ncontent-length: 1000000000\r\n\r\n" + JPEG)
                await writer.drain()
                await asyncio.sleep(5)
            elif path == "/endless":
                writer.write(b"HTTP/1.1 200 OK\r\nconnection: close\r\n\r\n" + JPEG)
                for _ in range(10_000):
                    writer.write(b"\x00" * 65536)
                    await writer.drain()
            else:
                writer.write(b"HTTP/1.1 200 OK\r\ncontent-length: %d\r\n\r\n" % len(JPEG) + JPEG)
            await writer.drain()
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            writer.close()

    @property
    def allow(self) -> set[str]:
        return {f"127.0.0.1:{self.port}"}

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"


@pytest.fixture
async def bad_server() -> AsyncIterator[BadServer]:
    server = BadServer()
    listener = await asyncio.start_server(server.handle, "127.0.0.1", 0)
    server.port = listener.sockets[0].getsockname()[1]
    async with listener:
        yield server
        listener.close()


async def fetch_from(bad_server: BadServer, path: str, timeout: float = 30) -> None:
    async with httpx.AsyncClient() as http:
        await fetch_media(
            http,
            bad_server.url(path),
            platform=Platform.TWITTER,
            max_bytes=1_000_000,
            timeout=timeout,
            allow=bad_server.allow,
        )


async def test_a_slow_drip_is_cut_at_the_total_deadline(bad_server: BadServer) -> None:
    started = time.monotonic()
    with pytest.raises(RetryableError, match="did not arrive within 1 s") as failure:
        # 1 s per read: the drip (every 50 ms) would never trip it
        await fetch_from(bad_server, "/drip", timeout=1.0)
    assert failure.value.code == "media_unavailable"
    assert time.monotonic() - started < 10  # far below the 20 s the server would drip for


async def test_a_declared_size_over_the_cap_is_refused_unread(bad_server: BadServer) -> None:
    with pytest.raises(PermanentError) as failure:
        await fetch_from(bad_server, "/declared-huge")
    assert failure.value.code == "media_too_large"


async def test_an_endless_body_is_cut_at_the_size_cap(bad_server: BadServer) -> None:
    with pytest.raises(PermanentError) as failure:
        await fetch_from(bad_server, "/endless")
    assert failure.value.code == "media_too_large"


@pytest.mark.parametrize(("platform", "count"), [(Platform.TWITTER, 5), (Platform.LINKEDIN, 11)])
async def test_too_many_media_are_refused_before_any_download(
    bad_server: BadServer, platform: Platform, count: int
) -> None:
    urls = [bad_server.url(f"/{index}.bin") for index in range(count)]
    async with httpx.AsyncClient() as http:
        with pytest.raises(PermanentError) as failure:
            await fetch_all(http, platform, urls, max_bytes=1_000_000, timeout=5, allow=bad_server.allow)
    assert failure.value.code == "too_many_media"
    assert bad_server.requests == []


async def test_an_allowed_count_is_fetched(bad_server: BadServer) -> None:
    urls = [bad_server.url(f"/{index}.bin") for index in range(4)]
    async with httpx.AsyncClient() as http:
        fetched = await fetch_all(
            http, Platform.TWITTER, urls, max_bytes=1_000_000, timeout=5, allow=bad_server.allow
        )
    assert [media.mime_type for media in fetched] == ["image/jpeg"] * 4
    assert len(bad_server.requests) == 4

"""SSRF guard: what counts as public, and fetching through redirects against real local servers."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator

import httpx
import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse, RedirectResponse
from starlette.routing import Route

from herald_common.netguard import BlockedUrl, guarded_stream, is_public, resolve_public


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",
        "100.64.0.1",
        "0.0.0.0",
        "224.0.0.1",
        "::1",
        "fe80::1",
        "fd00::1",
        "::ffff:127.0.0.1",
        "::ffff:169.254.169.254",
        "255.255.255.255",
        "64:ff9b::a00:1",  # NAT64 of 10.0.0.1
        "64:ff9b::808:808",  # NAT64, whatever the IPv4 address: the translator is ours
        "64:ff9b:1::a00:1",  # local-use NAT64
        "::10.0.0.1",  # IPv4-compatible
        "::8.8.8.8",
        "fec0::1",  # site-local
        "2002:a00:1::1",  # 6to4 of 10.0.0.1
    ],
)
def test_internal_addresses_are_not_public(address: str) -> None:
    assert not is_public(address)


@pytest.mark.parametrize("address", ["93.184.216.34", "8.8.8.8", "2606:4700:4700::1111"])
def test_internet_addresses_are_public(address: str) -> None:
    assert is_public(address)


@pytest.mark.parametrize("address", ["93.184.216.34", "2002:5db8:d822::1", "2606:4700:4700::1111"])
def test_internet_addresses_stay_public_through_the_new_ranges(address: str) -> None:
    assert is_public(address)  # 6to4 of a public IPv4 address is still public


async def test_names_resolving_to_loopback_are_refused_without_telling_the_address() -> None:
    with pytest.raises(BlockedUrl, match="non-public") as refused:
        await resolve_public("localhost", 80)
    assert "127.0.0.1" not in str(refused.value) and "::1" not in str(refused.value)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
async def local_server() -> AsyncIterator[int]:
    port = _free_port()

    async def image(_: object) -> PlainTextResponse:
        return PlainTextResponse("jpeg bytes")

    async def hop(_: object) -> RedirectResponse:
        return RedirectResponse(f"http://127.0.0.1:{port}/image.jpg")

    async def to_metadata(_: object) -> RedirectResponse:
        return RedirectResponse("http://169.254.169.254/latest/meta-data/")

    app = Starlette(routes=[Route("/image.jpg", image), Route("/hop", hop), Route("/metadata", to_metadata)])
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.01)
    yield port
    server.should_exit = True
    await task


async def test_loopback_is_refused_unless_allow_listed(local_server: int) -> None:
    url = f"http://127.0.0.1:{local_server}/image.jpg"
    async with httpx.AsyncClient() as http:
        with pytest.raises(BlockedUrl, match="non-public"):
            async with guarded_stream(http, url):
                pass
        async with guarded_stream(http, url, allow={f"127.0.0.1:{local_server}"}) as response:
            assert (await response.aread()) == b"jpeg bytes"


async def test_redirects_are_followed_and_each_hop_checked(local_server: int) -> None:
    allow = {f"127.0.0.1:{local_server}"}
    async with httpx.AsyncClient() as http:
        async with guarded_stream(http, f"http://127.0.0.1:{local_server}/hop", allow=allow) as response:
            assert response.status_code == 200
        with pytest.raises(BlockedUrl, match=r"169\.254\.169\.254"):
            async with guarded_stream(http, f"http://127.0.0.1:{local_server}/metadata", allow=allow):
                pass


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.com/a.jpg", "gopher://x/"])
async def test_only_http_and_https(url: str) -> None:
    async with httpx.AsyncClient() as http:
        with pytest.raises(BlockedUrl, match="only http and https"):
            async with guarded_stream(http, url):
                pass

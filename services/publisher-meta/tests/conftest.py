"""The Facebook and Instagram clients against the platform emulator, in process."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from herald_emulator.testing import BASE_URL, in_process
from herald_publisher_meta.facebook import FacebookClient
from herald_publisher_meta.instagram import InstagramClient
from herald_publisher_meta.settings import Settings

sys.path.insert(0, str(Path(__file__).parent))  # meta_support, for the test modules (importlib mode)


@pytest.fixture
async def emulator() -> AsyncIterator[httpx.AsyncClient]:
    async with in_process(instagram={"container_processing_s": 0.2}, faults={"hold_s": 0.05}) as http:
        yield http


@pytest.fixture
def settings() -> Settings:
    return Settings(graph_api_base_url=BASE_URL, instagram_container_poll_seconds=0.1)


@pytest.fixture
def facebook(emulator: httpx.AsyncClient, settings: Settings) -> FacebookClient:
    return FacebookClient(emulator, settings)


@pytest.fixture
def instagram(emulator: httpx.AsyncClient, settings: Settings) -> InstagramClient:
    return InstagramClient(emulator, settings)

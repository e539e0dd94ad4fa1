"""The LinkedIn client against the platform emulator, in process."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from herald_emulator.testing import BASE_URL, in_process
from herald_publisher_linkedin.client import LinkedInClient
from herald_publisher_linkedin.settings import Settings


@pytest.fixture
async def emulator() -> AsyncIterator[httpx.AsyncClient]:
    async with in_process(linkedin={"image_processing_s": 0.2}, faults={"hold_s": 0.05}) as http:
        yield http


@pytest.fixture
def settings() -> Settings:
    return Settings(
        linkedin_api_base_url=BASE_URL,
        linkedin_version="202610",
        linkedin_image_poll_seconds=0.05,
        media_fetch_allow_hosts=["emulator.test:80"],
    )


@pytest.fixture
def client(emulator: httpx.AsyncClient, settings: Settings) -> LinkedInClient:
    return LinkedInClient(emulator, settings)

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from herald_emulator.config import EmulatorConfig
from herald_emulator.main import create_app
from herald_emulator.settings import Settings
from herald_emulator.testing import BASE_URL


@pytest.fixture
def app() -> Any:
    return create_app(Settings(), EmulatorConfig())


@pytest.fixture
async def client(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE_URL) as http:
        yield http

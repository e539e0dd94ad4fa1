from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from herald_emulator.config import EmulatorConfig
from herald_emulator.main import create_app
from herald_emulator.settings import Settings

BASE_URL = "http://emulator.test"
LINKEDIN_HEADERS = {
    "Authorization": "Bearer dev-linkedin",
    "LinkedIn-Version": "202610",
    "X-Restli-Protocol-Version": "2.0.0",
}
X_HEADERS = {"Authorization": "Bearer dev-x"}
PAGE_ID = "100000000000001"
IG_USER_ID = "17841400000000001"


@pytest.fixture
def app() -> Any:
    return create_app(Settings(), EmulatorConfig())


@pytest.fixture
async def client(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE_URL) as http:
        yield http


def linkedin_post_body(commentary: str, author: str = "urn:li:person:demo", **extra: Any) -> dict[str, Any]:
    return {
        "author": author,
        "commentary": commentary,
        "visibility": "PUBLIC",
        "distribution": {
            "feedDistribution": "MAIN_FEED",
            "targetEntities": [],
            "thirdPartyDistributionChannels": [],
        },
        "lifecycleState": "PUBLISHED",
        "isReshareDisabledByAuthor": False,
        **extra,
    }


async def created(client: httpx.AsyncClient, platform: str, **params: str) -> list[dict[str, Any]]:
    response = await client.get(f"/_emulator/{platform}/posts", params=params)
    assert response.status_code == 200
    posts: list[dict[str, Any]] = response.json()["posts"]
    return posts

"""Helpers for tests that drive the emulator in-process (this package's and publishers')."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx

BASE_URL = "http://emulator.test"
LINKEDIN_HEADERS = {
    "Authorization": "Bearer dev-linkedin",
    "LinkedIn-Version": "202610",
    "X-Restli-Protocol-Version": "2.0.0",
}
X_HEADERS = {"Authorization": "Bearer dev-x"}
META_TOKEN = "dev-meta"  # noqa: S105 - documented dev token
PAGE_ID = "100000000000001"
IG_USER_ID = "17841400000000001"
SAMPLE_JPEG_PATH = "/_emulator/media/sample.jpg"


def linkedin_post_body(commentary: str, author: str = "urn:li:person:demo", **extra: Any) -> dict[str, Any]:
    """A complete, valid Posts API body."""
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
    """Everything the emulator holds for a platform, via the inspection API."""
    response = await client.get(f"/_emulator/{platform}/posts", params=params)
    response.raise_for_status()
    posts: list[dict[str, Any]] = response.json()["posts"]
    return posts


@asynccontextmanager
async def in_process(**config_changes: Any) -> AsyncIterator[httpx.AsyncClient]:
    """An emulator in this process, reached through `httpx.ASGITransport` at BASE_URL; the keyword
    arguments are deep-merged into its config (as `POST /_emulator/config` would)."""
    from herald_emulator.config import EmulatorConfig
    from herald_emulator.main import create_app
    from herald_emulator.settings import Settings

    app = create_app(Settings(), EmulatorConfig().merged(config_changes))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE_URL) as http:
        yield http

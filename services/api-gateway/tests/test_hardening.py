"""What any client can send: control characters anywhere in a request."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

import pytest

pytestmark = pytest.mark.infra
PROBLEM = "application/problem+json"


def bearer(token_for: Callable[..., str]) -> dict[str, str]:
    return {"Authorization": f"Bearer {token_for(user=f'u-{uuid.uuid4()}')}"}


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"content": "a\u0000b", "platforms": ["twitter"]}, "content", "control character U+0000"),
        (
            {"content": "ok", "platforms": ["twitter"], "first_comment": "\u001b[2J"},
            "first_comment",
            "control character U+001B",
        ),
        (
            {"content": "ok", "platforms": ["linkedin"], "overrides": {"linkedin": {"content": "\u0085"}}},
            "content",
            "control character U+0085",
        ),
        ({"content": "lone \ud800 half", "platforms": ["twitter"]}, "content", "unicode"),
    ],
)
async def test_control_characters_in_a_body_are_422_naming_the_field(
    gateway_factory: Callable[..., Any], token_for: Callable[..., str], body: dict, field: str, message: str
) -> None:
    async with gateway_factory() as gateway:
        # As \uXXXX escapes, the way a JSON client sends them (a lone surrogate has no UTF-8 form).
        raw = json.dumps(body).encode()
        headers = {**bearer(token_for), "Content-Type": "application/json"}
        response = await gateway.post("/api/v2/publish", content=raw, headers=headers)
        assert response.status_code == 422, response.text
        assert response.headers["content-type"].startswith(PROBLEM)
        problem = response.json()
        assert problem["errors"][0]["location"][-1] == field
        assert message in problem["detail"]


async def test_tabs_and_line_breaks_are_kept(
    gateway_factory: Callable[..., Any], token_for: Callable[..., str]
) -> None:
    async with gateway_factory() as gateway:
        body = {"content": "one\ttwo\r\nthree\n\nfour", "platforms": ["twitter"]}
        response = await gateway.post("/api/v2/preview", json=body, headers=bearer(token_for))
        assert response.status_code == 200, response.text


async def test_an_api_key_name_with_nul_is_422(
    gateway_factory: Callable[..., Any], token_for: Callable[..., str]
) -> None:
    async with gateway_factory() as gateway:
        response = await gateway.post(
            "/api/v2/api-keys", json={"name": "a\u0000b"}, headers=bearer(token_for)
        )
        assert response.status_code == 422, response.text
        assert response.json()["errors"][0]["location"][-1] == "name"


@pytest.mark.parametrize(
    "path", ["/api/v2/api-keys/a%00b", "/api/v2/posts/x%00y", "/api/v2/scheduled?status=%00"]
)
async def test_control_characters_in_the_url_are_422(
    gateway_factory: Callable[..., Any], token_for: Callable[..., str], path: str
) -> None:
    async with gateway_factory() as gateway:
        method = "DELETE" if "api-keys" in path else "GET"
        response = await gateway.request(method, path, headers=bearer(token_for))
        assert response.status_code == 422, response.text
        assert response.headers["content-type"].startswith(PROBLEM)


async def test_media_are_counted_whatever_their_names(
    gateway_factory: Callable[..., Any], token_for: Callable[..., str]
) -> None:
    untyped = [f"https://cdn.example.com/media/{index}" for index in range(5)]  # no extension
    async with gateway_factory() as gateway:
        body = {"content": "x", "platforms": ["twitter"], "media_urls": untyped}
        response = await gateway.post("/api/v2/publish", json=body, headers=bearer(token_for))
        assert response.status_code == 422, response.text
        assert "too_many_media" in {v["code"] for v in response.json()["violations"]}


async def test_an_override_carries_at_most_ten_media(
    gateway_factory: Callable[..., Any], token_for: Callable[..., str]
) -> None:
    many = [f"https://cdn.example.com/{index}.jpg" for index in range(11)]
    async with gateway_factory() as gateway:
        body = {"content": "x", "platforms": ["facebook"], "overrides": {"facebook": {"media_urls": many}}}
        response = await gateway.post("/api/v2/publish", json=body, headers=bearer(token_for))
        assert response.status_code == 422, response.text
        assert response.json()["errors"][0]["location"][-1] == "media_urls"

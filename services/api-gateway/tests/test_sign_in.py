"""The dashboard's sign-in: demo tokens in development only, the OIDC settings it needs otherwise."""

from __future__ import annotations

import base64
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest


@pytest.fixture
def dev_signing_key(signing_key: tuple[bytes, Path], tmp_path: Path) -> Path:
    """make dev's private key: the public half is the one the test gateway verifies with."""
    private = tmp_path / "dev-signing-key.pem"
    private.write_bytes(signing_key[0])
    return private


async def test_a_demo_sign_in_gives_a_token_the_api_accepts(
    gateway_factory: Callable[..., Any], dev_signing_key: Path
) -> None:
    async with gateway_factory(auth_dev_signing_key_file=dev_signing_key) as api:
        config = (await api.get("/api/v2/auth/config")).json()
        assert config["mode"] == "demo" and config["demo_businesses"] == [1, 2]
        signed = await api.post("/dev/sign-in", json={"business_id": 2})
        assert signed.status_code == 200, signed.text
        token = signed.json()["access_token"]
        listed = await api.get("/api/v2/posts", headers={"Authorization": f"Bearer {token}"})
        assert listed.status_code == 200, listed.text
        other = await api.get(
            "/api/v2/posts", params={"business_id": 1}, headers={"Authorization": f"Bearer {token}"}
        )
        assert other.status_code == 404, "a demo user of business 2 sees nothing of business 1"
        refused = await api.post("/dev/sign-in", json={"business_id": 3})
        assert refused.status_code == 422
        assert "business_id" in refused.text  # the field is named


async def test_production_refuses_the_demo_sign_in(
    gateway_factory: Callable[..., Any], dev_signing_key: Path
) -> None:
    key = f"k1:{base64.b64encode(os.urandom(32)).decode()}"
    async with gateway_factory(
        environment="prod",
        auth_jwks_url="https://id.example.com/.well-known/jwks.json",  # prod needs one; never fetched here
        token_encryption_keys=key,
        auth_dev_signing_key_file=dev_signing_key,  # even with the key configured by mistake
    ) as api:
        refused = await api.post("/dev/sign-in", json={"business_id": 1})
        assert refused.status_code == 403
        assert refused.headers["content-type"] == "application/problem+json"
        assert "production" in refused.json()["detail"]
        assert (await api.get("/api/v2/auth/config")).json()["mode"] == "none"


async def test_without_a_signing_key_there_is_no_demo_sign_in(gateway_factory: Callable[..., Any]) -> None:
    async with gateway_factory() as api:
        assert (await api.post("/dev/sign-in", json={"business_id": 1})).status_code == 403


async def test_with_an_oidc_client_the_dashboard_is_told_where_to_sign_in(
    gateway_factory: Callable[..., Any],
) -> None:
    async with gateway_factory(
        auth_issuer="https://id.example.com/", auth_oidc_client_id="herald-dashboard"
    ) as api:
        config = (await api.get("/api/v2/auth/config")).json()
    assert config == {
        "mode": "oidc",
        "issuer": "https://id.example.com/",
        "client_id": "herald-dashboard",
        "scope": "openid profile email",
        "audience": "herald-api",
        "demo_businesses": [],
    }

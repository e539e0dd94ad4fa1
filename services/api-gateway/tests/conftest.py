"""A gateway app in process, against the real test infrastructure and a fresh database."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import jwt
import pytest
from asgi_lifespan import LifespanManager
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from herald_common.runtime import migrate
from herald_common.settings import HeraldSettings
from herald_gateway.main import MIGRATIONS, SCHEMA, create_app
from herald_gateway.settings import Settings


@pytest.fixture(scope="session")
def signing_key(tmp_path_factory: pytest.TempPathFactory) -> tuple[bytes, Path]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public = tmp_path_factory.mktemp("keys") / "public.pem"
    public.write_bytes(
        key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return private, public


@pytest.fixture
def token_for(signing_key: tuple[bytes, Path]) -> Callable[..., str]:
    def make(user: str = "user-1", businesses: tuple[int, ...] = (1,)) -> str:
        now = int(time.time())
        claims = {
            "iss": "herald-dev",
            "aud": "herald-api",
            "sub": user,
            "businesses": list(businesses),
            "iat": now,
            "exp": now + 600,
        }
        return jwt.encode(claims, signing_key[0], algorithm="RS256")

    return make


@pytest.fixture
def gateway_factory(
    fresh_database: str, redis_url: str, kafka_bootstrap: str, signing_key: tuple[bytes, Path]
) -> Callable[..., Any]:
    @asynccontextmanager
    async def start(**overrides: Any) -> AsyncIterator[httpx.AsyncClient]:
        settings = Settings(
            database_url=fresh_database,
            redis_url=redis_url,
            kafka_bootstrap_servers=kafka_bootstrap,
            auth_dev_public_key_file=signing_key[1],
            **overrides,
        )
        app = create_app(settings)
        async with LifespanManager(app, startup_timeout=60) as manager:
            transport = httpx.ASGITransport(app=manager.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as client:
                yield client

    return start


@pytest.fixture
async def gateway_pool(fresh_database: str) -> AsyncIterator[asyncpg.Pool]:
    """A pool on a fresh database holding the gateway's migrated schema."""
    await migrate(HeraldSettings(database_url=fresh_database), SCHEMA, MIGRATIONS)
    async with asyncpg.create_pool(fresh_database, server_settings={"search_path": SCHEMA}) as pool:
        yield pool

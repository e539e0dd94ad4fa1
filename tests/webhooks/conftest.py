"""The gateway (webhooks API) and the notifier in process, on one fresh database and the real
Kafka, with a local receiver. Each test uses its own business ids, so lifecycle events other tests
left in the shared topic never match its endpoints."""

from __future__ import annotations

import random
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaProducer
from asgi_lifespan import LifespanManager
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from herald_common.accounts.crypto import TokenCipher
from herald_common.events import LifecycleEvent, encode
from herald_common.testing import unique
from herald_gateway.main import create_app as gateway_app
from herald_gateway.settings import Settings as GatewaySettings
from herald_notifier.main import create_app as notifier_app
from herald_notifier.settings import Settings as NotifierSettings

sys.path.insert(0, str(Path(__file__).parent))  # the *_support modules, for the tests (importlib mode)
from webhook_receiver import running_receiver
from webhooks_support import Api, Hooked, register

pytestmark = pytest.mark.infra


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


@pytest.fixture(scope="session")
def encryption_keys() -> str:
    return f"k1:{TokenCipher.new_key()}"


@pytest.fixture
def business() -> int:
    return random.randint(10**9, 2**62)


@pytest.fixture
def gateway_factory(
    fresh_database: str,
    redis_url: str,
    kafka_bootstrap: str,
    signing_key: tuple[bytes, Path],
    encryption_keys: str,
) -> Callable[..., Any]:
    @asynccontextmanager
    async def start(**overrides: Any) -> AsyncIterator[Api]:
        settings = GatewaySettings(
            database_url=fresh_database,
            redis_url=redis_url,
            kafka_bootstrap_servers=kafka_bootstrap,
            auth_dev_public_key_file=signing_key[1],
            token_encryption_keys=encryption_keys,
            **{"webhooks_allow_loopback": True, **overrides},
        )
        app = gateway_app(settings)
        async with LifespanManager(app, startup_timeout=60) as manager:
            transport = httpx.ASGITransport(app=manager.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as client:
                yield Api(client, signing_key[0])

    return start


@pytest.fixture
def notifier_factory(fresh_database: str, kafka_bootstrap: str, encryption_keys: str) -> Callable[..., Any]:
    @asynccontextmanager
    async def start(**overrides: Any) -> AsyncIterator[Any]:
        settings = NotifierSettings(
            database_url=fresh_database,
            kafka_bootstrap_servers=kafka_bootstrap,
            token_encryption_keys=encryption_keys,
            webhooks_allow_loopback=True,
            notifier_consumer_group=unique("notifier"),
            notifier_retry_schedule_seconds=(0.3, 0.3, 0.3),
            notifier_request_timeout_seconds=1.0,
            notifier_poll_interval_seconds=0.2,
            shutdown_grace_seconds=2.0,
            **overrides,
        )
        app = notifier_app(settings)
        async with LifespanManager(app, startup_timeout=60, shutdown_timeout=30) as manager:
            yield manager.app

    return start


@pytest.fixture
async def produce(kafka_bootstrap: str) -> AsyncIterator[Callable[..., Any]]:
    producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap, acks="all")
    await producer.start()

    async def send(*events: LifecycleEvent, source: str = "tests", ids: list[str] | None = None) -> None:
        """`ids`: the CloudEvents ids, to send an event again as a redelivery would."""
        for n, event in enumerate(events):
            record = encode(event, source=source, event_id=ids[n] if ids else None)
            await producer.send_and_wait(
                record.topic,
                record.value,
                key=record.key,
                headers=[(k, v.encode()) for k, v in record.headers.items()],
            )

    try:
        yield send
    finally:
        await producer.stop()


@pytest.fixture
async def hooked(
    gateway_factory: Callable[..., Any], notifier_factory: Callable[..., Any], business: int
) -> AsyncIterator[Hooked]:
    """The gateway and the notifier running, a receiver, and its endpoint registered for `business`."""
    async with running_receiver() as receiver, gateway_factory() as api, notifier_factory():
        yield Hooked(api, receiver, await register(api, business, receiver.url), business)

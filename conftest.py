"""Fixtures shared by every test: where the real infrastructure started by tools/infra listens.

`make test` starts Kafka, PostgreSQL and Redis on the test ports and exports their addresses
as HERALD_* variables; tests that need them fail with a clear message when they are not up.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import AsyncIterator
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest

from herald_common.kafka.producer import Producer
from herald_common.kafka.topics_admin import ensure_topics
from herald_common.publishing.testing import KafkaTap
from herald_common.settings import HeraldSettings

INFRA_HINT = "start it with `make infra-up` (or run `make test`, which starts and stops it)"


def _reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def _require(name: str, hostport: str) -> None:
    host, _, port = hostport.rpartition(":")
    if not _reachable(host, int(port)):
        pytest.fail(f"{name} is not reachable at {hostport}: {INFRA_HINT}", pytrace=False)


@pytest.fixture(scope="session")
def base_settings() -> HeraldSettings:
    return HeraldSettings(service_name="herald-tests")


@pytest.fixture(scope="session")
def kafka_bootstrap(base_settings: HeraldSettings) -> str:
    _require("Kafka", base_settings.kafka_bootstrap_servers)
    return base_settings.kafka_bootstrap_servers


@pytest.fixture(scope="session")
def redis_url(base_settings: HeraldSettings) -> str:
    parts = urlsplit(base_settings.redis_url)
    _require("Redis", f"{parts.hostname}:{parts.port}")
    return base_settings.redis_url


@pytest.fixture
async def fresh_database(base_settings: HeraldSettings) -> AsyncIterator[str]:
    """A new, empty database for one test; dropped afterwards."""
    parts = urlsplit(base_settings.database_url)
    _require("PostgreSQL", f"{parts.hostname}:{parts.port}")
    name = f"t_{uuid.uuid4().hex[:12]}"
    admin_dsn = urlunsplit(parts._replace(path="/postgres"))
    conn = await asyncpg.connect(admin_dsn)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    yield urlunsplit(parts._replace(path=f"/{name}"))
    conn = await asyncpg.connect(admin_dsn)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


@pytest.fixture(scope="session")
async def kafka_producer(kafka_bootstrap: str, base_settings: HeraldSettings) -> AsyncIterator[Producer]:
    """One started producer for the session (the topics made first, as the services do)."""
    await ensure_topics(kafka_bootstrap, base_settings.kafka_topic_partitions)
    producer = Producer(kafka_bootstrap, "herald-tests")
    await producer.start()
    yield producer
    await producer.stop()


@pytest.fixture
def kafka_tap(kafka_producer: Producer, kafka_bootstrap: str) -> KafkaTap:
    """Produces for real and reads back what this test produced."""
    return KafkaTap(kafka_producer, kafka_bootstrap)


os.environ.setdefault("HERALD_LOG_JSON", "false")

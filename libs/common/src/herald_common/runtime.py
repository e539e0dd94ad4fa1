"""What every service does at start and stop: logging, database + migrations, Redis, the broker
and the service's one Kafka `Producer`.

`open_infra` is the composition root's shared half: it yields the connected resources and
closes them in reverse order, so SIGTERM (uvicorn -> lifespan exit) stops consuming first,
lets in-flight handlers finish, then closes connections.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import asyncpg
import uvicorn
from aiokafka.errors import KafkaError
from faststream.kafka import KafkaBroker
from redis.asyncio import Redis

from herald_common.db.migrations import apply_migrations
from herald_common.db.pool import create_pool, ensure_database
from herald_common.kafka.deadletter import producer_of
from herald_common.kafka.producer import Producer
from herald_common.kafka.security import client_security
from herald_common.kafka.topics_admin import ensure_topics
from herald_common.logs import configure_logging, get_logger
from herald_common.redis_client import create_redis
from herald_common.retrying import retry
from herald_common.settings import HeraldSettings
from herald_common.telemetry import configure_tracing, instrument_app
from herald_common.web import ReadinessCheck

log = get_logger(__name__)
T = TypeVar("T")


@dataclass
class Infra:
    settings: HeraldSettings
    pool: asyncpg.Pool | None = None
    redis: Redis | None = None
    broker: KafkaBroker | None = None
    producer: Producer | None = None
    """With a broker: what the service produces with, dead letters included (started, stopped last)."""
    extra_checks: dict[str, ReadinessCheck] = field(default_factory=dict)
    # Run at shutdown before the broker stops: subscribers that handle records in the background
    # stop taking new ones, let those in flight finish and commit them.
    before_broker_stop: list[Callable[[], Awaitable[None]]] = field(default_factory=list)

    def readiness_checks(self) -> Mapping[str, ReadinessCheck]:
        checks: dict[str, ReadinessCheck] = {}
        timeout = self.settings.readiness_timeout_seconds
        if self.broker is not None:
            broker = self.broker
            checks["kafka"] = lambda: broker.ping(timeout)
        if self.pool is not None:
            pool = self.pool
            checks["postgres"] = lambda: pool.fetchval("SELECT 1", timeout=timeout)
        if self.redis is not None:
            redis = self.redis
            checks["redis"] = redis.ping
        return {**checks, **self.extra_checks}


async def migrate(settings: HeraldSettings, schema: str, migrations: Path) -> list[str]:
    """Create the database if needed and apply this service's migrations (also `<service> migrate`).
    PostgreSQL may be starting or restarting: wait for it as at start, rather than exit."""
    return await until_up("postgres", lambda: _migrate_once(settings, schema, migrations))


async def _migrate_once(settings: HeraldSettings, schema: str, migrations: Path) -> list[str]:
    await ensure_database(settings.database_url)
    conn = await asyncpg.connect(settings.database_url, timeout=10)
    try:
        return await apply_migrations(conn, schema, migrations)
    finally:
        await conn.close()


Migrations = Sequence[tuple[str, Path]]
"""(schema, migrations folder) pairs a service applies, in order."""


def run_service(
    settings: HeraldSettings,
    make_app: Callable[[], Any],
    migrations: Migrations,
    *,
    worker_factory: str | None = None,
) -> None:
    """Every service's entry point: `herald-<service>` serves; `herald-<service> migrate` only applies
    its migrations and exits (the Kubernetes Job before a rollout)."""
    if sys.argv[1:] == ["migrate"]:
        for schema, folder in migrations:
            asyncio.run(migrate(settings, schema, folder))
        return
    if worker_factory and settings.http_workers > 1:
        serve(None, settings, worker_factory=worker_factory)
    else:
        serve(make_app(), settings)


@asynccontextmanager
async def open_infra(
    settings: HeraldSettings,
    *,
    schema: str | None = None,
    migrations: Path | None = None,
    broker: KafkaBroker | None = None,
    use_redis: bool = True,
    reset_sessions: bool = True,
) -> AsyncIterator[Infra]:
    """Connect what the service needs. The broker is only prepared (topics exist); the caller starts it
    once its subscribers are registered, and stops it before this context closes the rest.
    The broker's producer (`create_broker`) is started here and stopped last."""
    infra = Infra(settings)
    try:
        if schema is not None:
            if settings.auto_migrate and migrations is not None:
                await migrate(settings, schema, migrations)
            infra.pool = await until_up(
                "postgres",
                lambda: create_pool(
                    settings.database_url,
                    schema=schema,
                    min_size=settings.database_pool_min,
                    max_size=settings.database_pool_max,
                    reset_sessions=reset_sessions,
                ),
            )
        if use_redis:
            infra.redis = create_redis(settings.redis_url)
        if broker is not None:
            infra.broker = broker
            await until_up(
                "kafka",
                lambda: ensure_topics(
                    settings.kafka_bootstrap_servers,
                    settings.kafka_topic_partitions,
                    security=client_security(settings),
                ),
            )
            producer = producer_of(broker)
            await until_up("kafka", producer.start)
            infra.producer = producer
        yield infra
    finally:
        if infra.broker is not None:
            await infra.broker.stop()  # idempotent: normally the app stopped it already
        if infra.producer is not None:
            await infra.producer.stop()
        if infra.redis is not None:
            await infra.redis.aclose()
        if infra.pool is not None:
            await infra.pool.close()


async def until_up(what: str, connect: Callable[[], Awaitable[T]], deadline_s: float = 60.0) -> T:
    """Dependencies may start after us (make dev, Kubernetes): retry for a while, then fail loudly."""
    return await retry(
        connect,
        what=f"connecting to {what}",
        on=(OSError, asyncpg.PostgresError, asyncpg.InterfaceError, KafkaError),
        timeout=deadline_s,
        max_wait=2.0,
    )


async def start_broker(broker: KafkaBroker) -> None:
    await until_up("kafka", broker.start)


def prepare_process(settings: HeraldSettings, app: Any) -> Any:
    """What every serving process does once: logging, tracing, instrumenting its app."""
    configure_logging(settings.service_name, settings.log_level, settings.log_json)
    configure_tracing(
        settings.service_name, settings.otlp_endpoint, settings.trace_file, settings.trace_sample_ratio
    )
    instrument_app(app)
    return app


def serve(app: Any, settings: HeraldSettings, *, worker_factory: str | None = None) -> None:
    """Run an ASGI app with uvicorn; SIGTERM/SIGINT trigger a graceful lifespan shutdown.

    With `HERALD_HTTP_WORKERS` > 1 and a `worker_factory` ("module:function" returning a prepared
    app), uvicorn runs that many processes on one port, each with its own lifespan.
    """
    options: dict[str, Any] = {
        "host": settings.http_host,
        "port": settings.http_port,
        "log_config": None,
        "timeout_graceful_shutdown": int(settings.shutdown_grace_seconds),
        "lifespan": "on",
    }
    if settings.http_workers > 1 and worker_factory:
        configure_logging(settings.service_name, settings.log_level, settings.log_json)
        uvicorn.run(worker_factory, factory=True, workers=settings.http_workers, **options)
        return
    uvicorn.run(prepare_process(settings, app), **options)

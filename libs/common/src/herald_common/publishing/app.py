"""The composition every publisher service shares; each passes its platform clients and where its
accounts come from."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
from fastapi import FastAPI

from herald_common.accounts import wiring as accounts_wiring
from herald_common.app import create_service_app
from herald_common.kafka.broker import create_broker
from herald_common.kafka.inflight import InFlight
from herald_common.kafka.producer import create_producer
from herald_common.kafka.security import client_security
from herald_common.publishing.accounts import AccountResolver
from herald_common.publishing.budget import Budgets
from herald_common.publishing.client import ClientFactory
from herald_common.publishing.handlers import build_router
from herald_common.publishing.service import PublishService
from herald_common.publishing.settings import PublisherSettings
from herald_common.runtime import Infra, migrate, serve

MIGRATIONS = Path(__file__).parent / "migrations"
ResolverFactory = Callable[[Infra, httpx.AsyncClient], AccountResolver]
"""Builds the account resolver from the connected infrastructure (pool, Redis, settings) and the
shared HTTP client (token refreshes); `SettingsAccounts` ignores both."""


def schema_of(settings: PublisherSettings) -> str:
    return settings.service_name.replace("-", "_")


def create_publisher_app(
    settings: PublisherSettings,
    make_clients: ClientFactory,
    make_accounts: ResolverFactory,
    *,
    title: str,
) -> FastAPI:
    broker = create_broker(settings)

    @asynccontextmanager
    async def components(infra: Infra, app: FastAPI) -> AsyncIterator[None]:
        assert infra.pool is not None
        if settings.accounts_source == "database":
            await migrate(
                settings, accounts_wiring.SCHEMA, accounts_wiring.MIGRATIONS
            )  # shared with the gateway
        producer = create_producer(
            settings.kafka_bootstrap_servers, settings.service_name, client_security(settings)
        )
        await producer.start()
        async with httpx.AsyncClient(
            timeout=settings.platform_timeout_seconds,
            headers={"User-Agent": "Herald/0.1 (+https://herald.dev)"},
            # Every due event in flight may be waiting on a platform call at the same time.
            # An idle connection is dropped before a server's usual 5 s keep-alive ends: reusing
            # one the server is closing fails the call with "connection dropped".
            limits=httpx.Limits(
                max_connections=settings.max_in_flight * 2,
                max_keepalive_connections=settings.max_in_flight,
                keepalive_expiry=4.0,
            ),
        ) as http:
            budgets = Budgets(infra.redis if settings.budgets_enabled else None)
            clients = make_clients(http, budgets)
            service = PublishService(infra.pool, producer, clients, settings, make_accounts(infra, http))
            app.state.publisher = service
            in_flight = InFlight(
                group=settings.service_name,
                limit=settings.max_in_flight,
                grace_seconds=settings.shutdown_grace_seconds,
            )
            infra.before_broker_stop.append(in_flight.drain)
            broker.include_router(
                build_router(clients, service, settings.service_name, broker=broker, in_flight=in_flight)
            )
            try:
                yield
            finally:
                await producer.stop()

    return create_service_app(
        settings,
        title=title,
        broker=broker,
        schema=schema_of(settings),
        migrations=MIGRATIONS,
        components=components,
    )


def run_publisher(
    settings: PublisherSettings, make_clients: ClientFactory, make_accounts: ResolverFactory, *, title: str
) -> None:
    """Entry point body: serve, or with `migrate` only apply the ledger migrations (Kubernetes Job)."""
    if sys.argv[1:] == ["migrate"]:
        asyncio.run(migrate(settings, schema_of(settings), MIGRATIONS))
        return
    serve(create_publisher_app(settings, make_clients, make_accounts, title=title), settings)

"""The composition every publisher service shares. A publisher is a platform plug-in: it passes its
settings type, its platform clients and the account its environment names; everything else
(consumers, ledger, accounts, entry points) is here."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, TypeVar

import httpx
from fastapi import FastAPI

from herald_common.accounts import wiring as accounts_wiring
from herald_common.app import create_service_app
from herald_common.kafka.broker import create_broker
from herald_common.kafka.inflight import InFlight
from herald_common.publishing.accounts import AccountResolver, SettingsAccounts
from herald_common.publishing.budget import Budgets
from herald_common.publishing.client import ClientFactory
from herald_common.publishing.connected_accounts import publisher_accounts
from herald_common.publishing.handlers import build_router
from herald_common.publishing.service import PublishService
from herald_common.publishing.settings import PublisherSettings
from herald_common.runtime import Infra, migrate, run_service
from herald_common.settings import load_settings

MIGRATIONS = Path(__file__).parent / "migrations"
ResolverFactory = Callable[[Infra, httpx.AsyncClient], AccountResolver]
"""Builds the account resolver from the connected infrastructure (pool, Redis, settings) and the
shared HTTP client (token refreshes); `SettingsAccounts` ignores both."""
S = TypeVar("S", bound=PublisherSettings)


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
        assert infra.pool is not None and infra.producer is not None
        if settings.accounts_source == "database":
            await migrate(
                settings, accounts_wiring.SCHEMA, accounts_wiring.MIGRATIONS
            )  # shared with the gateway
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
            service = PublishService(
                infra.pool, infra.producer, clients, settings, make_accounts(infra, http)
            )
            app.state.publisher = service
            in_flight = InFlight(
                group=settings.service_name,
                limit=settings.max_in_flight,
                grace_seconds=settings.shutdown_grace_seconds,
            )
            infra.before_broker_stop.append(in_flight.drain)
            broker.include_router(build_router(clients, service, settings.service_name, in_flight=in_flight))
            yield

    return create_service_app(
        settings,
        title=title,
        broker=broker,
        schema=schema_of(settings),
        migrations=MIGRATIONS,
        components=components,
    )


@dataclass(frozen=True)
class PublisherMain(Generic[S]):
    """A publisher service's entry points, built from what is specific to its platforms."""

    settings_type: type[S]
    title: str
    clients: Callable[[S], ClientFactory]
    env_accounts: Callable[[S], SettingsAccounts]
    """The account the environment names (HERALD_ACCOUNTS_SOURCE=settings)."""

    def accounts(self, settings: S) -> ResolverFactory:
        """Connected accounts from PostgreSQL (default), or the one from the environment."""
        return publisher_accounts(settings, lambda: self.env_accounts(settings))

    def create_app(self, settings: S | None = None) -> FastAPI:
        settings = settings or load_settings(self.settings_type)
        return create_publisher_app(
            settings, self.clients(settings), self.accounts(settings), title=self.title
        )

    def run(self) -> None:
        """`herald-publisher-<x>` serves; `herald-publisher-<x> migrate` applies the ledger migrations."""
        settings = load_settings(self.settings_type)
        run_service(settings, lambda: self.create_app(settings), [(schema_of(settings), MIGRATIONS)])


def publisher_main(
    settings_type: type[S],
    *,
    title: str,
    clients: Callable[[S], ClientFactory],
    env_accounts: Callable[[S], SettingsAccounts],
) -> PublisherMain[S]:
    return PublisherMain(settings_type, title, clients, env_accounts)

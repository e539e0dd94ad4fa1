"""Composition root of the notifier: consumes lifecycle events into delivery rows and delivers
them as signed webhooks."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI

from herald_common.accounts.crypto import TokenCipher
from herald_common.app import create_service_app
from herald_common.kafka.broker import create_broker
from herald_common.runtime import Infra, run_service
from herald_common.settings import load_settings
from herald_common.webhooks.store import WebhookStore
from herald_common.webhooks.wiring import MIGRATIONS, SCHEMA
from herald_notifier import handlers
from herald_notifier.retention import DeliveryLogPruner
from herald_notifier.service import Deliverer
from herald_notifier.settings import Settings


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or load_settings(Settings)
    if settings.token_encryption_keys is None:
        raise SystemExit("HERALD_TOKEN_ENCRYPTION_KEYS is required: webhook secrets are sealed with it")
    cipher = TokenCipher.from_setting(settings.token_encryption_keys.get_secret_value())
    broker = create_broker(settings)

    @asynccontextmanager
    async def components(infra: Infra, app: FastAPI) -> AsyncIterator[None]:
        assert infra.pool is not None and infra.broker is not None
        http = httpx.AsyncClient(
            limits=httpx.Limits(max_connections=settings.notifier_concurrency), trust_env=False
        )
        deliverer = Deliverer(infra.pool, WebhookStore(infra.pool, cipher), http, settings)
        handlers.register(
            infra.broker,
            infra.pool,
            settings.notifier_consumer_group,
            settings.notifier_intake_batch_size,
            deliverer.wake,
        )
        app.state.deliverer = deliverer
        deliverer.start()
        pruner = DeliveryLogPruner(infra.pool, settings.notifier_retention_days)
        pruner.start()
        try:
            yield
        finally:  # the broker has stopped consuming; requests in flight finish and record
            await pruner.stop()
            await deliverer.stop()
            await http.aclose()

    return create_service_app(
        settings,
        title="Herald notifier",
        broker=broker,
        schema=SCHEMA,
        migrations=MIGRATIONS,
        use_redis=False,
        components=components,
    )


def run() -> None:
    """`herald-notifier` serves; `herald-notifier migrate` only applies the migrations."""
    settings = load_settings(Settings)
    run_service(settings, lambda: create_app(settings), [(SCHEMA, MIGRATIONS)])


if __name__ == "__main__":
    run()

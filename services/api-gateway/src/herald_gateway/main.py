"""Composition root of the API gateway: HTTP API, status-store consumers and the outbox relay."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
from fastapi import FastAPI

from herald_common.accounts import wiring as accounts_wiring
from herald_common.accounts.crypto import TokenCipher
from herald_common.accounts.store import AccountStore
from herald_common.app import create_service_app
from herald_common.kafka.broker import create_broker
from herald_common.kafka.producer import Producer
from herald_common.kafka.security import client_security
from herald_common.runtime import Infra, migrate, prepare_process, run_service
from herald_common.settings import load_settings
from herald_common.webhooks import wiring as webhooks_wiring
from herald_common.webhooks.store import WebhookStore
from herald_gateway import text_rules
from herald_gateway.accounts.endpoints import router as accounts_router
from herald_gateway.accounts.link_token import derive_key
from herald_gateway.accounts.links import AuthorizeLinks
from herald_gateway.accounts.service import AccountsService
from herald_gateway.asyncapi import asyncapi_router
from herald_gateway.auth.api_keys.endpoints import router as api_keys_router
from herald_gateway.auth.dev_jwks import dev_jwks_router
from herald_gateway.auth.jwt_verifier import JwtVerifier
from herald_gateway.auth.sign_in import router as sign_in_router
from herald_gateway.consumer_lag import ConsumerLagMonitor
from herald_gateway.events.endpoints import router as events_router
from herald_gateway.events.hub import ChangeHub
from herald_gateway.events.retention import ChangeLogPruner
from herald_gateway.idempotency import ExpiredKeysPurge
from herald_gateway.openapi import install_openapi
from herald_gateway.outbox import DirectProducer, OutboxRelay
from herald_gateway.posts.endpoints import BULK_PATH
from herald_gateway.posts.endpoints import router as posts_router
from herald_gateway.posts.preview import router as preview_router
from herald_gateway.posts.service import PostsService
from herald_gateway.problems import install_problem_handlers
from herald_gateway.queue.endpoints import router as queue_router
from herald_gateway.ratelimit import QuotaHeadersMiddleware, RateLimiter
from herald_gateway.security import harden
from herald_gateway.settings import Settings
from herald_gateway.status.handlers import build_router
from herald_gateway.status.service import StatusService
from herald_gateway.webapp import mount_dashboard, origin_of
from herald_gateway.webhooks.endpoints import router as webhooks_router
from herald_gateway.webhooks.service import WebhooksService

SCHEMA = "gateway"
ACCOUNTS_SCHEMA = accounts_wiring.SCHEMA  # shared with the publishers, which read and refresh tokens
ACCOUNTS_MIGRATIONS = accounts_wiring.MIGRATIONS
WEBHOOKS_SCHEMA = webhooks_wiring.SCHEMA  # shared with the notifier, which delivers
WEBHOOKS_MIGRATIONS = webhooks_wiring.MIGRATIONS
MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or load_settings(Settings)
    refuse_unsafe_production(settings)
    text_rules.prepare()
    # Each accepted post produces one record: a 5 ms linger lets concurrent posts share a request.
    producer = Producer(
        settings.kafka_bootstrap_servers, settings.service_name, client_security(settings), linger_ms=5
    )
    broker = create_broker(settings, producer=producer)

    @asynccontextmanager
    async def components(infra: Infra, app: FastAPI) -> AsyncIterator[None]:
        assert infra.pool is not None and infra.redis is not None and infra.producer is not None
        producer = infra.producer
        broker.include_router(
            build_router(StatusService(infra.redis), infra.pool, producer, settings.status_batch_size)
        )
        direct = DirectProducer(
            settings.database_url, SCHEMA, producer, wait_seconds=settings.outbox_direct_wait_seconds
        )
        direct.start()
        app.state.posts = PostsService(infra.pool, infra.redis, settings, direct)
        relay = OutboxRelay(
            settings.database_url,
            SCHEMA,
            producer,
            batch_size=settings.outbox_batch_size,
            fallback_poll=settings.outbox_fallback_poll_seconds,
            sweep_after=settings.outbox_sweep_after_seconds,
        )
        relay.start()
        # Every group's lag, reported by whichever replica leads the relay (why: consumer_lag.py).
        lag = ConsumerLagMonitor(
            settings.kafka_bootstrap_servers,
            interval=settings.kafka_lag_interval_seconds,
            is_reporter=lambda: relay.is_leader,
            security=client_security(settings),
        )
        lag.start()
        purge = ExpiredKeysPurge(
            infra.pool, settings.idempotency_ttl_hours, settings.idempotency_purge_interval_seconds
        )
        purge.start()
        app.state.change_hub = hub = ChangeHub(settings.database_url, SCHEMA)
        hub.start()
        pruner = ChangeLogPruner(infra.pool, settings.events_retention_hours)
        pruner.start()
        http = httpx.AsyncClient(timeout=10)
        if settings.token_encryption_keys is not None:
            await migrate(settings, ACCOUNTS_SCHEMA, ACCOUNTS_MIGRATIONS)
            cipher = TokenCipher.from_setting(settings.token_encryption_keys.get_secret_value())
            store = AccountStore(infra.pool, cipher)
            app.state.accounts = AccountsService(store, infra.redis, http, settings)
            app.state.posts.accounts = app.state.posts.queue.accounts = store
            app.state.authorize_links = AuthorizeLinks(
                derive_key(settings.token_encryption_keys.get_secret_value()),
                infra.redis,
                settings.oauth_link_ttl_seconds,
            )
            await migrate(settings, WEBHOOKS_SCHEMA, WEBHOOKS_MIGRATIONS)
            app.state.webhooks = WebhooksService(
                WebhookStore(infra.pool, cipher),
                allow_loopback=settings.webhooks_allow_loopback,
                max_per_business=settings.webhooks_max_endpoints_per_business,
            )
        try:
            yield
        finally:
            await purge.stop()
            await pruner.stop()
            await hub.stop()
            await lag.stop()
            await relay.stop()
            await direct.stop()
            await http.aclose()

    app = create_service_app(
        settings,
        title="Herald API",
        broker=broker,
        schema=SCHEMA,
        migrations=MIGRATIONS,
        components=components,
        reset_sessions=False,  # pooled connections hold no session state; the relay has its own
        description="Publish and schedule posts to LinkedIn, X, Facebook Pages and Instagram. "
        "Errors are RFC 9457 problem details (application/problem+json).",
    )
    app.state.settings = settings
    app.state.verifier = JwtVerifier(settings)
    app.state.rate_limiter = RateLimiter(settings)
    install_problem_handlers(app)
    app.add_middleware(QuotaHeadersMiddleware)
    harden(
        app,
        max_request_bytes=settings.max_request_bytes,
        cors_allow_origins=settings.cors_allow_origins,
        path_caps={BULK_PATH: settings.max_bulk_request_bytes},
    )
    app.include_router(posts_router)
    app.include_router(preview_router)
    app.include_router(api_keys_router)
    app.include_router(accounts_router)
    app.include_router(webhooks_router)
    app.include_router(queue_router)
    app.include_router(asyncapi_router(settings.kafka_bootstrap_servers))
    app.include_router(events_router)
    app.include_router(sign_in_router)
    if settings.web_dist_dir is not None:
        oidc = [origin_of(settings.auth_issuer)] if settings.auth_oidc_client_id else []
        mount_dashboard(app, settings.web_dist_dir, connect_sources=oidc)
    install_openapi(app)
    if settings.auth_dev_public_key_file and settings.environment != "prod":
        app.include_router(dev_jwks_router(settings.auth_dev_public_key_file))
    return app


def refuse_unsafe_production(settings: Settings) -> None:
    """In prod, what dev makes optional is required: start-up stops with the variable to set."""
    if settings.environment != "prod":
        return
    if settings.token_encryption_keys is None:
        raise SystemExit(
            "HERALD_TOKEN_ENCRYPTION_KEYS is required in prod (connected accounts' tokens are sealed)"
        )
    if not settings.auth_jwks_url:
        raise SystemExit(
            "HERALD_AUTH_JWKS_URL is required in prod: tokens are verified against the identity "
            "provider's keys, never the dev signing key (set HERALD_ENVIRONMENT=dev for local use)"
        )


def run() -> None:
    """`herald-api-gateway` serves, `migrate` applies the migrations; two more commands manage accounts."""
    settings = load_settings(Settings)
    if sys.argv[1:2] in (["rotate-token-key"], ["seed-dev-accounts"]):
        from herald_gateway import cli

        asyncio.run(cli.run(sys.argv[1], settings))
        return
    # (create_app refuses an unsafe production configuration, in every worker)
    run_service(
        settings,
        lambda: create_app(settings),
        [
            (SCHEMA, MIGRATIONS),
            (ACCOUNTS_SCHEMA, ACCOUNTS_MIGRATIONS),
            (WEBHOOKS_SCHEMA, WEBHOOKS_MIGRATIONS),
        ],
        worker_factory="herald_gateway.main:worker_app",
    )


def worker_app() -> FastAPI:
    """One server process of several (HERALD_HTTP_WORKERS): each has its own pools and consumers."""
    settings = load_settings(Settings)
    return prepare_process(settings, create_app(settings))


if __name__ == "__main__":
    run()

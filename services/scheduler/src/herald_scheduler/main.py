"""Composition root of the scheduler service: stores schedules durably and emits one post.due event
per platform at the due time."""

from __future__ import annotations

import gc
import socket
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI

from herald_common.app import Components, create_service_app
from herald_common.intake import IntakeRules
from herald_common.kafka.broker import create_broker
from herald_common.kafka.security import client_security
from herald_common.runtime import Infra, run_service
from herald_common.settings import load_settings
from herald_scheduler import handlers
from herald_scheduler.emitter import Emitter
from herald_scheduler.engine import Engine, EngineConfig
from herald_scheduler.model import LeaseTerms
from herald_scheduler.service import SchedulingService
from herald_scheduler.settings import Settings
from herald_scheduler.watchdog import Watchdog, WatchdogConfig

SCHEMA = "scheduler"
MIGRATIONS = Path(__file__).parent / "migrations"


def owner_id(settings: Settings) -> str:
    # A fresh suffix per start: a restarted replica must not mistake its predecessor's leases for its own.
    return settings.scheduler_owner_id or f"{socket.gethostname()}-{uuid.uuid4().hex[:8]}"


def quiet_garbage_collector() -> None:
    """Full collections walk every tracked object: with 100,000+ leased rows in the heap each one took
    tens of ms, paid by whichever fire or encode allocated at that moment (profiled at 5,000/s).
    What exists after start-up (modules, app) is frozen out of them, and young collections run less
    often; leased rows are acyclic and freed by reference counting, so this delays no memory."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 50, 100)


def build_engine(settings: Settings, pool: object, emitter: Emitter, owner: str) -> Engine:
    terms = LeaseTerms(owner, settings.scheduler_lease_ttl_seconds, settings.scheduler_lease_horizon_seconds)
    config = EngineConfig(
        sweep_interval=settings.scheduler_sweep_interval_seconds,
        claim_batch=settings.scheduler_claim_batch_size,
        max_heap=settings.scheduler_max_heap_size,
        fire_batch=settings.scheduler_fire_batch_size,
        max_inflight=settings.scheduler_max_inflight_batches,
        finish_interval=settings.scheduler_finish_interval_seconds,
        gauge_interval=settings.scheduler_pending_gauge_interval_seconds,
        drain_timeout=settings.shutdown_grace_seconds,
        answer_timeout=settings.answer_timeout_seconds,
    )
    return Engine(pool, emitter, terms, config)


def build_watchdog(settings: Settings, pool: object, emitter: Emitter) -> Watchdog:
    config = WatchdogConfig(
        answer_timeout=settings.answer_timeout_seconds,
        max_redrives=settings.scheduler_max_redrives,
        interval=settings.scheduler_watchdog_interval_seconds,
        batch=settings.scheduler_watchdog_batch_size,
    )
    return Watchdog(pool, emitter, config)


def scheduler_components(settings: Settings, emitter: Emitter, owner: str) -> Components:
    """`emitter` is the broker's producer (open_infra starts and stops it)."""

    @asynccontextmanager
    async def components(infra: Infra, app: FastAPI) -> AsyncIterator[None]:
        assert infra.pool is not None
        assert infra.broker is not None
        engine = build_engine(settings, infra.pool, emitter, owner)
        service = SchedulingService(engine.terms, settings.scheduler_default_grace_seconds)
        handlers.register(
            infra.broker,
            infra.pool,
            service,
            engine,
            emitter,
            settings.scheduler_consumer_group,
            settings.scheduler_intake_batch_size,
            rules=IntakeRules.from_settings(settings),
        )
        handlers.register_results(
            infra.broker,
            infra.pool,
            settings.scheduler_results_consumer_group,
            settings.scheduler_intake_batch_size,
        )
        watchdog = build_watchdog(settings, infra.pool, emitter)
        app.state.engine = engine
        app.state.watchdog = watchdog
        quiet_garbage_collector()
        await engine.start()
        watchdog.start()
        try:
            yield
        finally:  # the broker has stopped consuming by now: stop firing, hand back the leases
            await watchdog.stop()
            await engine.stop()

    return components


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or load_settings(Settings)
    owner = owner_id(settings)
    emitter = Emitter(settings.kafka_bootstrap_servers, owner, client_security(settings))
    broker = create_broker(settings, producer=emitter)
    return create_service_app(
        settings,
        title="Herald scheduler",
        broker=broker,
        schema=SCHEMA,
        migrations=MIGRATIONS,
        use_redis=False,
        components=scheduler_components(settings, emitter, owner),
    )


def run() -> None:
    settings = load_settings(Settings)
    run_service(settings, lambda: create_app(settings), [(SCHEMA, MIGRATIONS)])


if __name__ == "__main__":
    run()

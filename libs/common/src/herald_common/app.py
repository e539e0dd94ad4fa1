"""The composition of a Herald service process: infra, the service's own components, the broker, HTTP.

Start order: connect infra -> enter the service's components (they register subscribers and
start loops) -> start consuming. Stop order is the reverse, so on SIGTERM nothing new is
consumed, in-flight handlers finish and commit, components stop, then connections close.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager, nullcontext
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from faststream.kafka import KafkaBroker

from herald_common.runtime import Infra, open_infra, start_broker
from herald_common.settings import HeraldSettings
from herald_common.web import add_observability

Components = Callable[[Infra, FastAPI], AbstractAsyncContextManager[Any]]


def create_service_app(
    settings: HeraldSettings,
    *,
    title: str,
    version: str = "0.1.0",
    broker: KafkaBroker | None = None,
    schema: str | None = None,
    migrations: Path | None = None,
    use_redis: bool = True,
    reset_sessions: bool = True,
    components: Components | None = None,
    **fastapi_kwargs: Any,
) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with open_infra(
            settings,
            schema=schema,
            migrations=migrations,
            broker=broker,
            use_redis=use_redis,
            reset_sessions=reset_sessions,
        ) as infra:
            app.state.infra = infra
            async with components(infra, app) if components else nullcontext():
                if broker is not None:
                    await start_broker(broker)
                try:
                    yield
                finally:
                    for stop_taking in infra.before_broker_stop:
                        await stop_taking()
                    if broker is not None:
                        await broker.stop()

    app = FastAPI(title=title, version=version, lifespan=lifespan, **fastapi_kwargs)
    add_observability(app, lambda: _checks(app), settings.readiness_timeout_seconds)
    return app


def _checks(app: FastAPI) -> Any:
    infra: Infra | None = getattr(app.state, "infra", None)
    if infra is None:
        return {"startup": _not_started}
    return infra.readiness_checks()


async def _not_started() -> bool:
    return False

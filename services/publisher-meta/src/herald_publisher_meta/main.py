"""Composition root of the publisher-meta service: Publishes due posts to Facebook Pages and Instagram."""

from __future__ import annotations

import sys
from pathlib import Path

from fastapi import FastAPI

from herald_common.app import create_service_app
from herald_common.kafka.broker import create_broker
from herald_common.runtime import migrate, serve
from herald_common.settings import load_settings
from herald_publisher_meta.settings import Settings

SCHEMA = "publisher_meta"
MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or load_settings(Settings)
    broker = create_broker(settings)
    return create_service_app(settings, title="Herald publisher-meta", broker=broker, schema=SCHEMA,
                              migrations=MIGRATIONS)


def run() -> None:
    """`herald-publisher-meta` serves; `herald-publisher-meta migrate` only applies the migrations (Kubernetes Job)."""
    settings = load_settings(Settings)
    if sys.argv[1:] == ["migrate"]:
        import asyncio

        asyncio.run(migrate(settings, SCHEMA, MIGRATIONS))
        return
    serve(create_app(settings), settings)


if __name__ == "__main__":
    run()

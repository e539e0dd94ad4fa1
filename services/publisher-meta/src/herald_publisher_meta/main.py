"""Composition root of the Meta publisher (Facebook Pages and Instagram)."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import httpx
from fastapi import FastAPI

from herald_common.platforms import Platform
from herald_common.publishing.app import create_publisher_app, run_publisher
from herald_common.publishing.client import PlatformClient
from herald_common.settings import load_settings
from herald_publisher_meta.facebook import FacebookClient
from herald_publisher_meta.instagram import InstagramClient
from herald_publisher_meta.settings import Settings

TITLE = "Herald publisher-meta"


def clients_for(settings: Settings) -> Callable[[httpx.AsyncClient], Mapping[Platform, PlatformClient]]:
    return lambda http: {
        Platform.FACEBOOK: FacebookClient(http, settings),
        Platform.INSTAGRAM: InstagramClient(http, settings),
    }


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or load_settings(Settings)
    return create_publisher_app(settings, clients_for(settings), title=TITLE)


def run() -> None:
    settings = load_settings(Settings)
    run_publisher(settings, clients_for(settings), title=TITLE)


if __name__ == "__main__":
    run()

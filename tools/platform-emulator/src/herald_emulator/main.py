"""Composition root: builds the FastAPI app and runs it under uvicorn."""

from fastapi import FastAPI

from herald_emulator import (
    facebook,
    graph_comments,
    graph_objects,
    inspection,
    instagram,
    linkedin,
    linkedin_comments,
    linkedin_images,
    oauth_linkedin,
    oauth_meta,
    oauth_x,
    twitter,
    twitter_media,
)
from herald_emulator.config import EmulatorConfig
from herald_emulator.media_assets import default_assets
from herald_emulator.settings import Settings, load_settings
from herald_emulator.state import EmulatorState


def create_app(settings: Settings | None = None, config: EmulatorConfig | None = None) -> FastAPI:
    settings = settings or load_settings()
    config = config or EmulatorConfig(rate_limits_enabled=settings.rate_limits_enabled)
    app = FastAPI(
        title="Herald platform emulator",
        version="0.1.0",
        description="Stand-in for the LinkedIn, X, Facebook and Instagram APIs, for tests and demos.",
    )
    app.state.emulator = EmulatorState(config)
    app.state.media_assets = default_assets()
    # Order matters: literal paths first, Meta's catch-all `/{id}/...` Graph paths last.
    for module in (
        inspection,
        linkedin,
        linkedin_comments,
        linkedin_images,
        oauth_linkedin,
        twitter,
        twitter_media,
        oauth_x,
        oauth_meta,
        facebook,
        instagram,
        graph_comments,
        graph_objects,
    ):
        app.include_router(module.router)
    return app


def run() -> None:
    import uvicorn

    settings = load_settings()
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port)

"""Settings of the API gateway (HERALD_* environment variables)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field

from herald_common.settings import HeraldSettings


class Settings(HeraldSettings):
    service_name: str = "api-gateway"
    http_port: int = 8000

    auth_dev_public_key_file: Path | None = Field(None, description="PEM key that verifies make dev's tokens")
    auth_issuer: str = "herald-dev"
    auth_audience: str = "herald-api"
    auth_leeway_seconds: int = 30

    cancel_wait_seconds: float = Field(
        3.0, ge=0, description="how long DELETE waits for the scheduler's answer"
    )
    idempotency_ttl_hours: int = 24
    outbox_batch_size: int = Field(500, ge=1)
    outbox_fallback_poll_seconds: float = Field(1.0, gt=0, description="sweep for rows a missed NOTIFY left")

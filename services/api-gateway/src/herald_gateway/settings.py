"""Settings of the API gateway (HERALD_* environment variables)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, field_validator

from herald_common.accounts.settings import AccountSettings
from herald_common.webhooks.settings import WebhookSettings


class Settings(AccountSettings, WebhookSettings):
    service_name: str = "api-gateway"
    http_port: int = 8000

    auth_jwks_url: str | None = Field(None, description="the identity provider's JWKS (OpenID Connect)")
    auth_issuer: str = "herald-dev"
    auth_audience: str = "herald-api"
    auth_algorithms: list[str] = Field(
        ["RS256", "ES256"], description="asymmetric only: HS* would accept forgeries"
    )
    auth_user_claim: str = "sub"
    auth_businesses_claim: str = Field(
        "businesses", description="claim (dotted path) with the user's business ids"
    )
    auth_leeway_seconds: int = Field(30, ge=0, le=300)
    auth_dev_public_key_file: Path | None = Field(
        None, description="make dev's signing key: published as a JWKS at /dev/jwks.json (not in prod)"
    )

    auth_dev_signing_key_file: Path | None = Field(
        None, description="make dev's private key: the dashboard's demo sign-in signs with it (never in prod)"
    )
    auth_oidc_client_id: str | None = Field(
        None, description="the dashboard's public OIDC client (authorization code + PKCE at auth_issuer)"
    )
    auth_oidc_scope: str = "openid profile email"

    @field_validator("auth_algorithms")
    @classmethod
    def _asymmetric_only(cls, value: list[str]) -> list[str]:
        if not value or any(a.upper().startswith("HS") or a.lower() == "none" for a in value):
            raise ValueError("only asymmetric algorithms (RS*, ES*, PS*, EdDSA) may verify tokens")
        return value

    rate_limits_enabled: bool = True
    rate_limit_publish: str = "20/hour"
    rate_limit_publish_multi: str = "10/hour"
    rate_limit_schedule: str = "50/hour"
    rate_limit_list: str = "100/minute"
    rate_limit_cancel: str = "100/hour"
    rate_limit_other: str = Field("600/minute", description="every other authenticated route")
    rate_limit_unauthenticated: str = Field("60/minute", description="per IP, routes without a caller")
    rate_limit_failed_auth: str = Field(
        "30/minute", description="per IP: failed authentications before 429 (guessing keys or tokens)"
    )
    api_keys_per_business: int = Field(50, ge=1, description="active API keys a business may hold")

    max_request_bytes: int = Field(256 * 1024, ge=1024, description="larger bodies are refused with 413")
    max_bulk_request_bytes: int = Field(
        32 * 1024 * 1024, ge=1024, description="the cap of POST /api/v2/posts/bulk (CSV / JSON lines uploads)"
    )
    bulk_max_rows: int = Field(50_000, ge=1, description="more rows in one bulk upload are refused with 413")
    cors_allow_origins: list[str] = Field(
        [], description="browser origins allowed to call the API; none by default"
    )

    oauth_state_ttl_seconds: int = Field(
        600, ge=60, description="how long a consent may take (state and PKCE)"
    )
    oauth_link_ttl_seconds: int = Field(
        120, ge=10, le=3600, description="how long a link from POST /api/oauth/{platform}/links opens"
    )
    oauth_success_redirect: str | None = Field(None, description="where the browser goes after connecting")

    cancel_wait_seconds: float = Field(
        3.0, ge=0, description="how long DELETE waits for the scheduler's answer"
    )
    idempotency_ttl_hours: int = 24
    idempotency_purge_interval_seconds: float = 600.0
    outbox_batch_size: int = Field(500, ge=1)
    status_batch_size: int = Field(500, ge=1, description="lifecycle events applied per transaction")
    outbox_fallback_poll_seconds: float = Field(
        1.0, gt=0, description="how often the relay sweeps for events no one produced"
    )
    outbox_direct_wait_seconds: float = Field(
        2.0, gt=0, description="how long an accept waits for Kafka's ack before leaving it to the relay"
    )
    outbox_sweep_after_seconds: float = Field(
        3.0, gt=0, description="the relay sends rows older than this (younger ones are produced directly)"
    )

    events_heartbeat_seconds: float = Field(
        15.0, gt=0, description="comment sent on idle event streams (and when they re-read the log)"
    )
    events_retention_hours: float = Field(
        72.0, gt=0, description="how long status changes stay resumable (Last-Event-ID)"
    )
    web_dist_dir: Path | None = Field(None, description="the built dashboard (web/dist), served at /app/")

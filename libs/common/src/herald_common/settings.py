"""Settings shared by every service: one pydantic-settings class, read from HERALD_* variables.

Each service subclasses `HeraldSettings` with its own fields; nothing else reads os.environ.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Literal, TypeVar

from pydantic import Field, SecretStr, ValidationError, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class HeraldSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HERALD_", extra="ignore", frozen=True)

    service_name: str = "herald"
    # Production unless told otherwise: a deployment that forgets the variable gets prod's refusals
    # (no dev signing key, sealed tokens required), never dev's conveniences. make dev/test set it.
    environment: Literal["dev", "test", "prod"] = Field(
        "prod", description="dev | test | prod (the default); prod refuses dev-only conveniences"
    )

    kafka_bootstrap_servers: str = "127.0.0.1:19092"
    kafka_topic_partitions: int = Field(6, ge=1, description="partitions for topics the project creates")
    database_url: str = "postgresql://postgres@127.0.0.1:15432/herald"
    database_pool_min: int = Field(2, ge=0)
    database_pool_max: int = Field(10, ge=1)
    redis_url: str = "redis://127.0.0.1:16379/0"

    http_host: str = "127.0.0.1"
    http_port: int = 8000
    http_workers: int = Field(1, ge=1, le=16, description="server processes (services that support several)")
    log_level: str = "INFO"
    log_json: bool = True
    readiness_timeout_seconds: float = Field(1.0, gt=0, description="per-dependency budget of /health/ready")
    shutdown_grace_seconds: float = Field(
        15.0, gt=0, description="how long in-flight work may take on SIGTERM"
    )

    media_fetch_allow_hosts: list[str] = Field(
        [],
        description="host:port pairs accepted as media hosts although internal (tests, the local emulator)",
    )
    otlp_endpoint: str | None = Field(None, description="OTLP/HTTP traces endpoint; unset means no export")
    trace_file: Path | None = Field(None, description="also append finished spans to this JSON-lines file")
    trace_sample_ratio: float = Field(
        1.0,
        ge=0,
        le=1,
        description="share of new traces recorded; a trace started upstream keeps its decision",
    )
    kafka_lag_interval_seconds: float = Field(
        15.0, gt=0, description="how often herald_kafka_consumer_lag is measured (by the gateway)"
    )
    auto_migrate: bool = Field(True, description="apply this service's migrations at start-up")

    # Kafka security: every client (broker, producers, consumers, admin) takes these through
    # herald_common.kafka.security. See docs/security.md#kafka for the ACLs each service needs.
    kafka_security_protocol: Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] = "PLAINTEXT"
    kafka_sasl_mechanism: Literal["SCRAM-SHA-256", "SCRAM-SHA-512", "PLAIN"] = "SCRAM-SHA-512"
    kafka_sasl_username: str | None = Field(None, description="this service's Kafka principal (User:<name>)")
    kafka_sasl_password: SecretStr | None = None
    kafka_ssl_ca_file: Path | None = Field(None, description="CA bundle (PEM) to trust; unset: the system's")
    kafka_ssl_cert_file: Path | None = Field(None, description="client certificate (PEM), for mutual TLS")
    kafka_ssl_key_file: Path | None = Field(None, description="its private key (PEM)")
    kafka_ssl_check_hostname: bool = True
    kafka_request_producers: dict[str, list[int] | Literal["*"]] | None = Field(
        None,
        description="CloudEvents source -> the business ids it may act for ('*': all) on the requests "
        "topic; a request from another source is dead-lettered. Unset: not checked",
    )

    @model_validator(mode="after")
    def _kafka_credentials(self) -> HeraldSettings:
        if self.kafka_security_protocol.startswith("SASL_") and not (
            self.kafka_sasl_username and self.kafka_sasl_password
        ):
            raise ValueError(
                f"kafka_security_protocol {self.kafka_security_protocol} needs HERALD_KAFKA_SASL_USERNAME "
                "and HERALD_KAFKA_SASL_PASSWORD"
            )
        if (self.kafka_ssl_cert_file is None) != (self.kafka_ssl_key_file is None):
            raise ValueError("HERALD_KAFKA_SSL_CERT_FILE and HERALD_KAFKA_SSL_KEY_FILE go together")
        return self


SettingsT = TypeVar("SettingsT", bound=HeraldSettings)

# The previous system's variable names, and what Herald reads instead. A service refuses to start when
# one is set without its replacement, rather than silently running on a default (docs/migration.md).
PREVIOUS_NAMES: Mapping[str, str] = {
    "DATABASE_URL": "HERALD_DATABASE_URL",
    "REDIS_URL": "HERALD_REDIS_URL",
    "CLERK_SECRET_KEY": "HERALD_AUTH_JWKS_URL",
    "LINKEDIN_CLIENT_ID": "HERALD_LINKEDIN_CLIENT_ID",
    "LINKEDIN_CLIENT_SECRET": "HERALD_LINKEDIN_CLIENT_SECRET",
    "TWITTER_API_KEY": "HERALD_TWITTER_CONSUMER_KEY",
    "TWITTER_API_SECRET": "HERALD_TWITTER_CONSUMER_SECRET",
    "META_APP_ID": "HERALD_META_APP_ID",
    "META_APP_SECRET": "HERALD_META_APP_SECRET",
}
_HINTS = {
    "CLERK_SECRET_KEY": " (Herald verifies OIDC tokens through the provider's JWKS, e.g. "
    "https://<your Clerk domain>/.well-known/jwks.json, plus HERALD_AUTH_ISSUER and HERALD_AUTH_AUDIENCE)",
}


def previous_names_in_use(environ: Mapping[str, str]) -> list[str]:
    """One line per previous-system variable that is set while its Herald name is not."""
    return [
        f"  {old} is not read by Herald: set {new}{_HINTS.get(old, '')}"
        for old, new in PREVIOUS_NAMES.items()
        if environ.get(old) and not environ.get(new)
    ]


def load_settings(cls: type[SettingsT]) -> SettingsT:
    """Build settings from the environment, or exit with a message naming each bad variable."""
    stale = previous_names_in_use(os.environ)
    if stale:
        print("\n".join(["configuration uses the previous system's names:", *stale]), file=sys.stderr)
        raise SystemExit(2)
    try:
        return cls()
    except ValidationError as exc:
        prefix = cls.model_config.get("env_prefix", "")
        lines = [f"invalid configuration for {cls.__name__}:"]
        for err in exc.errors():
            name = prefix + "_".join(str(p) for p in err["loc"]).upper()
            lines.append(f"  {name}: {err['msg']}")
        print("\n".join(lines), file=sys.stderr)
        raise SystemExit(2) from None

"""Settings shared by every service: one pydantic-settings class, read from HERALD_* variables.

Each service subclasses `HeraldSettings` with its own fields; nothing else reads os.environ.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Literal, TypeVar

from pydantic import Field, ValidationError
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


SettingsT = TypeVar("SettingsT", bound=HeraldSettings)


def load_settings(cls: type[SettingsT]) -> SettingsT:
    """Build settings from the environment, or exit with a message naming each bad variable."""
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

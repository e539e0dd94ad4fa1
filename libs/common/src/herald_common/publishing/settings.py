"""Settings every publisher shares."""

from __future__ import annotations

from typing import Any

from pydantic import Field, model_validator

from herald_common.accounts.settings import AccountSettings


class PublisherSettings(AccountSettings):
    max_attempts: int = Field(5, ge=1, description="attempts per (post, platform) before it fails")
    retry_base_seconds: float = Field(2.0, gt=0)
    retry_cap_seconds: float = Field(300.0, gt=0)
    platform_timeout_seconds: float = Field(10.0, gt=0, description="per platform HTTP call")
    budgets_enabled: bool = Field(True, description="keep per-account request budgets in Redis")
    media_max_bytes: int = Field(16 * 1024 * 1024, gt=0, description="largest media file we fetch")
    media_fetch_timeout_seconds: float = Field(20.0, gt=0)
    max_in_flight: int = Field(
        128,
        ge=1,
        description="due events handled at once (each may wait on a platform call); "
        "the database pool and the HTTP connection pool are sized to match",
    )

    @model_validator(mode="before")
    @classmethod
    def _pool_fits_the_work_in_flight(cls, data: Any) -> Any:
        # A due event holds a database connection (its advisory lock) for as long as it runs.
        if isinstance(data, dict) and "database_pool_max" not in data:
            in_flight = int(data.get("max_in_flight", cls.model_fields["max_in_flight"].default))
            data = {**data, "database_pool_max": in_flight + 4}
        return data

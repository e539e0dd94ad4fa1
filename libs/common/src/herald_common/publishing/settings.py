"""Settings every publisher shares."""

from __future__ import annotations

from pydantic import Field

from herald_common.accounts.settings import AccountSettings


class PublisherSettings(AccountSettings):
    max_attempts: int = Field(5, ge=1, description="attempts per (post, platform) before it fails")
    retry_base_seconds: float = Field(2.0, gt=0)
    retry_cap_seconds: float = Field(300.0, gt=0)
    platform_timeout_seconds: float = Field(10.0, gt=0, description="per platform HTTP call")
    budgets_enabled: bool = Field(True, description="keep per-account request budgets in Redis")
    media_max_bytes: int = Field(16 * 1024 * 1024, gt=0, description="largest media file we fetch")
    media_fetch_timeout_seconds: float = Field(20.0, gt=0)

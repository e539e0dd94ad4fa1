"""Settings every publisher shares."""

from __future__ import annotations

from pydantic import Field

from herald_common.settings import HeraldSettings


class PublisherSettings(HeraldSettings):
    max_attempts: int = Field(5, ge=1, description="attempts per (post, platform) before it fails")
    retry_base_seconds: float = Field(2.0, gt=0)
    retry_cap_seconds: float = Field(300.0, gt=0)
    platform_timeout_seconds: float = Field(10.0, gt=0, description="per platform HTTP call")

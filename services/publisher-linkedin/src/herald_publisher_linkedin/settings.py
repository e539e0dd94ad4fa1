"""Settings of the LinkedIn publisher (HERALD_* environment variables)."""

from __future__ import annotations

from pydantic import Field

from herald_common.publishing.settings import PublisherSettings


class Settings(PublisherSettings):
    service_name: str = "publisher-linkedin"
    http_port: int = 8002

    linkedin_version: str = Field(
        "202609", pattern=r"^\d{6}$", description="LinkedIn-Version header (YYYYMM)"
    )
    # Until accounts are connected through OAuth (SettingsAccounts): one account from the environment.
    linkedin_access_token: str | None = None
    linkedin_author_urn: str = Field("urn:li:person:demo", pattern=r"^urn:li:(person|organization):.+")
    linkedin_daily_post_budget: int = Field(
        140, ge=1, description="posts per author per UTC day before we hold back (LinkedIn's cap: ~150)"
    )
    linkedin_image_poll_seconds: float = Field(0.5, gt=0)
    linkedin_image_max_wait_seconds: float = Field(60.0, gt=0)

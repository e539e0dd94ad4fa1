"""Settings of the Meta publisher: Facebook Pages and Instagram (HERALD_* environment variables)."""

from __future__ import annotations

from pydantic import Field

from herald_common.publishing.settings import PublisherSettings


class Settings(PublisherSettings):
    service_name: str = "publisher-meta"
    http_port: int = 8004

    # Until accounts are connected through OAuth (SettingsAccounts): one Page and its Instagram account.
    facebook_page_id: str = "100000000000001"
    facebook_page_token: str | None = None
    instagram_user_id: str = "17841400000000001"
    instagram_container_poll_seconds: float = Field(
        30.0,
        gt=0,
        description="longest pause between status polls (Meta suggests once a minute); starts at 0.5 s",
    )
    instagram_container_max_wait_seconds: float = Field(300.0, gt=0)
    meta_usage_reserve_percent: int = Field(
        5, ge=0, le=50, description="hold back when a BUC usage figure is within this of 100 %"
    )

"""Settings of the LinkedIn publisher (HERALD_* environment variables)."""

from __future__ import annotations

from pydantic import Field

from herald_common.publishing.settings import PublisherSettings


class Settings(PublisherSettings):
    service_name: str = "publisher-linkedin"
    http_port: int = 8002

    linkedin_api_base_url: str = "https://api.linkedin.com"
    linkedin_version: str = Field(
        "202609", pattern=r"^\d{6}$", description="LinkedIn-Version header (YYYYMM)"
    )
    # Until accounts are connected through OAuth, one account from the environment.
    linkedin_access_token: str | None = None
    linkedin_author_urn: str = Field("urn:li:person:demo", pattern=r"^urn:li:(person|organization):.+")

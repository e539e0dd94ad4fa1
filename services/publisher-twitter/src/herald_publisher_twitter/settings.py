"""Settings of the publisher-twitter service (HERALD_* environment variables)."""

from __future__ import annotations

from herald_common.settings import HeraldSettings


class Settings(HeraldSettings):
    service_name: str = "publisher-twitter"
    http_port: int = 8003

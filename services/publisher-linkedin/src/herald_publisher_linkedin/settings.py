"""Settings of the publisher-linkedin service (HERALD_* environment variables)."""

from __future__ import annotations

from herald_common.settings import HeraldSettings


class Settings(HeraldSettings):
    service_name: str = "publisher-linkedin"
    http_port: int = 8002

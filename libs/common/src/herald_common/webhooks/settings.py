"""Settings shared by the gateway (which checks endpoint URLs) and the notifier (which calls them)."""

from __future__ import annotations

from pydantic import Field, model_validator

from herald_common.settings import HeraldSettings


class WebhookSettings(HeraldSettings):
    webhooks_allow_loopback: bool = Field(
        False,
        description="dev and tests only: endpoints on 127.0.0.1 (any port, http) are allowed;"
        " refused in prod",
    )
    webhooks_max_endpoints_per_business: int = Field(20, ge=1)

    @model_validator(mode="after")
    def _no_loopback_in_prod(self) -> WebhookSettings:
        if self.environment == "prod" and self.webhooks_allow_loopback:
            raise ValueError("HERALD_WEBHOOKS_ALLOW_LOOPBACK must not be set in prod (SSRF)")
        return self

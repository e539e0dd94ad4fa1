"""Bodies of the webhooks API."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class NewWebhook(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: str = Field(max_length=2000, examples=["https://example.com/herald-hooks"])
    events: list[str] = Field(min_length=1, max_length=20, examples=[["post.published", "post.failed"]])
    description: str = Field("", max_length=500)
    business_id: int | None = None


class WebhookView(BaseModel):
    id: str
    business_id: int
    url: str
    events: list[str]
    description: str
    enabled: bool
    disabled_at: datetime | None
    disabled_reason: str | None
    """Why deliveries stopped; re-enable with POST /api/v2/webhooks/{id}/enable."""
    created_at: datetime


class WebhookCreated(WebhookView):
    secret: str
    """`whsec_…`: shown once; verify signatures with it."""


class SecretRotated(BaseModel):
    id: str
    secret: str
    """The new secret, shown once. The previous one keeps signing (a second signature) for 24 h."""
    previous_secret_expires_at: datetime


class DeliveryView(BaseModel):
    id: str
    webhook_id: str
    """The `webhook-id` header: the same on every retry and redelivery."""
    event_type: str
    post_id: str
    status: str
    """pending (will be tried at next_attempt_at), delivered, or failed (gave up)."""
    attempts: int
    next_attempt_at: datetime | None
    last_status_code: int | None
    last_error: str | None
    last_latency_ms: int | None
    delivered_at: datetime | None
    created_at: datetime


class DeliveryPage(BaseModel):
    items: list[DeliveryView]
    next_cursor: str | None

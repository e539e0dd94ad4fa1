"""Bodies of the webhooks API."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field
from pydantic.config import JsonDict

from herald_gateway.request_model import RequestModel

_VIEW: JsonDict = {
    "id": "wh_3f9a1c2b7d4e",
    "business_id": 1,
    "url": "https://example.com/herald-hooks",
    "events": ["post.published", "post.failed"],
    "description": "CRM sync",
    "enabled": True,
    "disabled_at": None,
    "disabled_reason": None,
    "created_at": "2030-01-01T09:00:00Z",
}
_DELIVERY: JsonDict = {
    "id": "dl_81c0f2",
    "webhook_id": "msg_2b7d4e5f60a1c3e9",
    "event_type": "post.published",
    "post_id": "9b2f6c1e-7f3a-4c1d-9a8e-1d2c3b4a5f60",
    "status": "delivered",
    "attempts": 1,
    "next_attempt_at": None,
    "last_status_code": 200,
    "last_error": None,
    "last_latency_ms": 84,
    "delivered_at": "2030-01-01T09:00:01Z",
    "created_at": "2030-01-01T09:00:00Z",
}


class NewWebhook(RequestModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "url": "https://example.com/herald-hooks",
                    "events": ["post.published", "post.failed"],
                    "description": "CRM sync",
                }
            ]
        },
    )

    url: str = Field(max_length=2000, examples=["https://example.com/herald-hooks"])
    events: list[str] = Field(min_length=1, max_length=20, examples=[["post.published", "post.failed"]])
    description: str = Field("", max_length=500)
    business_id: int | None = None


class WebhookView(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [_VIEW]})

    id: str
    business_id: int
    url: str
    events: list[str]
    description: str
    enabled: bool
    disabled_at: datetime | None = None
    disabled_reason: str | None = None
    """Why deliveries stopped; re-enable with POST /api/v2/webhooks/{id}/enable."""
    created_at: datetime


class WebhookCreated(WebhookView):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{**_VIEW, "secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"}]}
    )

    secret: str
    """`whsec_…`: shown once; verify signatures with it."""


class SecretRotated(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": _VIEW["id"],
                    "secret": "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD",
                    "previous_secret_expires_at": "2030-01-02T09:00:00Z",
                }
            ]
        }
    )

    id: str
    secret: str
    """The new secret, shown once. The previous one keeps signing (a second signature) for 24 h."""
    previous_secret_expires_at: datetime


class DeliveryView(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [_DELIVERY]})

    id: str
    webhook_id: str
    """The `webhook-id` header: the same on every retry and redelivery."""
    event_type: str
    post_id: str
    status: str
    """pending (will be tried at next_attempt_at), delivered, or failed (gave up)."""
    attempts: int
    next_attempt_at: datetime | None = None
    last_status_code: int | None = None
    last_error: str | None = None
    last_latency_ms: int | None = None
    delivered_at: datetime | None = None
    created_at: datetime


class DeliveryPage(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"items": [_DELIVERY], "next_cursor": None}]})

    items: list[DeliveryView]
    next_cursor: str | None = None

"""Settings of the notifier service (HERALD_* environment variables)."""

from __future__ import annotations

from pydantic import Field, SecretStr

from herald_common.webhooks.settings import WebhookSettings

# Standard Webhooks' suggested schedule: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h (about 27.5 h in all).
DEFAULT_RETRY_SCHEDULE = (5.0, 300.0, 1800.0, 7200.0, 18000.0, 36000.0, 36000.0)


class Settings(WebhookSettings):
    service_name: str = "notifier"
    http_port: int = 8005

    token_encryption_keys: SecretStr | None = Field(
        None, description="kid:base64(32 bytes) pairs (the gateway's key ring): opens the signing secrets"
    )
    notifier_consumer_group: str = Field("notifier", description="Kafka consumer group of POST_LIFECYCLE")
    notifier_intake_batch_size: int = Field(500, ge=1, description="lifecycle records stored per transaction")
    notifier_retry_schedule_seconds: tuple[float, ...] = Field(
        DEFAULT_RETRY_SCHEDULE,
        min_length=1,
        description="waits between attempts (jittered by up to ±20%); after the last, the delivery fails"
        " and its endpoint is disabled",
    )
    notifier_request_timeout_seconds: float = Field(15.0, gt=0, description="per delivery request")
    notifier_concurrency: int = Field(64, ge=1, description="requests in flight per replica")
    notifier_poll_interval_seconds: float = Field(
        1.0, gt=0, description="fallback: how often the loop looks for due retries without being woken"
    )
    notifier_retention_days: float = Field(
        30.0,
        gt=0,
        description="finished deliveries (the log GET /api/v2/webhooks/{id}/deliveries shows) and the"
        " statuses of finished posts are kept this long",
    )
    notifier_gauge_interval_seconds: float = Field(15.0, gt=0, description="pending/disabled gauges refresh")

    @property
    def lease_seconds(self) -> float:
        """A claimed delivery whose replica died is tried again after this."""
        return self.notifier_request_timeout_seconds + 30.0

"""Settings of the scheduler service (HERALD_* environment variables)."""

from __future__ import annotations

from pydantic import Field, model_validator

from herald_common.settings import HeraldSettings


class Settings(HeraldSettings):
    service_name: str = "scheduler"
    http_port: int = 8001

    scheduler_consumer_group: str = Field("scheduler", description="Kafka consumer group of POST_REQUESTS")
    scheduler_owner_id: str | None = Field(
        None, description="this replica's lease owner id; unset means hostname + random suffix per start"
    )
    scheduler_default_grace_seconds: int = Field(
        300, ge=0, description="late_policy=skip: how late a post may still go out when it sets no grace"
    )
    scheduler_lease_horizon_seconds: float = Field(
        5.0, gt=0, description="rows due within this many seconds are leased into a replica's timer heap"
    )
    scheduler_lease_ttl_seconds: float = Field(
        30.0, gt=0, description="a lease not finished by then is taken over by another replica"
    )
    scheduler_sweep_interval_seconds: float = Field(
        0.2,
        gt=0,
        description="how often a replica looks for newly due or abandoned rows; often, so that each claim"
        " is a small slice (a 5,000-row claim every second stalled the CAS commits behind its WAL flush)",
    )
    scheduler_claim_batch_size: int = Field(
        250,
        ge=1,
        description="rows leased per claim statement; small, so each claim's statement, commit and"
        " decoding fit between two fires (1,000-row claims put 40 ms spikes on lateness at 5,000/s)",
    )
    scheduler_max_heap_size: int = Field(
        200_000, ge=1, description="rows one replica holds in memory at most"
    )
    scheduler_fire_batch_size: int = Field(2000, ge=1, description="rows per compare-and-set + produce batch")
    scheduler_max_inflight_batches: int = Field(
        4, ge=1, description="fired batches being produced at once (the CAS itself stays sequential)"
    )
    scheduler_finish_interval_seconds: float = Field(
        0.02,
        gt=0,
        description="how long fired rows wait to be announced (PostDispatched) and marked sent together",
    )
    scheduler_intake_batch_size: int = Field(500, ge=1, description="post requests consumed per transaction")
    scheduler_pending_gauge_interval_seconds: float = Field(
        15.0, gt=0, description="how often herald_scheduler_pending_schedules is refreshed"
    )
    scheduler_results_consumer_group: str = Field(
        "scheduler-results", description="Kafka consumer group of POST_LIFECYCLE (the watchdog's results)"
    )
    scheduler_platform_timeout_seconds: float = Field(
        10.0, gt=0, description="the publishers' per-call platform timeout (HERALD_PLATFORM_TIMEOUT_SECONDS)"
    )
    scheduler_platform_calls_per_attempt: int = Field(
        6,
        ge=1,
        description="platform calls one attempt may make at worst: look up a lost call, the call, and"
        " the call again after a token refresh, for a post and its first comment",
    )
    scheduler_answer_slack_seconds: float = Field(
        30.0, ge=0, description="added to the calls' time: consumer lag, media fetches, producing the result"
    )
    scheduler_answer_timeout_seconds: float | None = Field(
        None,
        gt=0,
        description="how long a sent due event waits for its result before it is re-driven; unset:"
        " platform_timeout x calls_per_attempt + answer_slack (90 s by default)",
    )
    scheduler_max_redrives: int = Field(
        3, ge=0, description="re-drives of an unanswered due event before the target is failed"
    )
    scheduler_watchdog_interval_seconds: float = Field(
        5.0, gt=0, description="how often a replica looks for sent due events whose result is overdue"
    )
    scheduler_watchdog_batch_size: int = Field(500, ge=1, description="overdue rows handled per transaction")

    @property
    def answer_timeout_seconds(self) -> float:
        """The watchdog's bound; see docs/reliability.md (stuck-work watchdog) for the formula."""
        if self.scheduler_answer_timeout_seconds is not None:
            return self.scheduler_answer_timeout_seconds
        return (
            self.scheduler_platform_timeout_seconds * self.scheduler_platform_calls_per_attempt
            + self.scheduler_answer_slack_seconds
        )

    @model_validator(mode="after")
    def _lease_outlives_horizon(self) -> Settings:
        # A lease shorter than the look-ahead would expire while its row still waits in the heap.
        if self.scheduler_lease_ttl_seconds <= self.scheduler_lease_horizon_seconds:
            raise ValueError("scheduler_lease_ttl_seconds must exceed scheduler_lease_horizon_seconds")
        return self

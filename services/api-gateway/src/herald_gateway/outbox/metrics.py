"""The outbox's metrics, shared by the direct producer and the relay."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

OUTBOX_BACKLOG = Gauge("herald_outbox_backlog_events", "Events in the outbox not yet relayed (leader's view)")
RELAY_LAG = Histogram(
    "herald_outbox_relay_lag_seconds",
    "From outbox commit to Kafka acknowledgement, produced directly or by the relay",
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
DIRECT_PRODUCES = Counter(
    "herald_outbox_direct_produces_total",
    "Events produced right after their commit: acked, or left to the relay (failed or too slow)",
    ["outcome"],
)

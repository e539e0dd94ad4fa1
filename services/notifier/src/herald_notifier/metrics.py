"""The notifier's Prometheus metrics (base units, _total counters, no ids as labels)."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

DELIVERIES = Counter(
    "herald_webhook_deliveries_total",
    "Delivery attempts by outcome: delivered, retry (will be tried again), gave_up (retries exhausted)",
    ["outcome"],
)
DELIVERY_LATENCY = Histogram(
    "herald_webhook_delivery_latency_seconds",
    "From the lifecycle event's time to the receiver's 2xx answer",
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0, 3600.0),
)
PENDING = Gauge("herald_webhook_deliveries_pending", "Deliveries not yet delivered nor given up")
DISABLED_ENDPOINTS = Gauge(
    "herald_webhook_endpoints_disabled", "Endpoints disabled after failing deliveries (re-enabled by the API)"
)

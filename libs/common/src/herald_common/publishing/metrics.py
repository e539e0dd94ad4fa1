"""Publisher metrics (RED for the platform calls, outcomes per attempt)."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

ATTEMPTS = Counter(
    "herald_publish_attempts_total",
    "Publish attempts of a (post, platform), by outcome",
    ["platform", "outcome"],
)
RETRIES = Counter(
    "herald_publish_retries_total", "Attempts handed back to the scheduler for later", ["platform"]
)
PLATFORM_CALLS = Histogram(
    "herald_platform_request_duration_seconds",
    "Calls to a platform API, by operation and outcome",
    ["platform", "operation", "outcome"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
RATE_LIMIT_WAITS = Counter(
    "herald_platform_rate_limit_waits_total",
    "Times a platform answered 429 or we held back before it would",
    ["platform"],
)

"""The scheduler's Prometheus metrics (base units, _total counters, no ids as labels)."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

PENDING_SCHEDULES = Gauge(
    "herald_scheduler_pending_schedules", "Schedules whose due event has not been emitted yet"
)
DUE_EVENTS_EMITTED = Counter(
    "herald_scheduler_due_events_emitted_total", "post.due events produced and acknowledged", ["platform"]
)
LATENESS = Histogram(
    "herald_scheduler_lateness_seconds",
    "Emit time (produce acknowledged) minus due_at",
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
CANCELS = Counter("herald_scheduler_cancels_total", "Cancel requests answered, by outcome", ["outcome"])
EDITS = Counter("herald_scheduler_edits_total", "Edit requests answered, by outcome", ["outcome"])
MISSED = Counter("herald_scheduler_missed_total", "Schedules given up as missed (late_policy=skip)")
HEAP_SIZE = Gauge("herald_scheduler_timer_heap_size", "Rows this replica holds leased in memory")
REDRIVES = Counter(
    "herald_scheduler_redrives_total",
    "Due events produced again (same event id) because no result came within the bound",
    ["platform"],
)
UNANSWERED_FAILURES = Counter(
    "herald_scheduler_unanswered_failures_total",
    "Targets failed by the watchdog: no result after the last allowed re-drive",
    ["platform"],
)
STUCK_TARGETS = Gauge(
    "herald_scheduler_stuck_targets",
    "Sent due events whose result is overdue or that were re-driven and are still unanswered",
)
RESULTS_SETTLED = Counter(
    "herald_scheduler_results_settled_total",
    "Sent due events whose result (published, failed, missed) the watchdog has seen",
)

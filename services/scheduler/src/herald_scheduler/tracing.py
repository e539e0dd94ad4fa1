"""The due event's place in its post's trace, kept off the fire path.

The row's stored `traceparent` is the scheduler's CONSUMER span for the request that created it. When
the row is armed, a PRODUCER span for its due event is started as a child of it, with its start set
to the due instant, and its context goes into the record encoded then; the fire path only sends the
bytes, and the span is ended once Kafka acknowledged — so its duration is that event's lateness.
A row cancelled or taken over after it was armed drops its span unended (never exported).
"""

from __future__ import annotations

from collections.abc import Iterable

from opentelemetry.trace import Span, SpanKind
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

from herald_common import telemetry
from herald_common.events import topics
from herald_common.kafka.tracing import TRACEPARENT, messaging_attributes, traceparent_of
from herald_common.platforms import Platform
from herald_scheduler import messages
from herald_scheduler.model import Schedule

_PROPAGATOR = TraceContextTextMapPropagator()


def start_due_span(row: Schedule) -> tuple[Span | None, str | None]:
    """(the span, the traceparent the due event carries): with tracing off, the stored context as is."""
    if row.traceparent is None or not telemetry.enabled():
        return None, row.traceparent
    topic = topics.post_due_topic(Platform(row.platform))
    event_id = messages.due_event_id(row.post_id, row.platform, row.attempt)
    span = telemetry.tracer().start_span(
        f"publish {topic}",
        context=_PROPAGATOR.extract({TRACEPARENT: row.traceparent}),
        kind=SpanKind.PRODUCER,
        attributes={
            **messaging_attributes(topic, "publish", {"ce_id": event_id}, row.post_id.encode()),
            "herald.attempt": row.attempt,
        },
        start_time=int(row.due_ts * 1e9),
    )
    return span, traceparent_of(span)


def end_due_spans(rows: Iterable[Schedule]) -> None:
    for row in rows:
        if row.due_span is not None:
            row.due_span.end()

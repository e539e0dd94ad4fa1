"""One post, one trace: W3C trace context in Kafka record headers, and messaging spans around it.

- `telemetry.inject_current` (called by `encode`) writes the current span as `traceparent` into a record being
  built, so a record stored now and produced later (the outbox, a schedule) still names its cause.
- `publish_spans` wraps producing pre-encoded records: one PRODUCER span per traced record, child
  of the context in its headers, whose own context replaces it on the wire.
- `TracingMiddleware` opens a CONSUMER span per record, child of the producer's span. A batch
  subscriber gets one span per record (not one per batch linked to many traces, as FastStream's
  TelemetryMiddleware does), because each record of the scheduler's batches belongs to its own
  post's trace; `batch_record_traceparent` lets the handler carry a record's span on.

Why not FastStream's TelemetryMiddleware: it starts a new root trace for every batch and for every
record without context, names the CloudEvents id nowhere, and costs its work per message even when
no provider is installed. With tracing off everything here returns at its first line.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import replace
from types import MappingProxyType
from typing import Any

from faststream import BaseMiddleware
from faststream.message import StreamMessage
from opentelemetry import trace
from opentelemetry.trace import Span, SpanKind, Status, StatusCode
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

from herald_common import telemetry
from herald_common.events.envelope import Envelope, KafkaRecord

TRACEPARENT = "traceparent"
TRACESTATE = "tracestate"
_PROPAGATOR = TraceContextTextMapPropagator()
_TRACE_HEADERS = (TRACEPARENT, TRACESTATE, "ce_id")

_NO_SPANS: Mapping[str, Span] = MappingProxyType({})
_batch_spans: contextvars.ContextVar[Mapping[str, Span]] = contextvars.ContextVar(
    "batch_spans", default=_NO_SPANS
)


def traceparent_of(span: Span) -> str | None:
    carrier: dict[str, str] = {}
    _PROPAGATOR.inject(carrier, trace.set_span_in_context(span))
    return carrier.get(TRACEPARENT)


def messaging_attributes(
    topic: str, operation: str, headers: Mapping[str, str], key: bytes | None
) -> dict[str, Any]:
    attrs: dict[str, Any] = {
        "messaging.system": "kafka",
        "messaging.destination.name": topic,
        "messaging.operation": operation,
    }
    if event_id := headers.get("ce_id"):
        attrs["messaging.message.id"] = event_id
    if key:
        attrs["messaging.kafka.message.key"] = key.decode(errors="replace")
    return attrs


@contextmanager
def publish_spans(records: Sequence[KafkaRecord]) -> Iterator[Sequence[KafkaRecord]]:
    """Yields the records to produce: traced ones carry their PRODUCER span's context instead. The
    spans end when the block does (after the acknowledgements), marked failed if it raised."""
    if not telemetry.enabled():
        yield records
        return
    tracer = telemetry.tracer()
    spans: list[Span] = []
    out: list[KafkaRecord] = []
    for r in records:
        if TRACEPARENT not in r.headers:
            out.append(r)
            continue
        span = tracer.start_span(
            f"publish {r.topic}",
            context=_PROPAGATOR.extract(r.headers),
            kind=SpanKind.PRODUCER,
            attributes=messaging_attributes(r.topic, "publish", r.headers, r.key),
        )
        headers = {k: v for k, v in r.headers.items() if k not in (TRACEPARENT, TRACESTATE)}
        _PROPAGATOR.inject(headers, trace.set_span_in_context(span))
        out.append(replace(r, headers=headers))
        spans.append(span)
    try:
        yield out
    except BaseException as exc:
        for span in spans:
            span.record_exception(exc)
            span.set_status(Status(StatusCode.ERROR, type(exc).__name__))
        raise
    finally:
        for span in spans:
            span.end()


def batch_record_traceparent(envelope: Envelope[Any]) -> str | None:
    """The context a batch record's work continues in: its CONSUMER span when this process traces,
    else the producer's context it arrived with (so the trace still goes on past us)."""
    span = _batch_spans.get().get(envelope.id)
    if span is not None:
        return traceparent_of(span)
    return envelope.extra_headers.get(TRACEPARENT)


def _headers_of(record: Any) -> dict[str, str]:
    return {k: v.decode(errors="replace") for k, v in record.headers or () if k in _TRACE_HEADERS}


class TracingMiddleware(BaseMiddleware):
    async def consume_scope(self, call_next: Any, msg: StreamMessage[Any]) -> Any:
        if not telemetry.enabled():
            return await call_next(msg)
        raw = msg.raw_message
        if isinstance(raw, tuple):
            return await self._consume_batch(call_next, msg, raw)
        headers = _headers_of(raw)
        with telemetry.tracer().start_as_current_span(
            f"process {raw.topic}",
            context=_PROPAGATOR.extract(headers),
            kind=SpanKind.CONSUMER,
            attributes={
                **messaging_attributes(raw.topic, "process", headers, raw.key),
                "messaging.destination.partition.id": str(raw.partition),
                "messaging.kafka.offset": raw.offset,
            },
        ):
            return await call_next(msg)

    async def _consume_batch(self, call_next: Any, msg: StreamMessage[Any], raw: tuple[Any, ...]) -> Any:
        tracer = telemetry.tracer()
        spans: dict[str, Span] = {}
        for record in raw:
            headers = _headers_of(record)
            if TRACEPARENT not in headers:
                continue
            spans[headers.get("ce_id", "")] = tracer.start_span(
                f"process {record.topic}",
                context=_PROPAGATOR.extract(headers),
                kind=SpanKind.CONSUMER,
                attributes={
                    **messaging_attributes(record.topic, "process", headers, record.key),
                    "messaging.destination.partition.id": str(record.partition),
                    "messaging.kafka.offset": record.offset,
                    "messaging.batch.message_count": len(raw),
                },
            )
        token = _batch_spans.set(spans)
        try:
            return await call_next(msg)
        except BaseException as exc:
            for span in spans.values():
                span.record_exception(exc)
                span.set_status(Status(StatusCode.ERROR, type(exc).__name__))
            raise
        finally:
            _batch_spans.reset(token)
            for span in spans.values():
                span.end()

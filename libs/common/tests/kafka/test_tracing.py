"""Trace context through `encode`/`decode` and the publish spans around producing: pure, no broker."""

from __future__ import annotations

import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from herald_common import telemetry
from herald_common.events import PostRequested, PostTarget, decode, encode, utcnow
from herald_common.kafka.tracing import TRACEPARENT, batch_record_traceparent, publish_spans
from herald_common.platforms import Platform

_EXPORTER = InMemorySpanExporter()
_PROVIDER = TracerProvider()
_PROVIDER.add_span_processor(SimpleSpanProcessor(_EXPORTER))


@pytest.fixture
def spans(monkeypatch: pytest.MonkeyPatch) -> InMemorySpanExporter:
    """Tracing on, into memory, for this test only (the module's switch is reset afterwards)."""
    monkeypatch.setattr(telemetry, "tracer", lambda: _PROVIDER.get_tracer("test"))
    monkeypatch.setattr(telemetry, "_enabled", True)
    _EXPORTER.clear()
    return _EXPORTER


def event() -> PostRequested:
    return PostRequested(
        post_id="p-1", business_id=1, targets=(PostTarget(platform=Platform.TWITTER),), requested_at=utcnow()
    )


def traceparent(span: trace.Span) -> str:
    ctx = span.get_span_context()
    return f"00-{ctx.trace_id:032x}-{ctx.span_id:016x}-{ctx.trace_flags:02x}"


def test_no_current_span_means_no_header() -> None:
    assert TRACEPARENT not in encode(event(), source="/test").headers


def test_encode_carries_the_current_span_and_decode_hands_it_back(spans: InMemorySpanExporter) -> None:
    with _PROVIDER.get_tracer("test").start_as_current_span("request") as span:
        record = encode(event(), source="/test", event_id="e-1")
    assert record.headers[TRACEPARENT] == traceparent(span)
    envelope = decode(record.value, record.headers)
    assert envelope.extra_headers[TRACEPARENT] == traceparent(span)
    # Without a span of our own (tracing off here), a batch record's work continues the producer's context.
    assert batch_record_traceparent(envelope) == traceparent(span)


def test_extra_headers_win_over_the_current_span(spans: InMemorySpanExporter) -> None:
    given = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
    with _PROVIDER.get_tracer("test").start_as_current_span("request"):
        record = encode(event(), source="/test", extra_headers={TRACEPARENT: given})
    assert record.headers[TRACEPARENT] == given


def test_publish_spans_are_children_of_the_stored_context(spans: InMemorySpanExporter) -> None:
    with _PROVIDER.get_tracer("test").start_as_current_span("request") as request:
        traced = encode(event(), source="/test", event_id="requested:p-1")
    untraced = encode(event(), source="/test")
    with publish_spans([traced, untraced]) as out:
        sent = list(out)
    assert sent[1] is untraced
    (publish,) = [s for s in spans.get_finished_spans() if s.kind is trace.SpanKind.PRODUCER]
    assert publish.parent is not None and publish.parent.span_id == request.get_span_context().span_id
    assert publish.context.trace_id == request.get_span_context().trace_id
    assert sent[0].headers[TRACEPARENT] == traceparent(publish)  # the wire names the publish span
    assert publish.name == "publish herald.post.requests.v1"
    assert publish.attributes == {
        "messaging.system": "kafka",
        "messaging.destination.name": "herald.post.requests.v1",
        "messaging.operation": "publish",
        "messaging.message.id": "requested:p-1",
        "messaging.kafka.message.key": "p-1",
    }


def test_a_failed_send_marks_its_spans(spans: InMemorySpanExporter) -> None:
    with _PROVIDER.get_tracer("test").start_as_current_span("request"):
        record = encode(event(), source="/test")
    with pytest.raises(ConnectionError), publish_spans([record]):
        raise ConnectionError("broker down")
    (publish,) = [s for s in spans.get_finished_spans() if s.kind is trace.SpanKind.PRODUCER]
    assert publish.status.status_code is trace.StatusCode.ERROR


def test_tracing_off_changes_nothing() -> None:
    records = [encode(event(), source="/test")]
    with publish_spans(records) as out:
        assert out is records

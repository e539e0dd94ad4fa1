"""OpenTelemetry set-up: spans go to an OTLP endpoint, a JSON-lines file, or nowhere.

With neither `HERALD_OTLP_ENDPOINT` nor `HERALD_TRACE_FILE` no provider is installed: the API
stays a no-op, nothing is instrumented, no `traceparent` header is written, and the Kafka
tracing middleware returns at its first line. `enabled()` is that switch, read per message.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import orjson
from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter, SpanExportResult
from opentelemetry.sdk.trace.sampling import ParentBased, TraceIdRatioBased
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

from herald_common.span_redaction import RedactingSpanExporter

_enabled = False

# Not traced: probes and scrapes would drown the traces that matter.
UNTRACED_URLS = "/health/live,/health/ready,/metrics"


def enabled() -> bool:
    """True once `configure_tracing` installed a provider in this process."""
    return _enabled


def tracer() -> trace.Tracer:
    return trace.get_tracer("herald")


_PROPAGATOR = TraceContextTextMapPropagator()


def inject_current(headers: dict[str, str]) -> None:
    """Write the current span's W3C context (`traceparent`) into message headers, if a span is
    current. With tracing off none ever is, so this is a context-variable read and a comparison."""
    if trace.get_current_span().get_span_context().is_valid:
        _PROPAGATOR.inject(headers)


class JsonLinesSpanExporter(SpanExporter):
    """One JSON object per finished span, appended to a file: for tests and for reading a trace by hand."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._file = path.open("ab")
        self._lock = threading.Lock()

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        lines = b"".join(orjson.dumps(span_to_dict(s), default=str) + b"\n" for s in spans)
        with self._lock:
            self._file.write(lines)
            self._file.flush()
        return SpanExportResult.SUCCESS

    def shutdown(self) -> None:
        with self._lock:
            self._file.close()


def span_to_dict(span: ReadableSpan) -> dict[str, Any]:
    ctx = span.get_span_context()
    assert ctx is not None
    return {
        "name": span.name,
        "kind": span.kind.name,
        "service": span.resource.attributes.get("service.name"),
        "trace_id": format(ctx.trace_id, "032x"),
        "span_id": format(ctx.span_id, "016x"),
        "parent_id": format(span.parent.span_id, "016x") if span.parent else None,
        "start_ns": span.start_time,
        "end_ns": span.end_time,
        "status": span.status.status_code.name,
        "attributes": dict(span.attributes or {}),
        "links": [format(link.context.span_id, "016x") for link in span.links],
    }


def configure_tracing(
    service: str,
    otlp_endpoint: str | None,
    trace_file: Path | None = None,
    sample_ratio: float = 1.0,
) -> TracerProvider | None:
    """Install a provider when spans have somewhere to go, and instrument outgoing httpx calls."""
    global _enabled
    if not otlp_endpoint and trace_file is None:
        return None
    provider = TracerProvider(
        resource=Resource.create({"service.name": service}),
        # A trace started upstream keeps its sampling decision; new traces are sampled at `sample_ratio`.
        sampler=ParentBased(TraceIdRatioBased(sample_ratio)),
    )
    if otlp_endpoint:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        exporter = RedactingSpanExporter(OTLPSpanExporter(endpoint=otlp_endpoint))
        provider.add_span_processor(BatchSpanProcessor(exporter))
    if trace_file is not None:
        exporter = RedactingSpanExporter(JsonLinesSpanExporter(trace_file))
        provider.add_span_processor(BatchSpanProcessor(exporter, schedule_delay_millis=200))
    trace.set_tracer_provider(provider)
    from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor

    # Patches httpx's transports: every client, the publishers' platform calls included, gets a
    # CLIENT span and sends `traceparent` on.
    HTTPXClientInstrumentor().instrument(tracer_provider=provider)
    _enabled = True
    return provider


def instrument_app(app: Any) -> None:
    """SERVER spans for a FastAPI app (named by route template), when tracing is on."""
    if not _enabled:
        return
    from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor

    FastAPIInstrumentor.instrument_app(app, excluded_urls=UNTRACED_URLS, exclude_spans=["receive", "send"])

"""Spans are redacted before any exporter sees them: URLs with tokens in their query, secret-named
attributes, exception events and status messages."""

from __future__ import annotations

from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import Status, StatusCode

from herald_common.span_redaction import RedactingSpanExporter

PAGE_TOKEN = "EAAVpagetoken1234567890"
URL = (
    "https://graph.example/v25.0/oauth/access_token?client_id=1&client_secret=s3cr3t"
    f"&grant_type=fb_exchange_token&fb_exchange_token={PAGE_TOKEN}"
)


def test_no_secret_reaches_the_exporter() -> None:
    memory = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(RedactingSpanExporter(memory)))
    tracer = provider.get_tracer("test")
    with tracer.start_as_current_span("GET", attributes={"http.url": URL, "url.full": URL}) as span:
        span.set_attribute("access_token", PAGE_TOKEN)
        span.set_attribute("url.query", f"code=AQTcode123&state=x&access_token={PAGE_TOKEN}")
        span.add_event("exception", {"exception.message": f"GET {URL} failed"})
        span.set_status(Status(StatusCode.ERROR, f"refused {URL}"))
    (exported,) = memory.get_finished_spans()
    text = repr(dict(exported.attributes or {})) + repr([dict(e.attributes or {}) for e in exported.events])
    text += exported.status.description or ""
    for secret in (PAGE_TOKEN, "s3cr3t", "AQTcode123"):
        assert secret not in text, secret
    assert exported.attributes is not None
    assert str(exported.attributes["http.url"]).startswith("https://graph.example/v25.0/oauth/access_token?")
    assert exported.name == "GET" and exported.status.status_code is StatusCode.ERROR

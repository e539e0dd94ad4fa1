"""CloudEvents 1.0 in Kafka binary mode: attributes as `ce_*` headers, the event data as the JSON value.

`encode` and `decode` are the only code that knows the wire format. `source` + `id` is the
dedupe key; the Kafka key is the post id. The W3C `traceparent` of the span current at `encode`
rides along as a plain header; `decode` hands it back in `extra_headers`.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Generic, TypeVar

from pydantic import ValidationError

from herald_common.events.base import Event, utcnow
from herald_common.events.registry import event_class
from herald_common.telemetry import inject_current

SPEC_VERSION = "1.0"
CONTENT_TYPE = "application/json"
E = TypeVar("E", bound=Event)
REQUIRED_HEADERS = ("ce_specversion", "ce_id", "ce_source", "ce_type")


class MalformedEvent(ValueError):
    """A record that is not a valid Herald event. `reason` says why, for the dead-letter topic."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Envelope(Generic[E]):
    id: str
    source: str
    type: str
    time: datetime
    data: E
    extra_headers: Mapping[str, str] = field(default_factory=dict)

    @property
    def dedupe_key(self) -> str:
        """`source` + `id` identify an event (webhook ids and parked lifecycle events derive from it)."""
        return f"{self.source}#{self.id}"


@dataclass(frozen=True, slots=True)
class KafkaRecord:
    """Everything needed to produce one event; what the outbox stores."""

    topic: str
    key: bytes
    value: bytes
    headers: dict[str, str]


def encode(
    event: Event,
    *,
    source: str,
    event_id: str | None = None,
    time: datetime | None = None,
    extra_headers: Mapping[str, str] | None = None,
) -> KafkaRecord:
    headers = {
        "ce_specversion": SPEC_VERSION,
        "ce_id": event_id or str(uuid.uuid4()),
        "ce_source": source,
        "ce_type": event.ce_type,
        "ce_time": (time or utcnow()).isoformat(),
        "ce_subject": event.post_id,
        "content-type": CONTENT_TYPE,
    }
    # The trace this event belongs to travels with it, even when it is stored first (the outbox).
    inject_current(headers)
    if extra_headers:
        headers.update(extra_headers)
    return KafkaRecord(event.topic_name(), event.partition_key(), event.model_dump_json().encode(), headers)


def normalise_headers(raw: Mapping[str, str | bytes] | Iterable[tuple[str, bytes]]) -> dict[str, str]:
    items = raw.items() if isinstance(raw, Mapping) else raw
    out: dict[str, str] = {}
    for key, value in items:
        if isinstance(value, bytes):
            try:
                value = value.decode()
            except UnicodeDecodeError:
                raise MalformedEvent(f"header {key!r} is not UTF-8") from None
        out[key] = value
    return out


def decode(
    value: bytes | None, headers: Mapping[str, str | bytes] | Iterable[tuple[str, bytes]]
) -> Envelope[Event]:
    """Parse and validate one record, or raise MalformedEvent with a reason a person can act on."""
    hdrs = normalise_headers(headers)
    missing = [h for h in REQUIRED_HEADERS if not hdrs.get(h)]
    if missing:
        raise MalformedEvent(f"missing CloudEvents header(s): {', '.join(missing)}")
    if hdrs["ce_specversion"] != SPEC_VERSION:
        raise MalformedEvent(
            f"unsupported ce_specversion {hdrs['ce_specversion']!r} (expected {SPEC_VERSION})"
        )
    content_type = hdrs.get("content-type", CONTENT_TYPE)
    if not content_type.startswith(CONTENT_TYPE):
        raise MalformedEvent(f"unsupported content-type {content_type!r} (expected {CONTENT_TYPE})")
    cls = event_class(hdrs["ce_type"])
    if cls is None:
        raise MalformedEvent(f"unknown ce_type {hdrs['ce_type']!r}")
    if not value:
        raise MalformedEvent("empty event data")
    try:
        data = cls.model_validate_json(value)
    except ValidationError as exc:
        raise MalformedEvent(f"invalid {hdrs['ce_type']} data: {_summarise(exc)}") from None
    try:
        time = datetime.fromisoformat(hdrs["ce_time"]) if hdrs.get("ce_time") else utcnow()
    except ValueError:
        raise MalformedEvent(f"ce_time {hdrs['ce_time']!r} is not an RFC 3339 timestamp") from None
    extra = {k: v for k, v in hdrs.items() if not k.startswith("ce_") and k != "content-type"}
    return Envelope(hdrs["ce_id"], hdrs["ce_source"], hdrs["ce_type"], time, data, extra)


def _summarise(exc: ValidationError, limit: int = 5) -> str:
    parts = []
    for err in exc.errors()[:limit]:
        loc = ".".join(str(p) for p in err["loc"]) or "(root)"
        parts.append(f"{loc}: {err['msg']}")
    more = exc.error_count() - limit
    return "; ".join(parts) + (f"; and {more} more" if more > 0 else "")

"""One logging set-up for every service: JSON lines with service, trace_id and post_id.

`post_id` is bound per message or request with `bind_post_id`; the trace id comes from the
current OpenTelemetry span. Values that look like credentials are masked before they are written.
"""

from __future__ import annotations

import contextvars
import logging
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import orjson
from opentelemetry import trace

_post_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("post_id", default=None)
_service = "herald"

# Attributes every LogRecord has; anything else came from `extra=` and is logged as a field.
_RESERVED = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "taskName"}

# Names whose value is a credential: every *_token (access, refresh, fb_exchange, input, id…),
# every *_secret, and the rest of what OAuth and our APIs carry.
_CREDENTIAL_NAMES = (
    r"[a-z_]*token|[a-z_]*secret|password|api_key|oauth_signature|appsecret_proof|code_verifier"
    r"|client_assertion"
)
_SECRET_PATTERNS = [
    (re.compile(r"(?i)(bearer\s+)[A-Za-z0-9\-._~+/]+=*"), r"\1[redacted]"),
    (re.compile(r"(?i)(basic\s+)[A-Za-z0-9+/]+=*"), r"\1[redacted]"),
    (
        re.compile(rf"(?i)\b({_CREDENTIAL_NAMES})([\"']?\s*[:=]\s*[\"']?)[^\s\"'&,}}]+"),
        r"\1\2[redacted]",
    ),
    # An OAuth authorization code or a signed authorize link in a query string (our callback and
    # authorize, the platforms' token calls), or a query string alone (a span's `url.query`).
    (re.compile(r"(?i)(^|[?&\s])(code=|link=)[^\s\"'&#]+"), r"\1\2[redacted]"),
    (re.compile(r"\bhk_[A-Za-z0-9_\-]{8,}"), "hk_[redacted]"),
]
_SECRET_KEYS = {
    "token",
    "fb_exchange_token",
    "code_verifier",
    "access_token",
    "refresh_token",
    "authorization",
    "password",
    "secret",
    "client_secret",
    "api_key",
}


def redact(text: str) -> str:
    for pattern, repl in _SECRET_PATTERNS:
        text = pattern.sub(repl, text)
    return text


def secret_key(key: str) -> bool:
    """A field or attribute named like a credential (its whole value is masked)."""
    return key.lower() in _SECRET_KEYS


def _clean(value: Any, key: str = "") -> Any:
    if secret_key(key):
        return "[redacted]"
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {k: _clean(v, str(k)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "service": _service,
            "logger": record.name,
            "message": redact(record.getMessage()),
        }
        span = trace.get_current_span().get_span_context()
        if span.is_valid:
            out["trace_id"] = format(span.trace_id, "032x")
            out["span_id"] = format(span.span_id, "016x")
        if (post_id := _post_id.get()) is not None:
            out["post_id"] = post_id
        for key, value in record.__dict__.items():
            if key not in _RESERVED and not key.startswith("_"):
                out[key] = _clean(value, key)
        if record.exc_info:
            out["exception"] = redact(self.formatException(record.exc_info))
        return orjson.dumps(out, default=str).decode()


class TextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        post = f" post_id={p}" if (p := _post_id.get()) else ""
        line = f"{datetime.now(UTC):%H:%M:%S} {record.levelname:<7} {_service} {record.name}: {record.getMessage()}{post}"
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return redact(line)


def configure_logging(service: str, level: str = "INFO", json: bool = True) -> None:
    global _service
    _service = service
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(JsonFormatter() if json else TextFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # Per-request access lines are covered by metrics; keep uvicorn's own errors.
    logging.getLogger("uvicorn.access").setLevel(logging.WARNING)
    logging.getLogger("aiokafka").setLevel(logging.WARNING)
    # httpx logs every request's full URL at INFO, query string included (Meta's access_token,
    # fb_exchange_token, client_secret): our own platform-call metrics and spans cover these calls.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    # FastStream installs a colourised handler of its own on import; route it through ours instead.
    faststream = logging.getLogger("faststream")
    faststream.handlers.clear()
    faststream.propagate = True


def get_logger(name: str) -> logging.Logger:
    return logging.getLogger(name)


@contextmanager
def bind_post_id(post_id: str | None) -> Iterator[None]:
    token = _post_id.set(post_id)
    try:
        yield
    finally:
        _post_id.reset(token)

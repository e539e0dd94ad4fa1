"""Structured logs: one JSON object per line with service and post id, and never a credential."""

from __future__ import annotations

import io
import json
import logging

import pytest

from herald_common.logs import JsonFormatter, bind_post_id, configure_logging, redact


@pytest.fixture
def captured() -> io.StringIO:
    configure_logging("test-service", "INFO", json=True)
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logging.getLogger().handlers[:] = [handler]
    return stream


def test_lines_are_json_with_service_and_post_id(captured: io.StringIO) -> None:
    with bind_post_id("post-42"):
        logging.getLogger("herald.test").warning("published", extra={"platform": "twitter"})
    line = json.loads(captured.getvalue().splitlines()[-1])
    assert line["service"] == "test-service"
    assert line["post_id"] == "post-42"
    assert line["platform"] == "twitter"
    assert line["level"] == "warning"
    assert line["message"] == "published"


def test_credentials_never_reach_the_log(captured: io.StringIO) -> None:
    log = logging.getLogger("herald.test")
    log.info("calling with Authorization: Bearer abc.def-ghi and access_token=SECRET123&x=1")
    log.info(
        "key hk_0123456789abcdef_secretsecret used",
        extra={"access_token": "SECRET456", "nested": {"refresh_token": "SECRET789"}},
    )
    text = captured.getvalue()
    for secret in ("abc.def-ghi", "SECRET123", "SECRET456", "SECRET789", "secretsecret"):
        assert secret not in text, secret
    assert "[redacted]" in text


@pytest.mark.parametrize(
    ("raw", "kept"),
    [
        ('oauth_signature="abc%3D"', "oauth_signature"),
        ('{"client_secret": "hunter2"}', "client_secret"),
    ],
)
def test_redact_keeps_the_name_and_drops_the_value(raw: str, kept: str) -> None:
    out = redact(raw)
    assert kept in out and "[redacted]" in out
    assert "hunter2" not in out and "abc%3D" not in out


@pytest.mark.parametrize(
    "raw",
    [
        "GET /api/oauth/x/authorize?link=eyJpIjoi.c2lnbmF0dXJl HTTP/1.1",
        "link=eyJpIjoi.c2lnbmF0dXJl&format=json",  # a span's url.query
        "/authorize?format=json&link=eyJpIjoi.c2lnbmF0dXJl",
    ],
)
def test_an_authorize_link_in_a_query_string_is_dropped(raw: str) -> None:
    out = redact(raw)
    assert "c2lnbmF0dXJl" not in out and "link=[redacted]" in out


def test_a_word_ending_in_link_keeps_its_value() -> None:
    assert redact("?permalink=https://x.com/p/1") == "?permalink=https://x.com/p/1"

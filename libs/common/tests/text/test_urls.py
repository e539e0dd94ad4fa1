"""URL extraction against twitter-text 3.1.0's extractUrlsWithIndices."""

import json
import unicodedata
from pathlib import Path

import pytest

from herald_common.text import find_urls

REFERENCE = json.loads((Path(__file__).parent / "twitter_text_reference_outputs.json").read_text("utf-8"))


@pytest.mark.parametrize("case", REFERENCE["urls"], ids=lambda case: case["text"][:40])
def test_same_urls_as_reference(case: dict) -> None:
    assert [url.url for url in find_urls(case["text"])] == case["urls"]


@pytest.mark.parametrize("case", REFERENCE["fuzz"], ids=lambda case: repr(case["text"][:30]))
def test_same_urls_on_fuzzed_text(case: dict) -> None:
    normalized = unicodedata.normalize("NFC", case["text"])
    assert [url.url for url in find_urls(normalized)] == case["urls"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("see example.com.", ["example.com"]),
        ("mail bob@example.com", []),
        ("version 1.2.3", []),
        ("file.notatld", []),
        ("https://t.co/abc?x=1 ok", ["https://t.co/abc?x=1"]),
        ("(www.example.org/path)!", ["www.example.org/path"]),
        ("http://\u4f8b\u3048.jp", ["http://\u4f8b\u3048.jp"]),
        ("randomurl" * 7 + "s.com", []),  # a 64-character label is no domain
    ],
)
def test_examples(text: str, expected: list[str]) -> None:
    assert [url.url for url in find_urls(text)] == expected


def test_spans_index_the_text() -> None:
    text = "Read https://example.com/a and x.org"
    spans = find_urls(text)
    assert [text[span.start : span.end] for span in spans] == ["https://example.com/a", "x.org"]

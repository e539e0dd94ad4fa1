"""X weighted counting against twitter-text's conformance vectors and reference outputs."""

import json
import time
from pathlib import Path

import pytest

from herald_common.text import (
    X_CONFIG_V2,
    code_point_length,
    has_invalid_characters,
    utf16_length,
    x_length,
    x_weighted_length,
)

DATA = Path(__file__).parent
VECTORS = json.loads((DATA / "twitter_text_validate_vectors.json").read_text(encoding="utf-8"))
REFERENCE = json.loads((DATA / "twitter_text_reference_outputs.json").read_text(encoding="utf-8"))
# Where a URL without protocol follows non-ASCII text and has a path, twitter-text skips the
# URL's length in UTF-16 units from the domain, which can land inside an emoji; we count in
# code points. Three of 10,000 fuzzed texts hit it (the weight differs by 1 to 4); this is
# the one among the 1,500 we ship.
KNOWN_DIVERGENCES = {
    "\ufb2c\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466world.co.com.co"
    "\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466.xyz/pathhttp://@example@\u263a"
    " .notatld/a(b)c\xe9\xe9$:8080\ud55c\uad6d'ab-cd/pathhttp://worldexample\n)/path"
}


def _as_parse_result(text: str, config=None) -> dict:
    result = x_weighted_length(text) if config is None else x_weighted_length(text, config)
    return {
        "weightedLength": result.weighted_length,
        "valid": result.valid,
        "permillage": result.permillage,
        "displayRangeStart": 0,
        "displayRangeEnd": result.display_range_end,
        "validRangeStart": 0,
        "validRangeEnd": result.valid_range_end,
    }


@pytest.mark.parametrize("case", VECTORS["v3"], ids=lambda case: case["description"])
def test_conformance_v3(case: dict) -> None:
    assert _as_parse_result(case["text"]) == case["expected"]


@pytest.mark.parametrize("case", VECTORS["v2"], ids=lambda case: case["description"])
def test_conformance_v2_counts_each_emoji_code_point(case: dict) -> None:
    assert _as_parse_result(case["text"], X_CONFIG_V2) == case["expected"]


@pytest.mark.parametrize("case", VECTORS["tweets_valid"], ids=lambda case: case["description"])
def test_conformance_tweet_validity(case: dict) -> None:
    assert x_weighted_length(case["text"]).valid is case["expected"]


@pytest.mark.parametrize("case", VECTORS["lengths_v3"], ids=lambda case: case["description"])
def test_conformance_lengths(case: dict) -> None:
    assert x_length(case["text"]) == case["expected"]


@pytest.mark.parametrize(
    ("text", "weighted"),
    [
        ("Hi http://test.co", 26),
        ("http://test.co", 23),
        ("https://www.twitter.com/aloha " * 10, 240),
        ("H\U0001f431\u263a\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466", 7),
        ("\U0001f637\U0001f47e\U0001f621\U0001f525\U0001f4a9", 10),
        ("\U0001f64b\U0001f3fd\U0001f468\u200d\U0001f3a4", 4),
        ("1\u20e3", 2),
        ("A\u0301B", 2),
        ("x" * 285, 285),
    ],
)
def test_reference_table(text: str, weighted: int) -> None:
    """Weighted lengths as twitter-text v3 gives them (URLs 23, CJK and emoji 2)."""
    assert x_length(text) == weighted


def test_160_cjk_ideographs_are_invalid_from_index_140() -> None:
    result = x_weighted_length("\u6545" * 160)
    assert (result.weighted_length, result.valid, result.valid_range_end) == (320, False, 139)


@pytest.mark.parametrize(
    ("text", "weighted"),
    [
        ("\u00a9", 1),  # text-style copyright sign: light range, not an emoji sequence
        ("\u00a9\ufe0f", 2),  # emoji-style: one sequence
        ("#\ufe0f\u20e3", 2),  # keycap
        ("\U0001f1fa\U0001f1f8", 2),  # flag
        ("\U0001f1fa\U0001f1f8\U0001f1eb", 4),  # a flag and a lone regional indicator
        ("\u2764\ufe0f\u200d\U0001f525", 2),  # Unicode 13.1 ZWJ sequence (twitter-text 3.1: 5)
        ("\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466\u200d\U0001f466", 5),  # not RGI
        ("a\r\nb", 4),  # CR and LF both count, as in twitter-text (the Python port counts 3)
        ("", 0),
    ],
)
def test_emoji_sequences_and_edges(text: str, weighted: int) -> None:
    assert x_length(text) == weighted


@pytest.mark.parametrize("case", REFERENCE["fuzz"], ids=lambda case: repr(case["text"][:30]))
def test_matches_reference_implementation_on_fuzzed_text(case: dict) -> None:
    if case["text"] in KNOWN_DIVERGENCES:
        pytest.skip("documented divergence")
    result = x_weighted_length(case["text"])
    assert (result.weighted_length, result.valid, result.valid_range_end) == (
        case["weightedLength"],
        case["valid"],
        case["validRangeEnd"],
    )


def test_invalid_characters() -> None:
    assert has_invalid_characters("a\ufeffb")
    assert not has_invalid_characters("a\u202ab")  # directional marks were dropped in v3
    assert not x_weighted_length("ok\uffff").valid


def test_other_counts() -> None:
    assert utf16_length("a\U0001f600\u00e9") == 4
    assert code_point_length("a\U0001f600\u00e9") == 3


def test_counting_a_tweet_takes_microseconds() -> None:
    tweet = "Shipping Herald today \U0001f680 read https://example.com/blog/launch #launch @herald " * 3
    x_weighted_length(tweet)  # warm the lazily built tables
    runs = 300
    started = time.perf_counter()
    for _ in range(runs):
        x_weighted_length(tweet)
    per_call = (time.perf_counter() - started) / runs
    assert per_call < 0.001, f"{per_call * 1e6:.0f} µs per tweet"


def test_pathological_text_stays_linear() -> None:
    text = "\u65e5" * 3000 + ".x " + "a." * 2000 + " " + "a.-." * 1000
    started = time.perf_counter()
    x_length(text)
    assert time.perf_counter() - started < 0.5

import pytest
from hypothesis import given
from hypothesis import strategies as st

from herald_emulator.tweet_length import weighted_length

# Vectors from reference section 2.7 (twitter-text conformance, config v3).
VECTORS = [
    ("Hi http://test.co", 26),
    ("http://test.co", 23),
    ("https://www.twitter.com/aloha " * 10, 240),
    ("H\U0001f431\u263a\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466", 7),
    ("\U0001f637\U0001f47e\U0001f621\U0001f525\U0001f4a9", 10),
    ("\U0001f64b\U0001f3fd\U0001f468\u200d\U0001f3a4", 4),
    ("1\u20e3", 2),
    ("A\u0301B", 2),
]


@pytest.mark.parametrize(("text", "expected"), VECTORS)
def test_reference_vectors(text: str, expected: int) -> None:
    result = weighted_length(text)
    assert result.weighted_length == expected
    assert result.valid


def test_160_cjk_ideographs_weigh_320_and_fit_up_to_index_139() -> None:
    result = weighted_length("\u4e00" * 160)
    assert (result.weighted_length, result.valid, result.valid_range_end) == (320, False, 139)


def test_285_ascii_characters_are_invalid_from_index_280() -> None:
    result = weighted_length("a" * 285)
    assert (result.weighted_length, result.valid, result.valid_range_end) == (285, False, 279)


def test_exactly_280_is_valid() -> None:
    assert weighted_length("a" * 280).valid


def test_bare_domain_counts_as_a_url_but_email_does_not() -> None:
    assert weighted_length("see test.com").weighted_length == 4 + 23
    assert weighted_length("mail a@test.com").weighted_length == 15


def test_empty_and_invalid_characters_are_not_valid() -> None:
    assert not weighted_length("").valid
    assert not weighted_length("bad \ufffe char").valid


def test_permillage() -> None:
    assert weighted_length("a" * 140).permillage == 500


@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=400))
def test_validity_follows_length_and_invalid_characters(text: str) -> None:
    result = weighted_length(text)
    assert result.weighted_length >= 0
    assert result.valid == (
        0 < result.weighted_length <= 280 and not any(c in "\ufffe\ufeff\uffff" for c in text)
    )

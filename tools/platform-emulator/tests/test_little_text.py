import pytest
from hypothesis import given
from hypothesis import strategies as st

from herald_emulator.little_text import escape_little_text, parse_little_text


def test_plain_text_is_kept_whole() -> None:
    parsed = parse_little_text("Hello world, ready? Yes! #launch")
    assert parsed.visible == "Hello world, ready? Yes! #launch"
    assert not parsed.truncated


@pytest.mark.parametrize("reserved", list("|{}@[]()<>*_~"))
def test_unescaped_reserved_character_truncates(reserved: str) -> None:
    parsed = parse_little_text(f"before {reserved} after")
    assert parsed.visible == "before "
    assert parsed.stored_raw == "before "
    assert parsed.truncated_at == 7


def test_escaped_characters_are_shown_without_backslashes() -> None:
    parsed = parse_little_text(r"Call \(now\) \@team \\ done \#not-a-tag")
    assert parsed.visible == r"Call (now) @team \ done #not-a-tag"
    assert not parsed.truncated


def test_trailing_lone_backslash_truncates() -> None:
    assert parse_little_text("ends with \\").visible == "ends with "


def test_mentions_show_the_name() -> None:
    parsed = parse_little_text("Thanks @[Herald Inc](urn:li:organization:123) for this")
    assert parsed.visible == "Thanks Herald Inc for this"
    assert not parsed.truncated


def test_malformed_mention_truncates_at_the_at_sign() -> None:
    assert parse_little_text("hi @[Name](not-a-urn) x").visible == "hi "


def test_escape_round_trips_any_text() -> None:
    text = r"a|b{c}d@e[f]g(h)i<j>k*l_m~n\o #tag"
    escaped = escape_little_text(text)
    parsed = parse_little_text(escaped)
    assert parsed.visible == text
    assert not parsed.truncated


@given(st.text())
def test_escaping_any_text_never_truncates_and_round_trips(text: str) -> None:
    parsed = parse_little_text(escape_little_text(text))
    assert not parsed.truncated
    assert parsed.visible == text


@given(st.text())
def test_visible_text_is_never_longer_than_the_raw_text(text: str) -> None:
    parsed = parse_little_text(text)
    assert len(parsed.visible) <= len(text)
    assert text.startswith(parsed.stored_raw)

"""The mark a refused continuation gets: its place in the thread, counted within the limit."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from herald_common.platforms import Platform
from herald_common.publishing.parts import distinct_continuation
from herald_common.text import rules_for


def test_the_mark_is_the_place_in_the_thread() -> None:
    assert distinct_continuation(Platform.TWITTER, "Thanks for reading!", 1, 3) == "Thanks for reading! (2/3)"


def test_no_mark_when_it_would_not_fit() -> None:
    assert distinct_continuation(Platform.TWITTER, "x" * 275, 1, 2) is None
    assert distinct_continuation(Platform.TWITTER, "x" * 274, 1, 2) == "x" * 274 + " (2/2)"


# The machine running the suite is shared: judge the property, not the speed.
@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(min_size=1, max_size=300), st.integers(1, 30))
def test_a_mark_always_fits_and_keeps_the_text(text: str, total: int) -> None:
    marked = distinct_continuation(Platform.TWITTER, text, total - 1, total)
    rules = rules_for(Platform.TWITTER)
    if marked is not None:
        assert marked.startswith(text) and marked != text
        assert rules.measure(marked) <= (rules.continuation_max_length or rules.max_length)

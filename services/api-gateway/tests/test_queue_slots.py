"""The slot arithmetic of posting queues, across daylight-saving changes in two zones."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from itertools import islice, pairwise
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from herald_gateway.queue.slots import Slot, upcoming, wall_instant

PARIS, NEW_YORK = ZoneInfo("Europe/Paris"), ZoneInfo("America/New_York")


def local(instant: datetime, zone: ZoneInfo) -> datetime:
    return instant.astimezone(zone).replace(tzinfo=None)


def test_a_slot_in_the_skipped_hour_moves_to_the_end_of_the_gap() -> None:
    # 2031-03-30: Paris skips 02:00-03:00; 2031-03-09: New York skips 02:00-03:00.
    assert local(wall_instant(date(2031, 3, 30), time(2, 30), PARIS), PARIS) == datetime(2031, 3, 30, 3, 0)
    assert local(wall_instant(date(2031, 3, 9), time(2, 30), NEW_YORK), NEW_YORK) == datetime(
        2031, 3, 9, 3, 0
    )
    assert local(wall_instant(date(2031, 3, 30), time(3, 30), PARIS), PARIS) == datetime(2031, 3, 30, 3, 30)


def test_a_repeated_hour_is_used_once_at_its_first_occurrence() -> None:
    # 2031-10-26: Paris shows 02:30 twice; 2031-11-02: New York shows 01:30 twice.
    sunday_paris = [Slot(6, time(2, 30))]
    start = datetime(2031, 10, 25, 12, tzinfo=UTC)
    first = next(upcoming(sunday_paris, PARIS, start))
    assert first == datetime(2031, 10, 26, 0, 30, tzinfo=UTC)  # 02:30 at +02:00, not also at +01:00
    sunday_ny = [Slot(6, time(1, 30))]
    got = list(islice(upcoming(sunday_ny, NEW_YORK, datetime(2031, 11, 1, tzinfo=UTC)), 2))
    assert got == [datetime(2031, 11, 2, 5, 30, tzinfo=UTC), datetime(2031, 11, 9, 6, 30, tzinfo=UTC)]


def test_two_slots_that_land_on_the_same_instant_are_one() -> None:
    slots = [Slot(6, time(2, 30)), Slot(6, time(3, 0))]  # on the spring-forward Sunday both are 03:00
    got = list(islice(upcoming(slots, PARIS, datetime(2031, 3, 29, tzinfo=UTC)), 3))
    assert got[0] == got[0].replace(hour=1, minute=0) and local(got[0], PARIS) == datetime(2031, 3, 30, 3, 0)
    assert local(got[1], PARIS) == datetime(2031, 4, 6, 2, 30)


slot_lists = st.lists(
    st.builds(Slot, st.integers(0, 6), st.builds(time, st.integers(0, 23), st.sampled_from([0, 15, 30, 45]))),
    min_size=1,
    max_size=6,
)


@settings(max_examples=150, deadline=None)
@given(
    slots=slot_lists,
    zone=st.sampled_from([PARIS, NEW_YORK]),
    start=st.datetimes(min_value=datetime(2030, 1, 1), max_value=datetime(2032, 12, 31)),
)
def test_upcoming_slots_are_ordered_unique_and_on_their_weekday(
    slots: list[Slot], zone: ZoneInfo, start: datetime
) -> None:
    after = start.replace(tzinfo=UTC)
    got = list(islice(upcoming(slots, zone, after), 3 * len(slots) + 1))
    assert all(a < b for a, b in pairwise(got)), "strictly increasing: each instant once"
    assert got[0] > after
    wanted = {(s.weekday, s.at) for s in slots}
    for instant in got:
        wall = local(instant, zone)
        if (wall.weekday(), wall.time()) in wanted:
            continue
        # otherwise a slot in a skipped hour, moved to the end of the gap (same day, a little later)
        moved = [s for s in slots if s.weekday == wall.weekday() and s.at < wall.time()]
        assert moved, f"{wall} is no slot of {slots}"
        gap_start = datetime.combine(wall.date(), max(s.at for s in moved))
        assert wall - gap_start <= timedelta(hours=1)
        assert (instant - timedelta(minutes=1)).astimezone(zone).utcoffset() != instant.astimezone(
            zone
        ).utcoffset()
    # one week covers every slot exactly once (a repeated hour is not a second slot)
    first_day = local(got[0], zone).date()
    week = [i for i in got if local(i, zone).date() < first_day + timedelta(days=7)]
    assert len(week) <= len(set(slots))

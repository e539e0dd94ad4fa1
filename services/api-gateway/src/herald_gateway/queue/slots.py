"""A weekly posting schedule in an IANA zone, turned into instants.

Daylight saving: a slot whose wall time does not exist that day (the hour skipped in spring)
moves to the first valid time after the gap; a wall time that happens twice (the hour repeated
in autumn) is used once, at its first occurrence."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True, order=True)
class Slot:
    weekday: int
    """0 = Monday."""
    at: time


def wall_instant(day: date, at: time, zone: ZoneInfo) -> datetime:
    """The instant the wall clock of `zone` shows `day` `at` (see the module's DST rules)."""
    naive = datetime.combine(day, at)
    for minutes in range(0, 24 * 60):  # a gap is at most a few hours; a minute step finds its end
        candidate = naive + timedelta(minutes=minutes)
        aware = candidate.replace(tzinfo=zone, fold=0)
        if aware.astimezone(UTC).astimezone(zone).replace(tzinfo=None) == candidate:
            return aware.astimezone(UTC)
    raise ValueError(f"{day} {at} has no valid time in {zone.key}")


def upcoming(slots: Sequence[Slot], zone: ZoneInfo, after: datetime) -> Iterator[datetime]:
    """Every slot instant strictly after `after`, in order, each once (UTC), without end."""
    if not slots:
        return
    ordered = sorted(set(slots))
    day = after.astimezone(zone).date() - timedelta(days=1)
    last: datetime | None = None
    while True:
        instants = sorted({wall_instant(day, s.at, zone) for s in ordered if s.weekday == day.weekday()})
        for instant in instants:
            if instant > after and (last is None or instant > last):
                last = instant
                yield instant
        day += timedelta(days=1)

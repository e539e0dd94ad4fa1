"""Counters behind each platform's limits.

The platforms disagree on how windows work, so there are three kinds:
X-style fixed windows that start with the first call, UTC-day counters (LinkedIn resets at
midnight UTC) and rolling logs (Instagram's 24 h publishing quota, Meta usage percentages).
"""

import math
from collections import deque
from dataclasses import dataclass


@dataclass(frozen=True)
class WindowState:
    limit: int
    used: int
    reset_at: float

    @property
    def remaining(self) -> int:
        return max(self.limit - self.used, 0)

    @property
    def exceeded(self) -> bool:
        return self.used > self.limit


class FixedWindows:
    """A window opens with the first call for a key and closes `window_s` later."""

    def __init__(self) -> None:
        self._windows: dict[str, tuple[float, int]] = {}

    def hit(self, key: str, limit: int, window_s: float, now: float) -> WindowState:
        start, used = self._current(key, window_s, now)
        self._windows[key] = (start, used + 1)
        return WindowState(limit, used + 1, start + window_s)

    def peek(self, key: str, limit: int, window_s: float, now: float) -> WindowState:
        start, used = self._current(key, window_s, now)
        return WindowState(limit, used, start + window_s)

    def _current(self, key: str, window_s: float, now: float) -> tuple[float, int]:
        start, used = self._windows.get(key, (now, 0))
        if now >= start + window_s:
            return now, 0
        return start, used

    def clear(self) -> None:
        self._windows.clear()


class UtcDailyCounters:
    """Counts per key that reset at 00:00 UTC."""

    def __init__(self) -> None:
        self._counts: dict[str, tuple[int, int]] = {}

    def count(self, key: str, now: float) -> int:
        day, used = self._counts.get(key, (_utc_day(now), 0))
        return used if day == _utc_day(now) else 0

    def add(self, key: str, now: float) -> int:
        used = self.count(key, now) + 1
        self._counts[key] = (_utc_day(now), used)
        return used

    @staticmethod
    def next_reset(now: float) -> float:
        return (_utc_day(now) + 1) * 86_400.0

    def clear(self) -> None:
        self._counts.clear()


class RollingLogs:
    """Timestamps per key; counts are over the trailing `window_s`."""

    def __init__(self) -> None:
        self._logs: dict[str, deque[float]] = {}

    def add(self, key: str, now: float) -> None:
        self._logs.setdefault(key, deque()).append(now)

    def count(self, key: str, window_s: float, now: float) -> int:
        log = self._logs.get(key)
        if not log:
            return 0
        while log and log[0] <= now - window_s:
            log.popleft()
        return len(log)

    def oldest(self, key: str) -> float | None:
        log = self._logs.get(key)
        return log[0] if log else None

    def clear(self) -> None:
        self._logs.clear()


class RateLimiter:
    def __init__(self) -> None:
        self.windows = FixedWindows()
        self.daily = UtcDailyCounters()
        self.rolling = RollingLogs()

    def clear(self) -> None:
        self.windows.clear()
        self.daily.clear()
        self.rolling.clear()


def usage_percent(used: int, limit: int) -> int:
    return 100 if limit <= 0 else min(math.floor(used * 100 / limit), 100)


def _utc_day(now: float) -> int:
    return int(now // 86_400)

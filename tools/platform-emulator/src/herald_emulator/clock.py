"""A wall clock that tests can move forward.

Token lifetimes, daily limits and container processing all depend on time; letting tests
advance the clock (``POST /_emulator/clock``) avoids real sleeps.
"""

import time
from datetime import UTC, datetime


class Clock:
    def __init__(self) -> None:
        self._offset_s = 0.0

    def now(self) -> float:
        """Unix time in seconds, shifted by whatever tests have advanced."""
        return time.time() + self._offset_s

    def advance(self, seconds: float) -> None:
        self._offset_s += seconds

    def reset(self) -> None:
        self._offset_s = 0.0

    @property
    def offset_s(self) -> float:
        return self._offset_s

    def utc_now(self) -> datetime:
        return datetime.fromtimestamp(self.now(), tz=UTC)

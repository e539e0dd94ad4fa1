"""Identifiers shaped like each platform's, so clients that parse or store them see realistic values."""

import hashlib
import itertools
import secrets
import string

from herald_emulator.clock import Clock

_X_EPOCH_MS = 1_288_834_974_657  # Twitter's snowflake epoch
_SHORTCODE_ALPHABET = string.ascii_letters + string.digits + "-_"


class IdFactory:
    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._last_snowflake = 0
        self._last_linkedin = 0
        self._graph_counter = itertools.count(1)

    def snowflake(self) -> str:
        """X ids: 19 digits, time-ordered like real snowflakes (ms since 2010 << 22)."""
        candidate = (int(self._clock.now() * 1000) - _X_EPOCH_MS) << 22 | (1 << 12)
        self._last_snowflake = max(candidate, self._last_snowflake + 1)
        return str(self._last_snowflake)

    def linkedin_id(self) -> str:
        """LinkedIn activity/share ids: 19 digits whose top bits are the unix time in ms."""
        candidate = int(self._clock.now() * 1000) << 22
        self._last_linkedin = max(candidate, self._last_linkedin + 1)
        return str(self._last_linkedin)

    def graph_id(self, prefix: str = "1221") -> str:
        """Facebook/Instagram object ids: 15-17 digit numbers with a recognisable prefix."""
        return f"{prefix}{int(self._clock.now()):010d}{next(self._graph_counter):03d}"

    @staticmethod
    def instagram_shortcode(media_id: str) -> str:
        digest = hashlib.sha256(media_id.encode()).digest()
        return "".join(_SHORTCODE_ALPHABET[byte % 64] for byte in digest[:11])

    @staticmethod
    def opaque_token(prefix: str) -> str:
        return f"{prefix}{secrets.token_urlsafe(24)}"


def stable_x_user_id(username: str) -> str:
    """A 19-digit user id derived from the username, so dev tokens map to stable ids."""
    digest = int.from_bytes(hashlib.sha256(username.encode()).digest()[:8], "big")
    return str(1_000_000_000_000_000_000 + digest % 8_000_000_000_000_000_000)

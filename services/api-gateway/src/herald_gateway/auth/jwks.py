"""Signing keys of the identity provider, fetched from its JWKS URL and cached.

An unknown `kid` triggers one refetch (keys rotate), at most every `min_refresh` seconds so a
flood of forged kids cannot turn into a flood of requests to the provider.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
import jwt

from herald_common.logs import get_logger

log = get_logger(__name__)


class JwksCache:
    def __init__(self, url: str, *, ttl: float = 3600.0, min_refresh: float = 30.0) -> None:
        self.url, self.ttl, self.min_refresh = url, ttl, min_refresh
        self._keys: dict[str, Any] = {}
        self._fetched_at = 0.0
        self._lock = asyncio.Lock()

    async def key(self, kid: str | None) -> Any | None:
        if self._stale() or (kid not in self._keys and self._may_refresh()):
            await self._refresh()
        if kid is None and len(self._keys) == 1:
            return next(iter(self._keys.values()))
        return self._keys.get(kid or "")

    def _stale(self) -> bool:
        return time.monotonic() - self._fetched_at > self.ttl

    def _may_refresh(self) -> bool:
        return time.monotonic() - self._fetched_at > self.min_refresh

    async def _refresh(self) -> None:
        async with self._lock:
            if not self._stale() and not self._may_refresh():
                return  # another request refreshed while we waited
            try:
                async with httpx.AsyncClient(timeout=5) as http:
                    response = await http.get(self.url)
                    response.raise_for_status()
                    keyset = jwt.PyJWKSet.from_dict(response.json())
            except (httpx.HTTPError, jwt.PyJWKSetError, ValueError) as exc:
                log.warning("could not fetch the JWKS", extra={"url": self.url, "error": str(exc)})
                self._fetched_at = time.monotonic() - self.ttl + self.min_refresh  # retry soon, not at once
                return
            self._keys = {k.key_id or "": k for k in keyset.keys}
            self._fetched_at = time.monotonic()

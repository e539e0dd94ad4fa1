"""Idempotency keys: service (hash, check, find, remember), repository (SQL), purge (the sweep).

The names are re-exported here because callers use `idempotency.find(...)` and friends.
"""

from herald_gateway.idempotency.purge import ExpiredKeysPurge, purge_expired
from herald_gateway.idempotency.service import (
    MAX_KEY_LENGTH,
    KeyTaken,
    StoredResponse,
    check_key,
    find,
    remember,
    request_hash,
)

__all__ = [
    "MAX_KEY_LENGTH",
    "ExpiredKeysPurge",
    "KeyTaken",
    "StoredResponse",
    "check_key",
    "find",
    "purge_expired",
    "remember",
    "request_hash",
]

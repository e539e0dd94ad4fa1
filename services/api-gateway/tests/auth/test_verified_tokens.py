"""The verified-token cache never outlives a token's expiry, and stays bounded."""

from __future__ import annotations

import time

from herald_gateway.auth.caller import Caller
from herald_gateway.auth.jwt_verifier import VerifiedTokens

ALICE = Caller("alice", frozenset({1}))


def test_a_token_is_forgotten_at_its_expiry() -> None:
    cache = VerifiedTokens(ttl=60)
    cache.put("t1", ALICE, expires_at=time.time() - 1)
    assert cache.get("t1") is None


def test_a_token_is_kept_at_most_the_ttl() -> None:
    cache = VerifiedTokens(ttl=0.0)
    cache.put("t1", ALICE, expires_at=time.time() + 3600)
    assert cache.get("t1") is None


def test_a_valid_token_is_remembered() -> None:
    cache = VerifiedTokens(ttl=60)
    cache.put("t1", ALICE, expires_at=time.time() + 3600)
    assert cache.get("t1") == ALICE
    assert cache.get("t2") is None


def test_the_cache_is_bounded_least_recently_used_first() -> None:
    cache = VerifiedTokens(size=2, ttl=60)
    later = time.time() + 3600
    cache.put("a", ALICE, later)
    cache.put("b", ALICE, later)
    assert cache.get("a") == ALICE  # a is now the most recent
    cache.put("c", ALICE, later)
    assert cache.get("b") is None
    assert cache.get("a") == ALICE and cache.get("c") == ALICE

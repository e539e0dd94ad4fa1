"""Signed authorize links: a link verifies only as minted, for its platform, before its expiry."""

from __future__ import annotations

import base64
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from herald_gateway.accounts import link_token
from herald_gateway.accounts.link_token import (
    LinkExpired,
    LinkInvalid,
    LinkOtherPlatform,
    LinkRefused,
)

KEY = link_token.derive_key("k1:" + "A" * 44)
NOW = 1_900_000_000.0


def minted(platform: str = "linkedin", business_id: int = 7, ttl: int = 120) -> str:
    claims = link_token.new_claims(platform, business_id, "user-1", now=NOW, ttl=ttl)
    return link_token.sign(KEY, claims)


def test_a_link_verifies_with_what_it_was_minted_for() -> None:
    claims = link_token.verify(KEY, minted(), platform="linkedin", now=NOW + 119)
    assert (claims.platform, claims.business_id, claims.user_id) == ("linkedin", 7, "user-1")
    assert claims.expires_at == int(NOW) + 120


def test_every_link_has_its_own_id() -> None:
    ids = {link_token.verify(KEY, minted(), platform="linkedin", now=NOW).id for _ in range(50)}
    assert len(ids) == 50


def test_an_expired_link_is_refused() -> None:
    with pytest.raises(LinkExpired):
        link_token.verify(KEY, minted(ttl=120), platform="linkedin", now=NOW + 120)


def test_a_link_for_another_platform_is_refused() -> None:
    with pytest.raises(LinkOtherPlatform, match="connects twitter, not linkedin"):
        link_token.verify(KEY, minted("twitter"), platform="linkedin", now=NOW)


def test_a_link_signed_with_another_key_is_refused() -> None:
    other = link_token.derive_key("k1:" + "B" * 44)
    claims = link_token.new_claims("linkedin", 7, "user-1", now=NOW, ttl=120)
    with pytest.raises(LinkInvalid):
        link_token.verify(KEY, link_token.sign(other, claims), platform="linkedin", now=NOW)


def test_the_key_is_not_the_keyring_itself() -> None:
    keyring = "k1:" + "A" * 44
    assert link_token.derive_key(keyring) not in (keyring.encode(), base64.b64decode("A" * 44))


def _rewritten(token: str, **changes: object) -> str:
    """The same signature over a payload with other claims: what someone editing a link would try."""
    payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims.update(changes)
    edited = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"{edited}.{signature}"


@pytest.mark.parametrize("change", [{"b": 8}, {"u": "someone-else"}, {"e": int(NOW) + 10**6}, {"p": "x"}])
def test_an_edited_claim_breaks_the_signature(change: dict[str, object]) -> None:
    with pytest.raises(LinkInvalid, match="altered"):
        link_token.verify(KEY, _rewritten(minted(), **change), platform="linkedin", now=NOW)


@pytest.mark.parametrize("token", ["", "abc", "a.b", "a.b.c", "é." + "a" * 43, minted()[:-1], minted() + "."])
def test_malformed_links_are_refused(token: str) -> None:
    with pytest.raises(LinkInvalid):
        link_token.verify(KEY, token, platform="linkedin", now=NOW)


@given(st.data())
def test_any_single_character_change_is_refused(data: st.DataObject) -> None:
    token = minted()
    at = data.draw(st.integers(0, len(token) - 1))
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_."
    char = data.draw(st.sampled_from(alphabet).filter(lambda c: c != token[at]))
    changed = token[:at] + char + token[at + 1 :]
    # The signature covers the payload as text, so even an edit that decodes alike is refused.
    with pytest.raises(LinkRefused):
        link_token.verify(KEY, changed, platform="linkedin", now=NOW)

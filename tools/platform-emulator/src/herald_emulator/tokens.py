"""Access tokens: the ones the emulator's OAuth endpoints issue, and the `dev-` convenience tokens.

Dev tokens (any bearer token starting with ``dev-``) are always valid and never expire:

* LinkedIn: ``dev-linkedin`` -> ``urn:li:person:demo``; ``dev-linkedin-<id>`` -> ``urn:li:person:<id>``.
  Dev tokens may post as any author; issued tokens only as their own member.
* X: ``dev-x`` / ``dev-twitter`` -> @herald_demo; ``dev-x-<name>`` -> @<name> with a stable id.
* Meta: any ``dev-`` token works as a Page token for every page and for every IG user, except
  ``dev-meta-user``, which is a plain user token (handy to test the "posted with a user token" error).
"""

import secrets
from dataclasses import dataclass, field
from typing import Literal

from herald_emulator.clock import Clock
from herald_emulator.ids import stable_x_user_id

Platform = Literal["linkedin", "twitter", "meta"]
TokenProblem = Literal["missing", "invalid", "expired", "revoked"]


@dataclass
class Identity:
    platform: Platform
    subject: str  # LinkedIn member URN, X user id, Meta user or page id
    name: str
    kind: Literal["user", "page"] = "user"
    is_dev: bool = False
    scopes: frozenset[str] = frozenset()
    page_id: str | None = None  # Meta page tokens: the page they act for


@dataclass
class IssuedToken:
    value: str
    platform: Platform
    kind: Literal["access", "refresh"]
    identity: Identity
    client_id: str
    expires_at: float | None
    family: str
    scope: str = ""
    revoked: bool = False
    used: bool = False  # refresh tokens that are single-use (X)


@dataclass
class AuthorizationCode:
    code: str
    platform: Platform
    client_id: str
    redirect_uri: str
    identity: Identity
    scope: str
    expires_at: float
    code_challenge: str | None = None
    code_challenge_method: str | None = None
    used: bool = False


class TokenRejected(Exception):
    def __init__(self, problem: TokenProblem, token: IssuedToken | None = None):
        super().__init__(problem)
        self.problem: TokenProblem = problem
        self.token = token


@dataclass
class TokenRegistry:
    clock: Clock
    tokens: dict[str, IssuedToken] = field(default_factory=dict)
    codes: dict[str, AuthorizationCode] = field(default_factory=dict)

    def issue(
        self,
        platform: Platform,
        kind: Literal["access", "refresh"],
        identity: Identity,
        *,
        client_id: str,
        ttl_s: float | None,
        family: str | None = None,
        scope: str = "",
        expires_at: float | None = None,
    ) -> IssuedToken:
        prefix = {"linkedin": "AQ", "twitter": "", "meta": "EAA"}[platform]
        value = f"{prefix}{'X' if kind == 'refresh' else 'V'}{secrets.token_urlsafe(32)}"
        if expires_at is None and ttl_s is not None:
            expires_at = self.clock.now() + ttl_s
        token = IssuedToken(
            value=value,
            platform=platform,
            kind=kind,
            identity=identity,
            client_id=client_id,
            expires_at=expires_at,
            family=family or secrets.token_hex(8),
            scope=scope,
        )
        self.tokens[value] = token
        return token

    def issue_code(self, code: AuthorizationCode) -> None:
        self.codes[code.code] = code

    def lookup(self, value: str, platform: Platform, kind: Literal["access", "refresh"]) -> IssuedToken:
        token = self.tokens.get(value)
        if token is None or token.platform != platform or token.kind != kind:
            raise TokenRejected("invalid")
        if token.revoked:
            raise TokenRejected("revoked", token)
        if token.expires_at is not None and token.expires_at <= self.clock.now():
            raise TokenRejected("expired", token)
        return token

    def revoke_family(self, family: str) -> None:
        for token in self.tokens.values():
            if token.family == family:
                token.revoked = True

    def authenticate(self, platform: Platform, value: str | None) -> Identity:
        """The identity behind a bearer token, or TokenRejected with the reason."""
        if not value:
            raise TokenRejected("missing")
        if value.startswith("dev-"):
            return dev_identity(platform, value)
        return self.lookup(value, platform, "access").identity

    def clear(self) -> None:
        self.tokens.clear()
        self.codes.clear()


def dev_identity(platform: Platform, token: str) -> Identity:
    if platform == "linkedin":
        member = token.removeprefix("dev-linkedin-") if token.startswith("dev-linkedin-") else "demo"
        return Identity("linkedin", f"urn:li:person:{member}", member, is_dev=True)
    if platform == "twitter":
        username = "herald_demo"
        for prefix in ("dev-x-", "dev-twitter-"):
            if token.startswith(prefix):
                username = token.removeprefix(prefix)
        return Identity("twitter", x_user_id(username), username, is_dev=True)
    if token == "dev-meta-user":  # noqa: S105 - a documented dev token name, not a secret
        return Identity("meta", "10000000000000001", "Herald Demo", kind="user", is_dev=True)
    return Identity("meta", "10000000000000001", "Herald Demo", kind="page", is_dev=True)


def x_user_id(username: str) -> str:
    return "1000000000000000001" if username == "herald_demo" else stable_x_user_id(username)

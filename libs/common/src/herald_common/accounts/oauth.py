"""OAuth 2.0 with each platform: the consent URL, the code exchange and identity look-up (gateway),
and token refresh (publishers). Request and response shapes are the platforms' documented ones."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol
from urllib.parse import urlencode

import httpx

from herald_common.accounts.model import TokenSet
from herald_common.accounts.settings import AccountSettings
from herald_common.platforms import Platform


class OAuthError(Exception):
    """The platform refused the exchange or refresh; `reason` is safe to show (no token in it)."""

    def __init__(self, reason: str, *, status: int = 0) -> None:
        super().__init__(reason)
        self.reason, self.status = reason, status

    @property
    def refused(self) -> bool:
        """The platform said no (a revoked or spent grant), as opposed to failing for a while."""
        return 400 <= self.status < 500


@dataclass(frozen=True)
class Connection:
    platform: Platform
    account_id: str
    display_name: str
    tokens: TokenSet


class OAuthProvider(Protocol):
    uses_pkce: bool

    def authorize_url(self, *, state: str, redirect_uri: str, code_challenge: str | None) -> str: ...

    async def connect(
        self, http: httpx.AsyncClient, *, code: str, redirect_uri: str, code_verifier: str | None
    ) -> list[Connection]: ...

    async def refresh(self, http: httpx.AsyncClient, tokens: TokenSet) -> TokenSet | None: ...


def _expiry(seconds: Any) -> datetime | None:
    return datetime.now(UTC) + timedelta(seconds=int(seconds)) if seconds else None


def _tokens(body: dict[str, Any]) -> TokenSet:
    return TokenSet(
        access_token=str(body["access_token"]),
        refresh_token=body.get("refresh_token"),
        access_expires_at=_expiry(body.get("expires_in")),
        refresh_expires_at=_expiry(body.get("refresh_token_expires_in")),
        scopes=str(body.get("scope") or ""),
    )


def _checked(response: httpx.Response, platform: str) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        body = {}
    if response.status_code >= 400 or not isinstance(body, dict):
        detail = (
            body.get("error_description") or body.get("message") or body.get("error") or body.get("detail")
            if isinstance(body, dict)
            else None
        ) or f"HTTP {response.status_code}"
        if isinstance(detail, dict):
            detail = detail.get("message", "error")
        raise OAuthError(f"{platform} refused: {detail}", status=response.status_code)
    return body


class LinkedInOAuth:
    uses_pkce = False

    def __init__(self, s: AccountSettings) -> None:
        self.s = s

    def authorize_url(self, *, state: str, redirect_uri: str, code_challenge: str | None) -> str:
        query = {
            "response_type": "code",
            "client_id": self.s.linkedin_client_id,
            "redirect_uri": redirect_uri,
            "scope": self.s.linkedin_scopes,
            "state": state,
        }
        return f"{self.s.linkedin_oauth_base_url}/oauth/v2/authorization?{urlencode(query)}"

    async def _token(self, http: httpx.AsyncClient, form: dict[str, str]) -> TokenSet:
        form |= {
            "client_id": self.s.linkedin_client_id,
            "client_secret": self.s.linkedin_client_secret.get_secret_value(),
        }
        response = await http.post(f"{self.s.linkedin_oauth_base_url}/oauth/v2/accessToken", data=form)
        return _tokens(_checked(response, "LinkedIn"))

    async def connect(
        self, http: httpx.AsyncClient, *, code: str, redirect_uri: str, code_verifier: str | None
    ) -> list[Connection]:
        tokens = await self._token(
            http, {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri}
        )
        me = _checked(
            await http.get(
                f"{self.s.linkedin_api_base_url}/v2/userinfo",
                headers={"Authorization": f"Bearer {tokens.access_token}"},
            ),
            "LinkedIn",
        )
        return [
            Connection(
                Platform.LINKEDIN, f"urn:li:person:{me['sub']}", str(me.get("name") or me["sub"]), tokens
            )
        ]

    async def refresh(self, http: httpx.AsyncClient, tokens: TokenSet) -> TokenSet | None:
        if not tokens.refresh_token:
            return None  # LinkedIn grants refresh tokens to approved partners only
        return await self._token(http, {"grant_type": "refresh_token", "refresh_token": tokens.refresh_token})


class XOAuth:
    uses_pkce = True

    def __init__(self, s: AccountSettings) -> None:
        self.s = s

    def authorize_url(self, *, state: str, redirect_uri: str, code_challenge: str | None) -> str:
        query = {
            "response_type": "code",
            "client_id": self.s.twitter_client_id,
            "redirect_uri": redirect_uri,
            "scope": self.s.twitter_scopes,
            "state": state,
            "code_challenge": code_challenge or "",
            "code_challenge_method": "S256",
        }
        return f"{self.s.twitter_oauth_base_url}/i/oauth2/authorize?{urlencode(query)}"

    async def _token(self, http: httpx.AsyncClient, form: dict[str, str]) -> TokenSet:
        headers = {}
        secret = self.s.twitter_client_secret.get_secret_value()
        if secret:  # a confidential client authenticates with Basic
            basic = base64.b64encode(f"{self.s.twitter_client_id}:{secret}".encode()).decode()
            headers["Authorization"] = f"Basic {basic}"
        response = await http.post(
            f"{self.s.twitter_api_base_url}/2/oauth2/token",
            data=form | {"client_id": self.s.twitter_client_id},
            headers=headers,
        )
        return _tokens(_checked(response, "X"))

    async def connect(
        self, http: httpx.AsyncClient, *, code: str, redirect_uri: str, code_verifier: str | None
    ) -> list[Connection]:
        tokens = await self._token(
            http,
            {
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": redirect_uri,
                "code_verifier": code_verifier or "",
            },
        )
        me = _checked(
            await http.get(
                f"{self.s.twitter_api_base_url}/2/users/me",
                headers={"Authorization": f"Bearer {tokens.access_token}"},
            ),
            "X",
        )["data"]
        return [Connection(Platform.TWITTER, str(me["id"]), f"@{me.get('username', me['id'])}", tokens)]

    async def refresh(self, http: httpx.AsyncClient, tokens: TokenSet) -> TokenSet | None:
        if not tokens.refresh_token:
            return None
        # Single-use: the answer carries the next refresh token, which the caller must store at once.
        return await self._token(http, {"grant_type": "refresh_token", "refresh_token": tokens.refresh_token})


class MetaOAuth:
    """Facebook Login for Business: one login connects each Page (page token) and its Instagram account."""

    uses_pkce = False

    def __init__(self, s: AccountSettings) -> None:
        self.s = s
        self.graph = f"{s.graph_api_base_url}/{s.graph_api_version}"

    def authorize_url(self, *, state: str, redirect_uri: str, code_challenge: str | None) -> str:
        query = {
            "client_id": self.s.meta_app_id,
            "redirect_uri": redirect_uri,
            "state": state,
            "scope": self.s.meta_scopes,
            "response_type": "code",
        }
        return f"{self.s.meta_dialog_base_url}/{self.s.graph_api_version}/dialog/oauth?{urlencode(query)}"

    async def connect(
        self, http: httpx.AsyncClient, *, code: str, redirect_uri: str, code_verifier: str | None
    ) -> list[Connection]:
        app = {"client_id": self.s.meta_app_id, "client_secret": self.s.meta_app_secret.get_secret_value()}
        short = _checked(
            await http.get(
                f"{self.graph}/oauth/access_token", params=app | {"redirect_uri": redirect_uri, "code": code}
            ),
            "Meta",
        )
        long = _checked(
            await http.get(
                f"{self.graph}/oauth/access_token",
                params=app | {"grant_type": "fb_exchange_token", "fb_exchange_token": short["access_token"]},
            ),
            "Meta",
        )
        pages = _checked(
            await http.get(
                f"{self.graph}/me/accounts",
                params={
                    "fields": "id,name,access_token,instagram_business_account",
                    "access_token": long["access_token"],
                },
            ),
            "Meta",
        )
        connections = []
        for page in pages.get("data", []):
            # A Page token from a long-lived user token does not expire.
            tokens = TokenSet(access_token=str(page["access_token"]), scopes=self.s.meta_scopes)
            connections.append(
                Connection(Platform.FACEBOOK, str(page["id"]), str(page.get("name", page["id"])), tokens)
            )
            ig = page.get("instagram_business_account")
            if ig:
                name = (
                    f"@{ig['username']}"
                    if ig.get("username")
                    else f"{page.get('name', page['id'])} (Instagram)"
                )
                connections.append(Connection(Platform.INSTAGRAM, str(ig["id"]), name, tokens))
        if not connections:
            raise OAuthError("Meta: this login manages no Page (grant access to at least one Page)")
        return connections

    async def refresh(self, http: httpx.AsyncClient, tokens: TokenSet) -> TokenSet | None:
        return None  # Page tokens do not expire; a revoked one needs the user to log in again


def provider_for(platform: Platform, settings: AccountSettings) -> OAuthProvider:
    if platform is Platform.LINKEDIN:
        return LinkedInOAuth(settings)
    if platform is Platform.TWITTER:
        return XOAuth(settings)
    return MetaOAuth(settings)

"""Connecting social accounts: consent (state + PKCE in Redis, single-use), code exchange, storage."""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import Callable

import httpx
import orjson
from redis.asyncio import Redis

from herald_common.accounts.model import AccountSummary
from herald_common.accounts.oauth import OAuthError, provider_for
from herald_common.accounts.store import AccountStore
from herald_common.platforms import Platform
from herald_gateway.accounts.schemas import AccountView
from herald_gateway.auth.caller import Caller
from herald_gateway.problems import NotFound, Problem, Unprocessable
from herald_gateway.settings import Settings


class Forbidden(Problem):
    status, slug, title = 403, "oauth-other-browser", "The consent belongs to another browser"


class BadGateway(Problem):
    status, slug, title = 502, "platform-refused", "The platform refused the connection"


def _state_key(state: str) -> str:
    return f"herald:oauth:state:{state}"


def view(a: AccountSummary) -> AccountView:
    return AccountView(
        id=a.id,
        business_id=a.business_id,
        platform=a.platform,
        account_id=a.account_id,
        display_name=a.display_name,
        status=a.status,
        access_expires_at=a.access_expires_at,
        created_at=a.created_at,
        is_default=a.is_default,
    )


class AccountsService:
    def __init__(
        self, store: AccountStore, redis: Redis, http: httpx.AsyncClient, settings: Settings
    ) -> None:
        self.store, self.redis, self.http, self.s = store, redis, http, settings

    def redirect_uri(self, platform: Platform) -> str:
        return f"{self.s.oauth_redirect_base_url.rstrip('/')}/api/oauth/{platform.value}/callback"

    async def start(
        self, caller: Caller, platform: Platform, business_id: int | None, *, browser: str
    ) -> str:
        """The consent URL; ``browser`` is the fingerprint of the starting browser's secret."""
        bid = caller.business(business_id)
        provider = provider_for(platform, self.s)
        state = secrets.token_urlsafe(32)
        verifier = secrets.token_urlsafe(64) if provider.uses_pkce else None
        challenge = (
            base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
            if verifier
            else None
        )
        record = {
            "business_id": bid,
            "user": caller.user_id,
            "platform": platform.value,
            "verifier": verifier,
            "browser": browser,
        }
        await self.redis.set(_state_key(state), orjson.dumps(record), ex=self.s.oauth_state_ttl_seconds)
        return provider.authorize_url(
            state=state, redirect_uri=self.redirect_uri(platform), code_challenge=challenge
        )

    async def finish(
        self, platform: Platform, code: str, state: str, *, from_browser: Callable[[str], bool]
    ) -> list[AccountView]:
        """Connect the accounts; ``from_browser(fingerprint)`` says if the callback came from the
        browser that started this consent (else the state is burnt and nothing is connected)."""
        raw = await self.redis.getdel(_state_key(state))  # single-use: a replayed callback finds nothing
        if raw is None:
            raise Unprocessable(
                "this authorization is unknown, expired (10 minutes) or already used; start again"
            )
        record = orjson.loads(raw)
        if record["platform"] != platform.value:
            raise Unprocessable("this authorization was started for another platform")
        if not from_browser(record.get("browser", "")):
            raise Forbidden(
                "this authorization was started in another browser; start it again from your own "
                "Herald session"
            )
        try:
            connections = await provider_for(platform, self.s).connect(
                self.http,
                code=code,
                redirect_uri=self.redirect_uri(platform),
                code_verifier=record["verifier"],
            )
        except OAuthError as exc:
            raise BadGateway(exc.reason) from None
        except httpx.HTTPError as exc:
            raise BadGateway(f"{platform.value} could not be reached: {type(exc).__name__}") from None
        wanted = {platform} | (
            {Platform.FACEBOOK, Platform.INSTAGRAM}
            if platform in (Platform.FACEBOOK, Platform.INSTAGRAM)
            else set()
        )
        saved = [
            await self.store.save(
                business_id=record["business_id"],
                platform=c.platform,
                account_id=c.account_id,
                display_name=c.display_name,
                tokens=c.tokens,
                connected_by=record["user"],
            )
            for c in connections
            if c.platform in wanted
        ]
        return [view(a) for a in saved]

    async def list(self, caller: Caller, business_id: int | None) -> list[AccountView]:
        ids = [caller.business(business_id)] if business_id is not None else sorted(caller.business_ids)
        return [view(a) for a in await self.store.list(ids)]

    async def disconnect(self, caller: Caller, account_row_id: str) -> None:
        if not await self.store.disconnect(account_row_id, sorted(caller.business_ids)):
            raise NotFound(f"account {account_row_id} not found")

    async def make_default(self, caller: Caller, account_row_id: str) -> AccountView:
        chosen = await self.store.set_default(account_row_id, sorted(caller.business_ids))
        if chosen is None:
            raise NotFound(f"account {account_row_id} not found")
        return view(chosen)

"""X API v2 client: tweets, threads as reply chains, and lookups for reconciliation."""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

import httpx

from herald_common.events import PostTarget
from herald_common.platforms import Platform
from herald_common.publishing.client import PartRequest
from herald_common.publishing.http import call, json_or_empty, server_error
from herald_common.publishing.outcomes import (
    CreatedObject,
    DuplicateContent,
    PermanentError,
    ReauthRequired,
    RetryableError,
)
from herald_common.publishing.parts import split_text
from herald_publisher_twitter import oauth1
from herald_publisher_twitter.settings import Settings


def tweet_url(tweet_id: str) -> str:
    return f"https://x.com/i/web/status/{tweet_id}"


class XClient:
    platform = Platform.TWITTER

    def __init__(self, http: httpx.AsyncClient, settings: Settings) -> None:
        self.http, self.settings = http, settings
        self.base = settings.twitter_api_base_url.rstrip("/")
        self._user_id = settings.twitter_user_id

    def split(self, target: PostTarget, numbering: bool) -> list[str]:
        return split_text(Platform.TWITTER, target.content, numbering)

    def _auth(self, method: str, url: str, params: dict[str, str] | None = None) -> dict[str, str]:
        s = self.settings
        if s.uses_oauth1:
            assert s.twitter_consumer_key and s.twitter_consumer_secret
            assert s.twitter_access_token and s.twitter_access_token_secret
            signed_url = url if not params else str(httpx.URL(url, params=params))
            return {
                "Authorization": oauth1.authorization_header(
                    method,
                    signed_url,
                    consumer_key=s.twitter_consumer_key,
                    consumer_secret=s.twitter_consumer_secret,
                    token=s.twitter_access_token,
                    token_secret=s.twitter_access_token_secret,
                )
            }
        if not s.twitter_user_token:
            raise ReauthRequired(
                "no X account is connected (set HERALD_TWITTER_USER_TOKEN or the OAuth 1.0a keys)",
                code="no_account",
            )
        return {"Authorization": f"Bearer {s.twitter_user_token}"}

    async def publish(self, part: PartRequest) -> CreatedObject:
        body: dict[str, Any] = {"text": part.text}
        if part.parent is not None:
            body["reply"] = {"in_reply_to_tweet_id": part.parent.platform_post_id}
        url = f"{self.base}/2/tweets"
        response = await call(
            self.http,
            "POST",
            url,
            platform="twitter",
            operation="create_tweet",
            headers=self._auth("POST", url),
            json=body,
        )
        _raise_for(response)
        tweet_id = str((json_or_empty(response).get("data") or {}).get("id") or "")
        if not tweet_id:
            raise RetryableError("X answered without a tweet id", maybe_created=True)
        return CreatedObject(tweet_id, tweet_url(tweet_id))

    async def find(self, part: PartRequest, since: datetime) -> CreatedObject | None:
        user_id = await self._me()
        url = f"{self.base}/2/users/{user_id}/tweets"
        params = {"max_results": "100", "tweet.fields": "created_at,referenced_tweets"}
        response = await call(
            self.http,
            "GET",
            url,
            platform="twitter",
            operation="find_tweet",
            headers=self._auth("GET", url, params),
            params=params,
        )
        _raise_for(response)
        for tweet in json_or_empty(response).get("data") or []:
            if tweet.get("text") != part.text:
                continue
            created = tweet.get("created_at")
            if created and datetime.fromisoformat(created.replace("Z", "+00:00")) < since:
                continue
            return CreatedObject(str(tweet["id"]), tweet_url(str(tweet["id"])))
        return None

    async def _me(self) -> str:
        if self._user_id is None:
            url = f"{self.base}/2/users/me"
            response = await call(
                self.http,
                "GET",
                url,
                platform="twitter",
                operation="users_me",
                headers=self._auth("GET", url),
            )
            _raise_for(response)
            self._user_id = str(json_or_empty(response)["data"]["id"])
        return self._user_id


def _raise_for(response: httpx.Response) -> None:
    status = response.status_code
    if status < 400:
        return
    body = json_or_empty(response)
    detail = str(body.get("detail") or body.get("title") or response.text[:300])
    if status == 429:
        reset = response.headers.get("x-rate-limit-reset") or response.headers.get(
            "x-user-limit-24hour-reset"
        )
        wait = max(0.0, float(reset) - time.time()) if reset and reset.isdigit() else None
        raise RetryableError(f"X rate limit: {detail}", code="429", retry_after=wait)
    if status >= 500:
        raise server_error("X", response)
    if status == 401:
        raise ReauthRequired(f"X refused the token: {detail}", code="401")
    if status == 403 and "duplicate" in detail.lower():
        raise DuplicateContent(f"X: {detail}", code="duplicate_content")
    errors = body.get("errors") or []
    if errors:
        detail += " — " + "; ".join(str(e.get("message")) for e in errors[:3])
    raise PermanentError(f"X answered {status}: {detail}", code=str(status))

"""X API v2 client: tweets with media, threads as reply chains, and the lookups that reconcile a
lost answer. OAuth 2.0 user tokens or OAuth 1.0a signing, whichever the account carries."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

import httpx

from herald_common.events import PostTarget
from herald_common.platforms import Platform
from herald_common.publishing.accounts import Account
from herald_common.publishing.budget import Budgets, Report
from herald_common.publishing.client import PartRequest
from herald_common.publishing.http import call, json_or_empty
from herald_common.publishing.media import fetch_all
from herald_common.publishing.outcomes import CreatedObject, RetryableError
from herald_common.publishing.parts import split_text
from herald_common.publishing.search import MAX_PAGES, PAGE_SIZE, inconclusive
from herald_publisher_twitter import media as x_media
from herald_publisher_twitter import oauth1
from herald_publisher_twitter.errors import raise_for, remaining_from, tweet_url
from herald_publisher_twitter.settings import Settings


def authorization(account: Account, method: str, url: str, form: dict[str, str] | None = None) -> str:
    """OAuth 1.0a when the account has a token secret and consumer keys, else a bearer user token.
    `url` carries the query; `form` is a form-urlencoded body (both signed; JSON and multipart are not)."""
    consumer_key, consumer_secret = account.extra.get("consumer_key"), account.extra.get("consumer_secret")
    if account.token_secret and consumer_key and consumer_secret:
        return oauth1.authorization_header(
            method,
            url,
            consumer_key=consumer_key,
            consumer_secret=consumer_secret,
            token=account.access_token,
            token_secret=account.token_secret,
            form=form,
        )
    return f"Bearer {account.access_token}"


class XClient:
    platform = Platform.TWITTER

    def __init__(self, http: httpx.AsyncClient, settings: Settings, budgets: Budgets | None = None) -> None:
        self.http, self.settings = http, settings
        self.budgets = budgets or Budgets(None)
        self.base = settings.twitter_api_base_url.rstrip("/")
        self._user_ids: dict[str, str] = {}  # token digest -> user id, for accounts that don't name it

    def split(self, target: PostTarget, numbering: bool) -> list[str]:
        return split_text(Platform.TWITTER, target.content, numbering)

    async def _send(
        self,
        account: Account,
        method: str,
        path: str,
        operation: str,
        *,
        form: dict[str, str] | None = None,
        files: dict[str, Any] | None = None,
        json: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        url = f"{self.base}{path}"
        kwargs: dict[str, Any] = {}
        if method == "GET":
            url = str(httpx.URL(url, params=form or {}))
            auth = authorization(account, method, url)
        elif files is not None:
            kwargs = {"data": form, "files": files}
            auth = authorization(account, method, url)
        elif form is not None:
            kwargs = {"data": form}
            auth = authorization(account, method, url, form)
        else:
            kwargs = {"json": json}
            auth = authorization(account, method, url)
        response = await call(
            self.http,
            method,
            url,
            platform="twitter",
            operation=operation,
            headers={"Authorization": auth},
            **kwargs,
        )
        await self._observe(account, response)
        raise_for(response)
        return json_or_empty(response)

    async def _observe(self, account: Account, response: httpx.Response) -> None:
        """Keep what X says is left, so the next call holds back instead of meeting a 429."""
        if not response.headers.get("x-rate-limit-remaining"):
            return
        user = await self._user_id(account)
        posting = "/2/tweets" in response.request.url.path
        reports = [
            Report(user if w.per_account else "app", w.bucket, w.remaining, w.reset_at)
            for w in remaining_from(response)
            # only the posting window guards posting; reads have their own
            if w.bucket != "window" or posting
        ]
        await self.budgets.observe_all("twitter", reports, reserve=0)

    async def publish(self, part: PartRequest) -> CreatedObject:
        account = part.account
        body: dict[str, Any] = {"text": part.text}
        if part.parent is not None:
            body["reply"] = {"in_reply_to_tweet_id": part.parent.platform_post_id}
        user = await self._user_id(account)
        await self.budgets.check_all("twitter", [(user, "window"), (user, "user24h"), ("app", "app24h")])
        if part.media_urls:
            fetched = await fetch_all(
                self.http,
                Platform.TWITTER,
                part.media_urls,
                max_bytes=self.settings.media_max_bytes,
                allow=self.settings.media_fetch_allow_hosts,
                timeout=self.settings.media_fetch_timeout_seconds,
            )

            async def send(method: str, path: str, form: dict[str, str], files: Any) -> dict[str, Any]:
                op = "media_status" if method == "GET" else "media_upload"
                return await self._send(account, method, path, op, form=form, files=files)

            body["media"] = {"media_ids": [await x_media.upload(send, item) for item in fetched]}
        answer = await self._send(account, "POST", "/2/tweets", "create_tweet", json=body)
        tweet_id = str((answer.get("data") or {}).get("id") or "")
        if not tweet_id:
            raise RetryableError("X answered without a tweet id", maybe_created=True)
        return CreatedObject(tweet_id, tweet_url(tweet_id))

    async def find(self, part: PartRequest, since: datetime) -> CreatedObject | None:
        """Page through the user's timeline (replies included), newest first, from now back to
        `since`: `start_time` makes X stop there, `next_token` walks the pages in between."""
        user = await self._user_id(part.account)
        params = {
            "max_results": str(PAGE_SIZE),
            "tweet.fields": "created_at,referenced_tweets",
            "start_time": since.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        }
        for _ in range(MAX_PAGES):
            answer = await self._send(
                part.account, "GET", f"/2/users/{user}/tweets", "find_tweet", form=params
            )
            for tweet in answer.get("data") or []:
                if _is_part(tweet, part, since):
                    return CreatedObject(str(tweet["id"]), tweet_url(str(tweet["id"])))
            token = (answer.get("meta") or {}).get("next_token")
            if not token:
                return None
            params["pagination_token"] = str(token)
        raise inconclusive("X", MAX_PAGES)

    async def _user_id(self, account: Account) -> str:
        if account.account_id:
            return account.account_id
        key = hashlib.sha256(account.access_token.encode()).hexdigest()
        if key not in self._user_ids:
            url = f"{self.base}/2/users/me"
            response = await call(
                self.http,
                "GET",
                url,
                platform="twitter",
                operation="users_me",
                headers={"Authorization": authorization(account, "GET", url)},
            )
            raise_for(response)
            self._user_ids[key] = str(json_or_empty(response)["data"]["id"])
        return self._user_ids[key]


def _is_part(tweet: dict[str, Any], part: PartRequest, since: datetime) -> bool:
    """The tweet has the part's text, replies to the part's parent (for a continuation), and is
    no older than `since`."""
    if tweet.get("text") != part.text:
        return False
    if part.parent is not None:
        replied = {r.get("id") for r in tweet.get("referenced_tweets") or [] if r.get("type") == "replied_to"}
        if part.parent.platform_post_id not in replied:
            return False
    created = tweet.get("created_at")
    return not created or datetime.fromisoformat(created.replace("Z", "+00:00")) >= since

"""What Facebook and Instagram share: the Graph API error envelope and how to classify it, and
the Business Use Case usage header that feeds the per-account budget."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import httpx

from herald_common.publishing.budget import Budgets
from herald_common.publishing.client import PartRequest
from herald_common.publishing.http import call, json_or_empty, server_error
from herald_common.publishing.outcomes import (
    CreatedObject,
    DuplicateContent,
    PermanentError,
    ReauthRequired,
    RetryableError,
)
from herald_common.publishing.search import MAX_PAGES, PAGE_SIZE, inconclusive

# Throttling codes (app, user, page, BUC, generic) — transient by nature.
THROTTLED = {4, 17, 32, 341, 613, 80001, 80002}
DUPLICATE = {506}
TRANSIENT = {1, 2}
PUBLISHING_LIMIT_SUBCODE = 2207042
# When usage is high but Meta names no time to regain access, how long to hold back.
DEFAULT_HOLD_S = 60.0


def raise_for(response: httpx.Response, platform: str) -> None:
    if response.status_code < 400:
        return
    error = json_or_empty(response).get("error") or {}
    if not error:
        if response.status_code >= 500:
            raise server_error(platform, response)
        raise PermanentError(f"{platform} answered {response.status_code}: {response.text[:300]}")
    code, subcode = int(error.get("code") or 0), int(error.get("error_subcode") or 0)
    message = str(error.get("error_user_msg") or error.get("message") or "unknown error")
    ref = f"{code}/{subcode}" if subcode else str(code)
    if code == 190:
        raise ReauthRequired(f"{platform} refused the token ({ref}): {message}", code=ref)
    if code in THROTTLED or subcode == PUBLISHING_LIMIT_SUBCODE or (code == 368 and subcode == 1390008):
        raise RetryableError(
            f"{platform} throttled the account ({ref}): {message}",
            code=ref,
            retry_after=regain_seconds(response),
            rate_limited=True,
        )
    if code in DUPLICATE or (code == 368 and "already posted" in message.lower()):
        raise DuplicateContent(f"{platform}: {message}", code=ref)
    if code in TRANSIENT or error.get("is_transient"):
        # Code 2 comes with HTTP 500 and the post may exist anyway: look before posting again.
        raise RetryableError(
            f"{platform} had a transient error ({ref}): {message}", code=ref, maybe_created=True
        )
    if response.status_code >= 500:
        raise server_error(platform, response)
    if code == 10 or 200 <= code <= 299:
        message += " (the token lacks a permission: pages_manage_posts / instagram_content_publish)"
    raise PermanentError(f"{platform} ({ref}): {message}", code=ref)


def usage(response: httpx.Response) -> tuple[int, float] | None:
    """(highest usage percentage, minutes to regain access) over X-Business-Use-Case-Usage entries."""
    raw = response.headers.get("x-business-use-case-usage")
    if not raw:
        return None
    try:
        entries = [e for v in json.loads(raw).values() for e in v]
        percent = max(
            max(int(e.get(k) or 0) for k in ("call_count", "total_cputime", "total_time")) for e in entries
        )
        minutes = max(float(e.get("estimated_time_to_regain_access") or 0) for e in entries)
    except (ValueError, TypeError, AttributeError):
        return None
    return percent, minutes


def graph_time(value: object) -> datetime:
    """A Graph timestamp (`2026-11-25T07:11:01+0000`); the epoch when absent or unreadable, so a
    missing time never passes for a recent one."""
    try:
        return datetime.fromisoformat(str(value or "").replace("+0000", "+00:00"))
    except ValueError:
        return datetime.fromtimestamp(0, UTC)


def regain_seconds(response: httpx.Response) -> float | None:
    """`estimated_time_to_regain_access` (minutes) from the BUC usage header, when present."""
    found = usage(response)
    return found[1] * 60.0 if found and found[1] > 0 else None


class Graph:
    """Graph calls for one platform (facebook or instagram): classified, with BUC usage remembered
    per account so the next call holds back before Meta throttles."""

    def __init__(
        self, http: httpx.AsyncClient, base: str, platform: str, budgets: Budgets, reserve_percent: int
    ) -> None:
        self.http, self.base, self.platform, self.budgets = http, base, platform, budgets
        self.reserve = reserve_percent
        self.label = platform.capitalize()

    async def check_budget(self, account_id: str) -> None:
        await self.budgets.check(self.platform, account_id, "buc", reserve=self.reserve)

    async def request(
        self, method: str, path: str, operation: str, token: str, account_id: str, **params: str
    ) -> dict[str, Any]:
        args = {**params, "access_token": token}
        kwargs: dict[str, Any] = {"params": args} if method == "GET" else {"data": args}
        response = await call(
            self.http, method, f"{self.base}/{path}", platform=self.platform, operation=operation, **kwargs
        )
        found = usage(response)
        if found is not None:
            percent, minutes = found
            hold = minutes * 60.0 if minutes > 0 else DEFAULT_HOLD_S
            await self.budgets.observe(
                self.platform, account_id, "buc", remaining=100 - percent, reset_at=time.time() + hold
            )
        raise_for(response, self.label)
        return json_or_empty(response)

    async def pages(
        self, path: str, operation: str, token: str, account_id: str, **params: str
    ) -> AsyncIterator[list[dict[str, Any]]]:
        """Each page of a Graph edge in turn: `limit` per page, then the `after` cursor for as long
        as Graph names a `next` page. Past MAX_PAGES the search cannot prove absence."""
        query = {"limit": str(PAGE_SIZE), **params}
        for _ in range(MAX_PAGES):
            body = await self.request("GET", path, operation, token, account_id, **query)
            yield list(body.get("data") or [])
            paging = body.get("paging") or {}
            after = (paging.get("cursors") or {}).get("after")
            if not paging.get("next") or not after:
                return
            query["after"] = str(after)
        raise inconclusive(self.label, MAX_PAGES)

    async def find_comment(self, part: PartRequest, text_field: str) -> CreatedObject | None:
        """A comment part whose answer was lost: the parent's comment with the part's text, if any.
        Facebook names the text `message`, Instagram `text`."""
        parent = part.root or part.parent
        assert parent is not None
        account = part.account
        async for comments in self.pages(
            f"{parent.platform_post_id}/comments",
            "find_comment",
            account.access_token,
            account.account_id,
            fields=f"id,{text_field}",
        ):
            for comment in comments:
                if comment.get(text_field) == part.text:
                    return CreatedObject(str(comment["id"]), parent.url)
        return None

    async def find_recent(
        self,
        part: PartRequest,
        created_since: datetime,
        edge: str,
        operation: str,
        match: tuple[str, str],
        **params: str,
    ) -> dict[str, Any] | None:
        """A post part whose answer was lost: the object on the account's `edge` whose text field
        (match[0]) is the part's text and whose creation time (match[1]) is not before `created_since`.
        The edge lists newest first, so the search stops at a page that reaches back past it."""
        text_field, time_field = match
        account = part.account
        async for objects in self.pages(
            f"{account.account_id}/{edge}", operation, account.access_token, account.account_id, **params
        ):
            for obj in objects:
                if obj.get(text_field) == part.text and graph_time(obj.get(time_field)) >= created_since:
                    return obj
            if any(graph_time(obj.get(time_field)) < created_since for obj in objects):
                return None  # newest first: the rest is older still
        return None

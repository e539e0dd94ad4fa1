"""LinkedIn Posts API client: posts (text, one or several images) as a member or an organisation,
continuation and first comments, and the lookups that reconcile a lost answer."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

import httpx

from herald_common.events import PostTarget
from herald_common.platforms import Platform
from herald_common.publishing.accounts import Account
from herald_common.publishing.budget import Budgets
from herald_common.publishing.client import PartRequest
from herald_common.publishing.http import call, json_or_empty
from herald_common.publishing.media import fetch_all
from herald_common.publishing.outcomes import CreatedObject, PermanentError, RetryableError
from herald_common.publishing.parts import split_text
from herald_common.publishing.search import MAX_PAGES, PAGE_SIZE, inconclusive
from herald_common.text import escape_little_text
from herald_publisher_linkedin.errors import post_url, raise_for
from herald_publisher_linkedin.images import upload_image
from herald_publisher_linkedin.settings import Settings

AUTHOR_PREFIXES = ("urn:li:person:", "urn:li:organization:")
# Offset paging shifts when something is deleted between two pages; this many elements are read twice.
PAGE_OVERLAP = 5


class LinkedInClient:
    platform = Platform.LINKEDIN

    def __init__(self, http: httpx.AsyncClient, settings: Settings, budgets: Budgets | None = None) -> None:
        self.http, self.settings = http, settings
        self.budgets = budgets or Budgets(None)
        self.base = settings.linkedin_api_base_url.rstrip("/")

    def split(self, target: PostTarget, numbering: bool) -> list[str]:
        return split_text(Platform.LINKEDIN, target.content, numbering)

    def _headers(self, account: Account) -> dict[str, str]:
        return {
            "Authorization": f"Bearer {account.access_token}",
            "LinkedIn-Version": self.settings.linkedin_version,
            "X-Restli-Protocol-Version": "2.0.0",
            "Content-Type": "application/json",
        }

    async def publish(self, part: PartRequest) -> CreatedObject:
        author = _author(part.account)
        if part.kind != "post":
            return await self._comment(part, author)
        media = await fetch_all(
            self.http,
            Platform.LINKEDIN,
            part.media_urls,
            max_bytes=self.settings.media_max_bytes,
            allow=self.settings.media_fetch_allow_hosts,
            timeout=self.settings.media_fetch_timeout_seconds,
        )
        await self.budgets.take_daily(
            "linkedin", author, "posts", limit=self.settings.linkedin_daily_post_budget
        )
        headers = self._headers(part.account)
        images = [
            await upload_image(
                self.http,
                self.base,
                headers,
                author,
                item,
                poll_seconds=self.settings.linkedin_image_poll_seconds,
                max_wait_seconds=self.settings.linkedin_image_max_wait_seconds,
            )
            for item in media
        ]
        body: dict[str, Any] = {
            "author": author,
            "commentary": escape_little_text(part.text),
            "visibility": "PUBLIC",
            "distribution": {
                "feedDistribution": "MAIN_FEED",
                "targetEntities": [],
                "thirdPartyDistributionChannels": [],
            },
            "lifecycleState": "PUBLISHED",
            "isReshareDisabledByAuthor": False,
        }
        if len(images) == 1:
            body["content"] = {"media": {"id": images[0]}}
        elif images:
            body["content"] = {"multiImage": {"images": [{"id": urn} for urn in images]}}
        response = await call(
            self.http,
            "POST",
            f"{self.base}/rest/posts",
            platform="linkedin",
            operation="create_post",
            headers=headers,
            json=body,
        )
        await self._raise_for(response, author)
        urn = response.headers.get("x-restli-id")
        if not urn:
            raise RetryableError("LinkedIn answered 201 without x-restli-id", maybe_created=True)
        return CreatedObject(urn, post_url(urn))

    async def _comment(self, part: PartRequest, author: str) -> CreatedObject:
        root = part.root or part.parent
        assert root is not None, "a comment continues a post"
        # Comments use the same "little" text format as posts: unescaped reserved characters cut them.
        response = await call(
            self.http,
            "POST",
            f"{self.base}/rest/socialActions/{quote(root.platform_post_id, safe='')}/comments",
            platform="linkedin",
            operation="create_comment",
            headers=self._headers(part.account),
            json={
                "actor": author,
                "object": root.platform_post_id,
                "message": {"text": escape_little_text(part.text)},
            },
        )
        await self._raise_for(response, author)
        comment = json_or_empty(response)
        urn = comment.get("commentUrn") or comment.get("$URN") or comment.get("id")
        if not urn:
            raise RetryableError("LinkedIn created a comment without naming it", maybe_created=True)
        return CreatedObject(str(urn), _comment_url(root, str(urn)))

    async def _raise_for(self, response: httpx.Response, author: str) -> None:
        if response.status_code == 429:
            # The day's budget is gone for this author: every replica holds back until midnight UTC.
            await self.budgets.spend_daily(
                "linkedin", author, "posts", limit=self.settings.linkedin_daily_post_budget
            )
        raise_for(response)

    async def find(self, part: PartRequest, since: datetime) -> CreatedObject | None:
        author = _author(part.account)
        headers = self._headers(part.account)
        if part.kind == "post":
            return await self._find_post(part, author, headers, since)
        root = part.root or part.parent
        assert root is not None
        wanted = (escape_little_text(part.text), part.text)
        comments = f"/rest/socialActions/{quote(root.platform_post_id, safe='')}/comments"
        async for elements in self._pages(comments, "find_comment", headers, {}, missing_is_empty=True):
            for el in elements:
                if (el.get("message") or {}).get("text") in wanted and el.get("actor") in (author, None):
                    urn = str(el.get("commentUrn") or el.get("$URN") or el.get("id"))
                    return CreatedObject(urn, _comment_url(root, urn))
        return None

    async def _find_post(
        self, part: PartRequest, author: str, headers: dict[str, str], since: datetime
    ) -> CreatedObject | None:
        """Page through the author's posts, newest first, back to `since`."""
        wanted = (escape_little_text(part.text), part.text)
        query = {"q": "author", "author": author, "sortBy": "LAST_MODIFIED"}
        async for elements in self._pages("/rest/posts", "find_post", headers, query):
            for el in elements:
                if el.get("commentary") in wanted and _millis(el.get("createdAt")) >= since:
                    return CreatedObject(el["id"], post_url(el["id"]))
            # Sorted by last modification, which is never before creation: once a page reaches
            # back past `since`, no later page holds a post created after it.
            if any(_millis(el.get("lastModifiedAt", el.get("createdAt"))) < since for el in elements):
                return None
        return None

    async def _pages(
        self,
        path: str,
        operation: str,
        headers: dict[str, str],
        query: dict[str, Any],
        *,
        missing_is_empty: bool = False,
    ) -> AsyncIterator[list[Any]]:
        """The elements of each page of a collection until it ends (a 404 ends it when
        `missing_is_empty`); `inconclusive` when it is longer than MAX_PAGES pages."""
        start = 0
        for _ in range(MAX_PAGES):
            response = await call(
                self.http,
                "GET",
                f"{self.base}{path}",
                platform="linkedin",
                operation=operation,
                headers=headers,
                params={**query, "start": start, "count": PAGE_SIZE},
            )
            if missing_is_empty and response.status_code == 404:
                return
            raise_for(response)
            body = json_or_empty(response)
            elements = body.get("elements", [])
            yield elements
            if _last_page(body, start):
                return
            start += _advance(elements)
        raise inconclusive("LinkedIn", MAX_PAGES)


def _advance(elements: list[Any]) -> int:
    """How far the next page starts. LinkedIn pages by offset: a post deleted while we page would
    shift the rest one place towards the start, so consecutive pages overlap by a few elements."""
    return max(1, len(elements) - PAGE_OVERLAP)


def _last_page(body: dict[str, Any], start: int) -> bool:
    """An empty page ends the collection, and so does reaching `paging.total` when LinkedIn gives
    it. A short page does not: LinkedIn may return fewer than `count` and still have more."""
    elements = body.get("elements") or []
    total = (body.get("paging") or {}).get("total")
    return not elements or (isinstance(total, int) and start + len(elements) >= total)


def _millis(value: Any) -> datetime:
    return datetime.fromtimestamp(int(value or 0) / 1000, UTC)


def _author(account: Account) -> str:
    if not account.account_id.startswith(AUTHOR_PREFIXES):
        raise PermanentError(
            f"LinkedIn author {account.account_id!r} is neither urn:li:person:… nor urn:li:organization:…",
            code="bad_author",
        )
    return account.account_id


def _comment_url(root: CreatedObject, comment_urn: str) -> str | None:
    return f"{root.url}?commentUrn={quote(comment_urn, safe='')}" if root.url else None

"""LinkedIn Posts API client: posts, continuation comments, and lookups for reconciliation."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

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
from herald_common.text import escape_little_text
from herald_publisher_linkedin.settings import Settings

_DUPLICATE_OF = re.compile(r"duplicate of (urn:li:[a-zA-Z]+:\d+)")


def post_url(urn: str) -> str:
    return f"https://www.linkedin.com/feed/update/{urn}"


class LinkedInClient:
    platform = Platform.LINKEDIN

    def __init__(self, http: httpx.AsyncClient, settings: Settings) -> None:
        self.http, self.settings = http, settings
        self.base = settings.linkedin_api_base_url.rstrip("/")

    def split(self, target: PostTarget, numbering: bool) -> list[str]:
        return split_text(Platform.LINKEDIN, target.content, numbering)

    def _headers(self) -> dict[str, str]:
        return {
            "Authorization": f"Bearer {_require(self.settings.linkedin_access_token, 'HERALD_LINKEDIN_ACCESS_TOKEN')}",
            "LinkedIn-Version": self.settings.linkedin_version,
            "X-Restli-Protocol-Version": "2.0.0",
            "Content-Type": "application/json",
        }

    async def publish(self, part: PartRequest) -> CreatedObject:
        author = self.settings.linkedin_author_urn
        if part.kind == "post":
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
            response = await call(
                self.http,
                "POST",
                f"{self.base}/rest/posts",
                platform="linkedin",
                operation="create_post",
                headers=self._headers(),
                json=body,
            )
            _raise_for(response)
            urn = response.headers.get("x-restli-id") or response.headers.get("x-linkedin-id")
            if not urn:
                raise RetryableError("LinkedIn answered 201 without x-restli-id", maybe_created=True)
            return CreatedObject(urn, post_url(urn))
        root = part.root or part.parent
        assert root is not None, "a comment continues a post"
        # Comments use the same "little" text format as posts: unescaped reserved characters cut them.
        body = {
            "actor": author,
            "object": root.platform_post_id,
            "message": {"text": escape_little_text(part.text)},
        }
        response = await call(
            self.http,
            "POST",
            f"{self.base}/rest/socialActions/{quote(root.platform_post_id, safe='')}/comments",
            platform="linkedin",
            operation="create_comment",
            headers=self._headers(),
            json=body,
        )
        _raise_for(response)
        comment = json_or_empty(response)
        urn = comment.get("$URN") or comment.get("commentUrn") or comment.get("id")
        if not urn:
            raise RetryableError("LinkedIn created a comment without naming it", maybe_created=True)
        return CreatedObject(str(urn), root.url)

    async def find(self, part: PartRequest, since: datetime) -> CreatedObject | None:
        if part.kind == "post":
            response = await call(
                self.http,
                "GET",
                f"{self.base}/rest/posts",
                platform="linkedin",
                operation="find_post",
                headers=self._headers(),
                params={"q": "author", "author": self.settings.linkedin_author_urn, "count": 50},
            )
            _raise_for(response)
            wanted = escape_little_text(part.text)
            for el in json_or_empty(response).get("elements", []):
                created = datetime.fromtimestamp(el.get("createdAt", 0) / 1000, UTC)
                if el.get("commentary") in (wanted, part.text) and created >= since:
                    return CreatedObject(el["id"], post_url(el["id"]))
            return None
        root = part.root or part.parent
        assert root is not None
        response = await call(
            self.http,
            "GET",
            f"{self.base}/rest/socialActions/{quote(root.platform_post_id, safe='')}/comments",
            platform="linkedin",
            operation="find_comment",
            headers=self._headers(),
        )
        if response.status_code == 404:
            return None
        _raise_for(response)
        for el in json_or_empty(response).get("elements", []):
            if (el.get("message") or {}).get("text") in (escape_little_text(part.text), part.text):
                return CreatedObject(str(el.get("$URN") or el.get("commentUrn") or el.get("id")), root.url)
        return None


def _raise_for(response: httpx.Response) -> None:
    status = response.status_code
    if status < 400:
        return
    body = json_or_empty(response)
    message = str(body.get("message") or response.text[:300])
    code = str(body.get("code") or body.get("serviceErrorCode") or status)
    if status == 401:
        raise ReauthRequired(f"LinkedIn refused the token: {message}", code=code)
    if status == 429:
        # LinkedIn's limits are daily and reset at midnight UTC; it sends no Retry-After.
        now = datetime.now(UTC)
        midnight = (now + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
        raise RetryableError(
            f"LinkedIn throttled the account: {message}",
            code="429",
            retry_after=min((midnight - now).total_seconds(), 3600.0),
        )
    if status >= 500:
        raise server_error("LinkedIn", response)
    details = (body.get("errorDetails") or {}).get("inputErrors") or []
    if any(d.get("code") == "DUPLICATE_POST" for d in details):
        match = _DUPLICATE_OF.search(message)
        existing = CreatedObject(match.group(1), post_url(match.group(1))) if match else None
        raise DuplicateContent(f"LinkedIn: {message}", code="DUPLICATE_POST", existing=existing)
    if status == 426:
        raise PermanentError(
            f"LinkedIn: {message} (set HERALD_LINKEDIN_VERSION to an active YYYYMM)", code=code
        )
    raise PermanentError(f"LinkedIn answered {status}: {message}", code=code)


def _require(token: str | None, setting: str) -> str:
    if not token:
        raise ReauthRequired(f"no LinkedIn account is connected (set {setting})", code="no_account")
    return token

"""Facebook Pages: text and link posts, photo posts (one via /photos, several as unpublished photos
plus `attached_media`), comments, and the feed lookup that reconciles a lost answer.

Photos are given to Facebook by URL: Facebook fetches them itself.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import httpx

from herald_common.events import PostTarget
from herald_common.platforms import Platform
from herald_common.publishing.budget import Budgets
from herald_common.publishing.client import PartRequest
from herald_common.publishing.media import check_urls
from herald_common.publishing.outcomes import CreatedObject, RetryableError
from herald_common.publishing.parts import split_text
from herald_common.text import find_urls
from herald_publisher_meta.graph import Graph
from herald_publisher_meta.settings import Settings


def post_url(post_id: str) -> str:
    return f"https://www.facebook.com/{post_id}"


class FacebookClient:
    platform = Platform.FACEBOOK

    def __init__(self, http: httpx.AsyncClient, settings: Settings, budgets: Budgets | None = None) -> None:
        base = f"{settings.graph_api_base_url.rstrip('/')}/{settings.graph_api_version}"
        self.graph = Graph(
            http, base, "facebook", budgets or Budgets(None), settings.meta_usage_reserve_percent
        )

    def split(self, target: PostTarget, numbering: bool) -> list[str]:
        return split_text(Platform.FACEBOOK, target.content, numbering)

    async def _post(self, part: PartRequest, path: str, operation: str, **data: str) -> dict[str, Any]:
        account = part.account
        return await self.graph.request(
            "POST", path, operation, account.access_token, account.account_id, **data
        )

    async def publish(self, part: PartRequest) -> CreatedObject:
        page = part.account.account_id
        await self.graph.check_budget(page)
        if part.kind != "post":
            parent = part.root or part.parent
            assert parent is not None
            body = await self._post(
                part, f"{parent.platform_post_id}/comments", "create_comment", message=part.text
            )
            return CreatedObject(str(body.get("id")), parent.url)
        check_urls(Platform.FACEBOOK, part.media_urls)
        if not part.media_urls:
            links = [u.url for u in find_urls(part.text) if u.url.startswith(("http://", "https://"))]
            extra = {"link": links[0]} if links else {}
            body = await self._post(part, f"{page}/feed", "create_post", message=part.text, **extra)
        elif len(part.media_urls) == 1:
            photo = await self._post(
                part,
                f"{page}/photos",
                "create_photo",
                url=part.media_urls[0],
                caption=part.text,
                published="true",
            )
            body = {"id": photo.get("post_id") or photo.get("id")}
        else:
            photo_ids = []
            for url in part.media_urls:
                photo = await self._post(part, f"{page}/photos", "upload_photo", url=url, published="false")
                photo_ids.append({"media_fbid": str(photo.get("id"))})
            body = await self._post(
                part, f"{page}/feed", "create_post", message=part.text, attached_media=json.dumps(photo_ids)
            )
        post_id = str(body.get("id") or "")
        if not post_id:
            raise RetryableError("Facebook answered without a post id", maybe_created=True)
        return CreatedObject(post_id, post_url(post_id))

    async def find(self, part: PartRequest, since: datetime) -> CreatedObject | None:
        if part.kind != "post":
            return await self.graph.find_comment(part, "message")
        # `since` bounds the feed to the lost call's window; the pages in between are all read.
        post = await self.graph.find_recent(
            part,
            since,
            "feed",
            "find_post",
            ("message", "created_time"),
            fields="id,message,created_time",
            since=str(int(since.timestamp())),
        )
        return None if post is None else CreatedObject(str(post["id"]), post_url(str(post["id"])))

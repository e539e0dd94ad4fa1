"""Facebook Pages: text/link posts, photo posts, comments, and the feed lookup for reconciliation."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import httpx

from herald_common.events import PostTarget
from herald_common.platforms import Platform
from herald_common.publishing.client import PartRequest
from herald_common.publishing.http import call, json_or_empty
from herald_common.publishing.outcomes import CreatedObject, RetryableError
from herald_common.publishing.parts import split_text
from herald_publisher_meta.graph import page_token, raise_for
from herald_publisher_meta.settings import Settings


def post_url(post_id: str) -> str:
    return f"https://www.facebook.com/{post_id}"


class FacebookClient:
    platform = Platform.FACEBOOK

    def __init__(self, http: httpx.AsyncClient, settings: Settings) -> None:
        self.http, self.s = http, settings
        self.base = f"{settings.graph_api_base_url.rstrip('/')}/{settings.graph_api_version}"

    def split(self, target: PostTarget, numbering: bool) -> list[str]:
        return split_text(Platform.FACEBOOK, target.content, numbering)

    async def _post(self, path: str, operation: str, data: dict[str, str]) -> dict[str, Any]:
        response = await call(
            self.http,
            "POST",
            f"{self.base}/{path}",
            platform="facebook",
            operation=operation,
            data={**data, "access_token": page_token(self.s)},
        )
        raise_for(response, "Facebook")
        return json_or_empty(response)

    async def publish(self, part: PartRequest) -> CreatedObject:
        page = self.s.facebook_page_id
        if part.kind != "post":
            parent = part.root or part.parent
            assert parent is not None
            body = await self._post(
                f"{parent.platform_post_id}/comments", "create_comment", {"message": part.text}
            )
            return CreatedObject(str(body.get("id")), parent.url)
        if not part.media_urls:
            body = await self._post(f"{page}/feed", "create_post", {"message": part.text})
        elif len(part.media_urls) == 1:
            body = await self._post(
                f"{page}/photos",
                "create_photo",
                {"url": part.media_urls[0], "caption": part.text, "published": "true"},
            )
            body = {"id": body.get("post_id") or body.get("id")}
        else:
            photo_ids = []
            for url in part.media_urls:
                photo = await self._post(f"{page}/photos", "upload_photo", {"url": url, "published": "false"})
                photo_ids.append({"media_fbid": str(photo.get("id"))})
            body = await self._post(
                f"{page}/feed", "create_post", {"message": part.text, "attached_media": json.dumps(photo_ids)}
            )
        post_id = str(body.get("id") or "")
        if not post_id:
            raise RetryableError("Facebook answered without a post id", maybe_created=True)
        return CreatedObject(post_id, post_url(post_id))

    async def find(self, part: PartRequest, since: datetime) -> CreatedObject | None:
        if part.kind != "post":
            parent = part.root or part.parent
            assert parent is not None
            response = await call(
                self.http,
                "GET",
                f"{self.base}/{parent.platform_post_id}/comments",
                platform="facebook",
                operation="find_comment",
                params={"fields": "id,message", "access_token": page_token(self.s)},
            )
            raise_for(response, "Facebook")
            for comment in json_or_empty(response).get("data") or []:
                if comment.get("message") == part.text:
                    return CreatedObject(str(comment["id"]), parent.url)
            return None
        response = await call(
            self.http,
            "GET",
            f"{self.base}/{self.s.facebook_page_id}/feed",
            platform="facebook",
            operation="find_post",
            params={
                "fields": "id,message,created_time",
                "limit": "100",
                "access_token": page_token(self.s),
            },
        )
        raise_for(response, "Facebook")
        for post in json_or_empty(response).get("data") or []:
            created = datetime.fromisoformat(str(post.get("created_time", "")).replace("+0000", "+00:00"))
            if post.get("message") == part.text and created >= since:
                return CreatedObject(str(post["id"]), post_url(str(post["id"])))
        return None

"""Instagram content publishing: container -> status polling -> media_publish; carousels of 2-10 images.

The quota is checked first (`content_publishing_limit`), so a full account waits instead of
burning an attempt on error 9/2207042.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

import httpx

from herald_common.events import PostTarget
from herald_common.platforms import Platform
from herald_common.publishing.client import PartRequest
from herald_common.publishing.http import call, json_or_empty
from herald_common.publishing.outcomes import CreatedObject, PermanentError, RetryableError
from herald_common.publishing.parts import split_text
from herald_publisher_meta.graph import page_token, raise_for
from herald_publisher_meta.settings import Settings

QUOTA_RETRY_SECONDS = 3600.0


class InstagramClient:
    platform = Platform.INSTAGRAM

    def __init__(self, http: httpx.AsyncClient, settings: Settings) -> None:
        self.http, self.s = http, settings
        self.base = f"{settings.graph_api_base_url.rstrip('/')}/{settings.graph_api_version}"

    def split(self, target: PostTarget, numbering: bool) -> list[str]:
        return split_text(Platform.INSTAGRAM, target.content, numbering)

    async def _call(self, method: str, path: str, operation: str, **params: str) -> dict[str, Any]:
        args = {**params, "access_token": page_token(self.s)}
        kwargs = {"params": args} if method == "GET" else {"data": args}
        response = await call(
            self.http, method, f"{self.base}/{path}", platform="instagram", operation=operation, **kwargs
        )
        raise_for(response, "Instagram")
        return json_or_empty(response)

    async def publish(self, part: PartRequest) -> CreatedObject:
        if part.kind != "post":
            parent = part.root or part.parent
            assert parent is not None
            body = await self._call(
                "POST", f"{parent.platform_post_id}/comments", "create_comment", message=part.text
            )
            return CreatedObject(str(body.get("id")), parent.url)
        if not part.media_urls:
            raise PermanentError("Instagram has no text-only posts; add an image", code="media_required")
        await self._check_quota()
        user = self.s.instagram_user_id
        if len(part.media_urls) == 1:
            container = await self._call(
                "POST", f"{user}/media", "create_container", image_url=part.media_urls[0], caption=part.text
            )
        else:
            children = [
                await self._call(
                    "POST", f"{user}/media", "create_container", image_url=url, is_carousel_item="true"
                )
                for url in part.media_urls
            ]
            for child in children:
                await self._wait_finished(str(child["id"]))
            container = await self._call(
                "POST",
                f"{user}/media",
                "create_container",
                media_type="CAROUSEL",
                caption=part.text,
                children=",".join(str(c["id"]) for c in children),
            )
        creation_id = str(container["id"])
        await self._wait_finished(creation_id)
        published = await self._call("POST", f"{user}/media_publish", "publish", creation_id=creation_id)
        media_id = str(published.get("id") or "")
        if not media_id:
            raise RetryableError("Instagram answered without a media id", maybe_created=True)
        media = await self._call("GET", media_id, "get_media", fields="permalink")
        return CreatedObject(media_id, str(media.get("permalink")) if media.get("permalink") else None)

    async def _check_quota(self) -> None:
        body = await self._call(
            "GET",
            f"{self.s.instagram_user_id}/content_publishing_limit",
            "quota",
            fields="quota_usage,config",
        )
        data = (body.get("data") or [{}])[0]
        total = (data.get("config") or {}).get("quota_total")
        if total is not None and data.get("quota_usage", 0) >= total:
            raise RetryableError(
                f"Instagram publishing quota used up ({total} per 24 h)",
                code="9/2207042",
                retry_after=QUOTA_RETRY_SECONDS,
            )

    async def _wait_finished(self, container_id: str) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.s.instagram_container_max_wait_seconds
        while True:
            body = await self._call("GET", container_id, "container_status", fields="status_code,status")
            status = body.get("status_code")
            if status in ("FINISHED", "PUBLISHED"):
                return
            if status in ("ERROR", "EXPIRED"):
                raise PermanentError(
                    f"Instagram could not process the media ({status}: {body.get('status')})",
                    code=str(status),
                )
            if loop.time() > deadline:
                raise RetryableError("Instagram is still processing the media", code="container_in_progress")
            await asyncio.sleep(self.s.instagram_container_poll_seconds)

    async def find(self, part: PartRequest, since: datetime) -> CreatedObject | None:
        if part.kind != "post":
            return None
        body = await self._call(
            "GET", f"{self.s.instagram_user_id}/media", "find_media", fields="id,caption,permalink,timestamp"
        )
        for media in body.get("data") or []:
            created = datetime.fromisoformat(str(media.get("timestamp", "")).replace("+0000", "+00:00"))
            if media.get("caption") == part.text and created >= since:
                return CreatedObject(str(media["id"]), media.get("permalink"))
        return None

"""Instagram content publishing: container -> status polling -> media_publish; carousels of 2-10
images; first comments. Instagram fetches the image URLs itself.

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
from herald_common.publishing.budget import Budgets
from herald_common.publishing.client import PartRequest
from herald_common.publishing.media import check_urls
from herald_common.publishing.outcomes import CreatedObject, PermanentError, RetryableError
from herald_common.publishing.parts import split_text
from herald_publisher_meta.graph import Graph
from herald_publisher_meta.settings import Settings

QUOTA_RETRY_SECONDS = 3600.0
FIRST_POLL_SECONDS = 0.5


class InstagramClient:
    platform = Platform.INSTAGRAM

    def __init__(self, http: httpx.AsyncClient, settings: Settings, budgets: Budgets | None = None) -> None:
        self.s = settings
        base = f"{settings.graph_api_base_url.rstrip('/')}/{settings.graph_api_version}"
        self.graph = Graph(
            http, base, "instagram", budgets or Budgets(None), settings.meta_usage_reserve_percent
        )

    def split(self, target: PostTarget, numbering: bool) -> list[str]:
        return split_text(Platform.INSTAGRAM, target.content, numbering)

    async def _call(
        self, part: PartRequest, method: str, path: str, operation: str, **params: str
    ) -> dict[str, Any]:
        account = part.account
        return await self.graph.request(
            method, path, operation, account.access_token, account.account_id, **params
        )

    async def publish(self, part: PartRequest) -> CreatedObject:
        user = part.account.account_id
        await self.graph.check_budget(user)
        if part.kind != "post":
            parent = part.root or part.parent
            assert parent is not None
            body = await self._call(
                part, "POST", f"{parent.platform_post_id}/comments", "create_comment", message=part.text
            )
            return CreatedObject(str(body.get("id")), parent.url)
        if not part.media_urls:
            raise PermanentError("Instagram has no text-only posts; add an image", code="media_required")
        check_urls(Platform.INSTAGRAM, part.media_urls)
        await self._check_quota(part)
        if len(part.media_urls) == 1:
            container = await self._call(
                part,
                "POST",
                f"{user}/media",
                "create_container",
                image_url=part.media_urls[0],
                caption=part.text,
            )
        else:
            children = [
                await self._call(
                    part, "POST", f"{user}/media", "create_container", image_url=url, is_carousel_item="true"
                )
                for url in part.media_urls
            ]
            for child in children:
                await self._wait_finished(part, str(child["id"]))
            container = await self._call(
                part,
                "POST",
                f"{user}/media",
                "create_container",
                media_type="CAROUSEL",
                caption=part.text,
                children=",".join(str(c["id"]) for c in children),
            )
        creation_id = str(container["id"])
        await self._wait_finished(part, creation_id)
        published = await self._call(
            part, "POST", f"{user}/media_publish", "publish", creation_id=creation_id
        )
        media_id = str(published.get("id") or "")
        if not media_id:
            raise RetryableError("Instagram answered without a media id", maybe_created=True)
        media = await self._call(part, "GET", media_id, "get_media", fields="permalink")
        return CreatedObject(media_id, str(media.get("permalink")) if media.get("permalink") else None)

    async def _check_quota(self, part: PartRequest) -> None:
        body = await self._call(
            part,
            "GET",
            f"{part.account.account_id}/content_publishing_limit",
            "quota",
            fields="quota_usage,config",
        )
        data = (body.get("data") or [{}])[0]
        total = (data.get("config") or {}).get("quota_total")
        if total is not None and data.get("quota_usage", 0) >= total:
            raise RetryableError(
                f"Instagram publishing quota used up ({total} per 24 h); holding back",
                code="9/2207042",
                retry_after=QUOTA_RETRY_SECONDS,
                rate_limited=True,
            )

    async def _wait_finished(self, part: PartRequest, container_id: str) -> None:
        """Poll the container: soon at first, then backing off to the configured pause (Meta asks
        for once a minute at most 5 minutes)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.s.instagram_container_max_wait_seconds
        pause = FIRST_POLL_SECONDS
        while True:
            body = await self._call(
                part, "GET", container_id, "container_status", fields="status_code,status"
            )
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
            await asyncio.sleep(pause)
            pause = min(pause * 2, self.s.instagram_container_poll_seconds)

    async def find(self, part: PartRequest, since: datetime) -> CreatedObject | None:
        if part.kind != "post":
            return await self.graph.find_comment(part, "text")
        item = await self.graph.find_recent(
            part,
            since,
            "media",
            "find_media",
            ("caption", "timestamp"),
            fields="id,caption,permalink,timestamp",
        )
        return None if item is None else CreatedObject(str(item["id"]), item.get("permalink"))

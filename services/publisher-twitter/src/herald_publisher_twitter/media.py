"""X media upload v2: INIT -> APPEND (chunks of at most 4 MiB) -> FINALIZE -> STATUS until done."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from herald_common.publishing.media import FetchedMedia
from herald_common.publishing.outcomes import PermanentError, RetryableError

CHUNK = 4 * 1024 * 1024
MAX_PROCESSING_WAIT_S = 120.0
# (method, path, form or query, multipart files) -> JSON body; the client signs and classifies.
Send = Callable[[str, str, dict[str, str], dict[str, Any] | None], Awaitable[dict[str, Any]]]


def category(mime_type: str) -> str:
    if mime_type == "image/gif":
        return "tweet_gif"
    return "tweet_video" if mime_type.startswith("video/") else "tweet_image"


async def upload(send: Send, media: FetchedMedia) -> str:
    """The media id, once X has it ready to attach."""
    init = await send(
        "POST",
        "/2/media/upload",
        {
            "command": "INIT",
            "media_type": media.mime_type,
            "total_bytes": str(media.size),
            "media_category": category(media.mime_type),
        },
        None,
    )
    media_id = str((init.get("data") or {}).get("id") or "")
    if not media_id:
        raise RetryableError("X's media INIT answer had no id", code="bad_answer")
    for index, start in enumerate(range(0, media.size, CHUNK)):
        await send(
            "POST",
            "/2/media/upload",
            {"command": "APPEND", "media_id": media_id, "segment_index": str(index)},
            {"media": ("blob", media.data[start : start + CHUNK], "application/octet-stream")},
        )
    final = await send("POST", "/2/media/upload", {"command": "FINALIZE", "media_id": media_id}, None)
    info = (final.get("data") or {}).get("processing_info")
    waited = 0.0
    while info and info.get("state") in ("pending", "in_progress"):
        if waited > MAX_PROCESSING_WAIT_S:
            raise RetryableError(f"X is still processing media {media_id}", code="media_processing")
        delay = float(info.get("check_after_secs") or 1)
        await asyncio.sleep(delay)
        waited += delay
        status = await send("GET", "/2/media/upload", {"command": "STATUS", "media_id": media_id}, None)
        info = (status.get("data") or {}).get("processing_info")
    if info and info.get("state") == "failed":
        error = info.get("error") or {}
        raise PermanentError(
            f"X could not process the media: {error.get('message') or 'failed'}", code="media_failed"
        )
    return media_id

"""LinkedIn Images API: initializeUpload -> PUT the bytes -> wait until AVAILABLE -> use the URN."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping

import httpx

from herald_common.publishing.http import call, json_or_empty
from herald_common.publishing.media import FetchedMedia
from herald_common.publishing.outcomes import PermanentError, RetryableError
from herald_publisher_linkedin.errors import raise_for


async def upload_image(
    http: httpx.AsyncClient,
    base: str,
    headers: Mapping[str, str],
    owner: str,
    media: FetchedMedia,
    *,
    poll_seconds: float,
    max_wait_seconds: float,
) -> str:
    """The image URN, once LinkedIn reports it AVAILABLE."""
    response = await call(
        http,
        "POST",
        f"{base}/rest/images",
        platform="linkedin",
        operation="initialize_image_upload",
        params={"action": "initializeUpload"},
        headers=headers,
        json={"initializeUploadRequest": {"owner": owner}},
    )
    raise_for(response)
    value = json_or_empty(response).get("value") or {}
    upload_url, urn = value.get("uploadUrl"), value.get("image")
    if not upload_url or not urn:
        raise RetryableError("LinkedIn's initializeUpload answer had no uploadUrl/image", code="bad_answer")
    response = await call(
        http,
        "PUT",
        str(upload_url),
        platform="linkedin",
        operation="upload_image",
        headers={"Authorization": headers["Authorization"], "Content-Type": media.mime_type},
        content=media.data,
    )
    raise_for(response)
    await _wait_available(http, base, headers, str(urn), poll_seconds, max_wait_seconds)
    return str(urn)


async def _wait_available(
    http: httpx.AsyncClient, base: str, headers: Mapping[str, str], urn: str, poll: float, max_wait: float
) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + max_wait
    while True:
        response = await call(
            http,
            "GET",
            f"{base}/rest/images/{urn}",
            platform="linkedin",
            operation="get_image",
            headers=headers,
        )
        raise_for(response)
        status = json_or_empty(response).get("status")
        if status == "AVAILABLE":
            return
        if status in ("PROCESSING_FAILED", "FAILED"):
            raise PermanentError(f"LinkedIn could not process image {urn} ({status})", code=str(status))
        if loop.time() > deadline:
            raise RetryableError(f"LinkedIn is still processing image {urn}", code="image_processing")
        await asyncio.sleep(poll)

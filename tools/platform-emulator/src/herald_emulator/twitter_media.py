"""X media upload v2: `POST /2/media/upload` (command=INIT|APPEND|FINALIZE, or one-shot `media`),
`GET ?command=STATUS`, and the newer `/2/media/upload/initialize`, `/{id}/append`, `/{id}/finalize`.

Images are ready as soon as FINALIZE succeeds; GIFs and videos report pending/in_progress for
`twitter.media_processing_s`, then succeeded.
"""

import base64
import binascii
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse
from starlette.datastructures import UploadFile

from herald_emulator.errors import x_invalid_request
from herald_emulator.routing import platform_router
from herald_emulator.state import EmulatorState, get_state
from herald_emulator.store import UploadedMedia
from herald_emulator.tokens import Identity
from herald_emulator.twitter_auth import apply_rate_limit, authenticate, json_body

router = platform_router("twitter")

_MAX_BYTES = {"image": 5 * 1024 * 1024, "gif": 15 * 1024 * 1024, "video": 512 * 1024 * 1024}
_KEY_PREFIX = {"image": "3", "gif": "16", "video": "7"}
_INIT_EXPIRES_S = 1_295_999
_FINAL_EXPIRES_S = 86_400


def media_kind(media_type: str, category: str | None) -> str:
    if media_type == "image/gif" or category == "tweet_gif":
        return "gif"
    if media_type.startswith("video/") or category in {"tweet_video", "amplify_video"}:
        return "video"
    return "image"


def media_key(upload: UploadedMedia) -> str:
    return f"{_KEY_PREFIX[media_kind(upload.media_type, upload.category)]}_{upload.id}"


def media_is_ready(state: EmulatorState, upload: UploadedMedia) -> bool:
    return processing_state(state, upload) in {None, "succeeded"} and upload.uploaded_at is not None


def processing_state(state: EmulatorState, upload: UploadedMedia) -> str | None:
    """None for media that needs no processing (images), else pending/in_progress/succeeded."""
    if upload.uploaded_at is None:
        return "pending"
    if media_kind(upload.media_type, upload.category) == "image":
        return None
    elapsed = state.clock.now() - upload.uploaded_at
    return "succeeded" if elapsed >= state.config.twitter.media_processing_s else "in_progress"


@router.post("/2/media/upload", name="media_upload")
async def media_upload(request: Request) -> JSONResponse:
    state = get_state(request)
    identity = await authenticate(state, request)
    apply_rate_limit(state, request, identity, "media_upload", 500)
    form = await request.form()
    command = str(form.get("command", "")).upper()
    if command == "INIT":
        return initialize(
            state,
            identity,
            str(form.get("media_type", "")),
            form.get("total_bytes"),
            form.get("media_category"),
        )
    if command == "APPEND":
        return await append(state, identity, str(form.get("media_id", "")), form.get("segment_index"), form)
    if command == "FINALIZE":
        return finalize(state, identity, str(form.get("media_id", "")))
    if command == "" and form.get("media") is not None:
        return await one_shot(state, identity, form)
    raise x_invalid_request(f"Unsupported command {command!r}", {"command": [command]})


@router.get("/2/media/upload", name="media_status")
async def media_status(request: Request) -> JSONResponse:
    state = get_state(request)
    identity = await authenticate(state, request)
    apply_rate_limit(state, request, identity, "media_status", 500)
    if request.query_params.get("command", "").upper() != "STATUS":
        raise x_invalid_request(
            "command must be STATUS", {"command": [request.query_params.get("command", "")]}
        )
    upload = owned_upload(state, identity, request.query_params.get("media_id", ""))
    data: dict[str, Any] = {"id": upload.id, "media_key": media_key(upload)}
    stage = processing_state(state, upload)
    if stage is not None:
        data["processing_info"] = processing_info(stage)
    return JSONResponse({"data": data})


@router.post("/2/media/upload/initialize", name="media_initialize")
async def initialize_v2(request: Request) -> JSONResponse:
    state = get_state(request)
    identity = await authenticate(state, request)
    apply_rate_limit(state, request, identity, "media_initialize", 1875)
    body = await json_body(request)
    return initialize(
        state, identity, str(body.get("media_type", "")), body.get("total_bytes"), body.get("media_category")
    )


@router.post("/2/media/upload/{media_id}/append", name="media_append")
async def append_v2(media_id: str, request: Request) -> JSONResponse:
    state = get_state(request)
    identity = await authenticate(state, request)
    apply_rate_limit(state, request, identity, "media_append", 1875)
    form = await request.form()
    return await append(state, identity, media_id, form.get("segment_index"), form)


@router.post("/2/media/upload/{media_id}/finalize", name="media_finalize")
async def finalize_v2(media_id: str, request: Request) -> JSONResponse:
    state = get_state(request)
    identity = await authenticate(state, request)
    apply_rate_limit(state, request, identity, "media_finalize", 1875)
    return finalize(state, identity, media_id)


def initialize(
    state: EmulatorState, identity: Identity, media_type: str, total_bytes: Any, category: Any
) -> JSONResponse:
    upload = new_upload(state, identity, media_type, total_bytes, category)
    return JSONResponse(
        {"data": {"id": upload.id, "media_key": media_key(upload), "expires_after_secs": _INIT_EXPIRES_S}}
    )


def new_upload(
    state: EmulatorState, identity: Identity, media_type: str, total_bytes: Any, category: Any
) -> UploadedMedia:
    if not media_type or "/" not in media_type:
        raise x_invalid_request("media_type is required", {"media_type": [media_type]})
    if not str(total_bytes).isdigit() or int(str(total_bytes)) <= 0:
        raise x_invalid_request("total_bytes must be a positive integer", {"total_bytes": [str(total_bytes)]})
    category_text = str(category) if category else None
    size = int(str(total_bytes))
    kind = media_kind(media_type, category_text)
    if size > _MAX_BYTES[kind]:
        raise x_invalid_request(f"File size exceeds {_MAX_BYTES[kind]} bytes.", {"total_bytes": [str(size)]})
    media_id = state.ids.snowflake()
    upload = UploadedMedia(
        platform="twitter", id=media_id, owner=identity.subject, media_type=media_type,
        created_at=state.clock.now(), total_bytes=size, category=category_text,
    )  # fmt: skip
    state.uploads[media_id] = upload
    return upload


async def append(
    state: EmulatorState, identity: Identity, media_id: str, segment: Any, form: Any
) -> JSONResponse:
    upload = owned_upload(state, identity, media_id)
    if upload.uploaded_at is not None:
        raise x_invalid_request("Media has already been finalized.", {"media_id": [media_id]})
    if not str(segment).isdigit() or int(str(segment)) > 999:
        raise x_invalid_request(
            "segment_index must be an integer between 0 and 999", {"segment_index": [str(segment)]}
        )
    chunk = await chunk_bytes(form)
    upload.data.extend(chunk)
    upload.segments[int(str(segment))] = len(chunk)
    expires_at = int(upload.created_at + _INIT_EXPIRES_S)
    return JSONResponse({"data": {"expires_at": expires_at}})


async def chunk_bytes(form: Any) -> bytes:
    media = form.get("media")
    if isinstance(media, UploadFile):
        return await media.read()
    if isinstance(media, str) and media:
        return media.encode("latin-1")
    media_data = form.get("media_data")
    if isinstance(media_data, str):
        try:
            return base64.b64decode(media_data, validate=True)
        except binascii.Error:
            raise x_invalid_request("media_data is not valid base64", {"media_data": ["<invalid>"]}) from None
    raise x_invalid_request("media or media_data is required", {"media": [""]})


def finalize(state: EmulatorState, identity: Identity, media_id: str) -> JSONResponse:
    upload = owned_upload(state, identity, media_id)
    if not upload.segments:
        raise x_invalid_request("No segments were appended for this media.", {"media_id": [media_id]})
    if upload.total_bytes is not None and upload.size != upload.total_bytes:
        raise x_invalid_request(
            f"File size mismatch: declared {upload.total_bytes} bytes, received {upload.size}.",
            {"media_id": [media_id]},
        )
    if upload.uploaded_at is None:
        upload.uploaded_at = state.clock.now()
    return JSONResponse({"data": finalized_view(state, upload)})


async def one_shot(state: EmulatorState, identity: Identity, form: Any) -> JSONResponse:
    data = await chunk_bytes(form)
    category = form.get("media_category")
    media_type = str(form.get("media_type") or "image/jpeg")
    upload = new_upload(state, identity, media_type, len(data), category)
    upload.data.extend(data)
    upload.segments[0] = len(data)
    upload.uploaded_at = state.clock.now()
    return JSONResponse({"data": finalized_view(state, upload)})


def finalized_view(state: EmulatorState, upload: UploadedMedia) -> dict[str, Any]:
    view: dict[str, Any] = {
        "id": upload.id,
        "media_key": media_key(upload),
        "size": upload.size,
        "expires_after_secs": _FINAL_EXPIRES_S,
    }
    stage = processing_state(state, upload)
    if stage is not None:
        view["processing_info"] = processing_info("pending" if stage == "in_progress" else stage)
    return view


def processing_info(stage: str) -> dict[str, Any]:
    info: dict[str, Any] = {"state": stage}
    if stage in {"pending", "in_progress"}:
        info["check_after_secs"] = 1
    if stage == "in_progress":
        info["progress_percent"] = 50
    if stage == "succeeded":
        info["progress_percent"] = 100
    return info


def owned_upload(state: EmulatorState, identity: Identity, media_id: str) -> UploadedMedia:
    upload = state.uploads.get(media_id)
    if upload is None or upload.platform != "twitter" or upload.owner != identity.subject:
        raise x_invalid_request(f"Invalid media_id {media_id!r}.", {"media_id": [media_id]})
    return upload

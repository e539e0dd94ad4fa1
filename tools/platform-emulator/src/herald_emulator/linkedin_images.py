"""LinkedIn Images API: initializeUpload, the upload PUT, and image status.

The upload URL points back at the emulator (`/dms-uploads/{id}`); the image reports PROCESSING
for `linkedin.image_processing_s` after the bytes arrive, then AVAILABLE [U].
"""

from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse, Response

from herald_emulator.errors import linkedin_error
from herald_emulator.linkedin_auth import (
    authenticate,
    json_body,
    missing_fields_error,
    require_versioned_headers,
)
from herald_emulator.routing import platform_router
from herald_emulator.state import EmulatorState, get_state
from herald_emulator.store import UploadedMedia

router = platform_router("linkedin")

_UPLOAD_URL_TTL_MS = 24 * 3600 * 1000
_MAX_IMAGE_BYTES = 36_152_320 * 4  # LinkedIn limits pixels, not bytes; this only stops abuse


@router.post("/rest/images", name="initialize_image_upload")
async def initialize_upload(request: Request) -> JSONResponse:
    state = get_state(request)
    require_versioned_headers(state, request)
    authenticate(state, request)
    if request.query_params.get("action") != "initializeUpload":
        raise linkedin_error(400, "Unsupported action; expected action=initializeUpload")
    body = await json_body(request)
    init = body.get("initializeUploadRequest")
    if not isinstance(init, dict) or "owner" not in init:
        raise missing_fields_error(["/initializeUploadRequest/owner"])
    image_id = f"D4{state.ids.linkedin_id()[-12:]}AQ"
    urn = f"urn:li:image:{image_id}"
    upload_id = state.ids.opaque_token("")
    state.uploads[urn] = UploadedMedia(
        platform="linkedin",
        id=urn,
        owner=init["owner"],
        media_type="image",
        created_at=state.clock.now(),
        upload_token=upload_id,
    )
    upload_url = f"{str(request.base_url).rstrip('/')}/dms-uploads/{upload_id}"
    expires_at = int(state.clock.now() * 1000) + _UPLOAD_URL_TTL_MS
    return JSONResponse({"value": {"uploadUrlExpiresAt": expires_at, "uploadUrl": upload_url, "image": urn}})


@router.api_route("/dms-uploads/{upload_id}", methods=["PUT", "POST"], name="upload_image")
async def upload_image_bytes(upload_id: str, request: Request) -> Response:
    state = get_state(request)
    authenticate(state, request)
    upload = next((item for item in state.uploads.values() if item.upload_token == upload_id), None)
    if upload is None:
        raise linkedin_error(404, "Upload URL not found or expired")
    data = await request.body()
    if not data:
        raise linkedin_error(400, "Empty upload body")
    if len(data) > _MAX_IMAGE_BYTES:
        raise linkedin_error(413, "Image too large")
    upload.data = bytearray(data)
    upload.uploaded_at = state.clock.now()
    return Response(status_code=201)


@router.get("/rest/images/{image_urn}", name="get_image")
async def get_image(image_urn: str, request: Request) -> JSONResponse:
    state = get_state(request)
    require_versioned_headers(state, request)
    authenticate(state, request)
    upload = state.uploads.get(image_urn)
    if upload is None or upload.platform != "linkedin":
        raise linkedin_error(404, f"Image {image_urn} does not exist", code="NOT_FOUND")
    return JSONResponse(image_view(state, upload))


def image_view(state: EmulatorState, upload: UploadedMedia) -> dict[str, Any]:
    if upload.uploaded_at is None:
        status = "WAITING_UPLOAD"
    elif upload.uploaded_at + state.config.linkedin.image_processing_s > state.clock.now():
        status = "PROCESSING"
    else:
        status = "AVAILABLE"
    view: dict[str, Any] = {"id": upload.id, "owner": upload.owner, "status": status}
    if status == "AVAILABLE":
        view["downloadUrl"] = f"https://media.licdn.com/dms/image/{upload.id.rsplit(':', 1)[-1]}"
    return view

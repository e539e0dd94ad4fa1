"""The emulator's own API for tests: inspect what was created, inject faults, change config, reset.

These routes are not part of any platform; errors here are RFC 9457 problem documents.
"""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from pydantic import ValidationError

from herald_emulator.faults import FaultRule
from herald_emulator.state import get_state
from herald_emulator.store import PLATFORMS

router = APIRouter()


def problem(status: int, title: str, detail: str) -> JSONResponse:
    return JSONResponse(
        {"type": "about:blank", "title": title, "status": status, "detail": detail},
        status_code=status,
        media_type="application/problem+json",
    )


async def json_payload(request: Request) -> Any:
    """The JSON body, or None when it is missing or malformed (callers answer 422)."""
    try:
        return await request.json()
    except ValueError:
        return None


@router.get("/health/live")
async def live() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/health/ready")
async def ready() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/_emulator/{platform}/posts")
async def list_created(platform: str, request: Request) -> Response:
    if platform not in PLATFORMS:
        return problem(404, "Unknown platform", f"platform must be one of {', '.join(PLATFORMS)}")
    state = get_state(request)
    objects = state.objects.list(
        platform, account=request.query_params.get("account"), kind=request.query_params.get("kind")
    )
    return JSONResponse(
        {"platform": platform, "count": len(objects), "posts": [obj.to_json() for obj in objects]}
    )


@router.get("/_emulator/calls")
async def list_calls(request: Request) -> dict[str, Any]:
    state = get_state(request)
    platform = request.query_params.get("platform")
    calls = [call.to_json() for call in state.calls if platform is None or call.platform == platform]
    return {"count": len(calls), "calls": calls}


@router.post("/_emulator/reset")
async def reset(request: Request) -> dict[str, str]:
    get_state(request).reset()
    return {"status": "reset"}


@router.get("/_emulator/faults")
async def list_faults(request: Request) -> dict[str, Any]:
    return {"faults": [rule.model_dump() for rule in get_state(request).faults.active()]}


@router.post("/_emulator/faults", status_code=201)
async def add_faults(request: Request) -> Response:
    payload = await json_payload(request)
    items = payload.get("rules", payload.get("faults")) if isinstance(payload, dict) else payload
    if isinstance(payload, dict) and items is None:
        items = [payload]
    if not isinstance(items, list):
        return problem(422, "Invalid fault rules", 'send a rule, a list of rules, or {"rules": [...]}')
    try:
        rules = [FaultRule.model_validate(item) for item in items]
    except ValidationError as error:
        return problem(422, "Invalid fault rules", str(error))
    added = get_state(request).faults.add(rules)
    return JSONResponse({"faults": [rule.model_dump() for rule in added]}, status_code=201)


@router.delete("/_emulator/faults")
async def clear_faults(request: Request) -> Response:
    get_state(request).faults.clear()
    return Response(status_code=204)


@router.get("/_emulator/config")
async def get_config(request: Request) -> dict[str, Any]:
    return get_state(request).config.model_dump()


@router.post("/_emulator/config")
async def update_config(request: Request) -> Response:
    state = get_state(request)
    changes = await json_payload(request)
    if not isinstance(changes, dict):
        return problem(422, "Invalid config", "send a JSON object with the settings to change")
    try:
        state.config = state.config.merged(changes)
    except ValidationError as error:
        return problem(422, "Invalid config", str(error))
    return JSONResponse(state.config.model_dump())


@router.get("/_emulator/clock")
async def get_clock(request: Request) -> dict[str, float]:
    clock = get_state(request).clock
    return {"now": clock.now(), "offset_s": clock.offset_s}


@router.post("/_emulator/clock")
async def advance_clock(request: Request) -> Response:
    payload = await json_payload(request)
    seconds = payload.get("advance_s") if isinstance(payload, dict) else None
    if not isinstance(seconds, int | float) or seconds < 0:
        return problem(422, "Invalid clock change", 'send {"advance_s": <seconds, >= 0>}')
    clock = get_state(request).clock
    clock.advance(float(seconds))
    return JSONResponse({"now": clock.now(), "offset_s": clock.offset_s})


@router.get("/_emulator/media/{name}")
async def get_media(name: str, request: Request) -> Response:
    asset = request.app.state.media_assets.get(name)
    if asset is None:
        return problem(404, "No such media", f"no test media named {name!r}")
    data, content_type = asset
    return Response(data, media_type=content_type)


@router.put("/_emulator/media/{name}", status_code=201)
async def put_media(name: str, request: Request) -> Response:
    """Registers extra test media (kept across reset, like config)."""
    content_type = request.headers.get("content-type", "application/octet-stream")
    request.app.state.media_assets[name] = (await request.body(), content_type)
    return Response(status_code=201)

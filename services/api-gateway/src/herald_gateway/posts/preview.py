"""POST /api/v2/preview: per platform, the exact parts that would be posted and every rule broken.

The same planner the publishers use to split, so the preview is what gets posted.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Response
from pydantic import BaseModel, ConfigDict

from herald_common.platforms import Platform
from herald_common.post_rules import media_items
from herald_common.text import plan_post
from herald_gateway.auth.dependencies import CurrentCaller
from herald_gateway.openapi import problems
from herald_gateway.posts.schemas import Override, PublishRequest
from herald_gateway.ratelimit import limited
from herald_gateway.text_rules import off_the_loop

router = APIRouter(prefix="/api/v2", tags=["posts"], dependencies=[Depends(limited("rate_limit_other"))])


class PreviewPart(BaseModel):
    index: int
    text: str
    length: int
    limit: int
    media_urls: list[str]


class PreviewViolation(BaseModel):
    code: str
    message: str
    details: dict[str, object] = {}


class PlatformPreview(BaseModel):
    platform: Platform
    valid: bool
    parts: list[PreviewPart]
    violations: list[PreviewViolation]


class Preview(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "platforms": [
                        {
                            "platform": "twitter",
                            "valid": True,
                            "parts": [
                                {"index": 0, "text": "Hello!", "length": 6, "limit": 280, "media_urls": []}
                            ],
                            "violations": [],
                        }
                    ]
                }
            ]
        }
    )

    platforms: list[PlatformPreview]


@router.post(
    "/preview",
    response_model=Preview,
    responses=problems(404),
    operation_id="previewPost",
    summary="What each platform would receive, and what is wrong",
)
async def preview(body: PublishRequest, caller: CurrentCaller) -> Response:
    caller.business(body.business_id)
    # Planned and serialised off the event loop (herald_gateway.text_rules): a preview of 100,000
    # characters is tens of milliseconds of CPU and a few hundred KiB of JSON.
    return Response(await off_the_loop(_preview_json, body), media_type="application/json")


def _preview_json(body: PublishRequest) -> bytes:
    return plan_preview(body).model_dump_json().encode()


def plan_preview(body: PublishRequest) -> Preview:
    out = []
    for platform in body.platforms:
        o = body.overrides.get(platform) or Override()
        content = o.content if o.content is not None else body.content
        media = [str(m) for m in (o.media_urls if o.media_urls is not None else body.media_urls)]
        plan = plan_post(platform, content, media_items(media), numbering=body.thread_numbering)
        parts = [
            PreviewPart(
                index=i,
                text=p.text,
                length=p.length,
                limit=p.limit,
                media_urls=[media[m] for m in p.media if m < len(media)],
            )
            for i, p in enumerate(plan.parts)
        ]
        violations = [
            PreviewViolation(code=v.code, message=v.message, details=dict(v.details)) for v in plan.violations
        ]
        out.append(
            PlatformPreview(platform=platform, valid=not violations, parts=parts, violations=violations)
        )
    return Preview(platforms=out)

"""Request and response bodies of the posts API (v2; field names are those existing clients send)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    HttpUrl,
    StrictBool,
    StrictInt,
    field_validator,
    model_validator,
)
from pydantic.config import JsonDict

from herald_common.events import LatePolicy
from herald_common.platforms import Platform
from herald_common.poststatus import PostStatus, TargetStatus
from herald_gateway.request_model import RequestModel
from herald_gateway.timestamps import LocalOrRfc3339

MAX_CONTENT = 100_000
MAX_MEDIA_URLS = 10  # per post and per override; each platform may allow fewer (checked per platform)


class Override(RequestModel):
    model_config = ConfigDict(extra="forbid")
    content: Annotated[str, Field(max_length=MAX_CONTENT)] | None = None
    media_urls: Annotated[list[HttpUrl], Field(max_length=MAX_MEDIA_URLS)] | None = None
    first_comment: str | None = None


class TargetChoice(RequestModel):
    """One platform, optionally under a named connected account (an `id` from GET /api/v2/accounts)."""

    model_config = ConfigDict(extra="forbid")
    platform: Platform
    account_id: Annotated[str, Field(min_length=1, max_length=64)] | None = None


class PublishRequest(RequestModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"content": "Hello!", "platforms": ["linkedin", "twitter"], "business_id": 1}]
        },
    )

    content: Annotated[str, Field(max_length=MAX_CONTENT)] = ""
    platforms: Annotated[list[Platform], Field(max_length=4, json_schema_extra={"uniqueItems": True})] = []
    targets: Annotated[list[TargetChoice], Field(min_length=1, max_length=4)] | None = Field(
        None, description="platforms with the account each posts under; instead of (or matching) `platforms`"
    )
    business_id: StrictInt | None = None
    media_urls: Annotated[list[HttpUrl], Field(max_length=MAX_MEDIA_URLS)] = []
    first_comment: str | None = None
    thread_numbering: StrictBool = False
    overrides: dict[Platform, Override] = {}

    @field_validator("platforms")
    @classmethod
    def _unique(cls, value: list[Platform]) -> list[Platform]:
        if len(set(value)) != len(value):
            raise ValueError("each platform may appear once")
        return value

    @model_validator(mode="after")
    def _platforms_from_targets(self) -> PublishRequest:
        if self.targets is not None:
            named = [t.platform for t in self.targets]
            if len(set(named)) != len(named):
                raise ValueError("targets: each platform may appear once")
            if self.platforms and set(self.platforms) != set(named):
                raise ValueError("platforms and targets name different platforms; send one of them")
            self.platforms = named
        if not self.platforms:
            raise ValueError("name at least one platform (`platforms` or `targets`)")
        return self

    def account_choices(self) -> dict[Platform, str]:
        """The connected account each platform was asked to post under (absent: the default)."""
        return {t.platform: t.account_id for t in self.targets or [] if t.account_id is not None}


class ScheduleRequest(PublishRequest):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "content": "Later!",
                    "platforms": ["twitter"],
                    "scheduled_for": "2030-01-01T09:00:00Z",
                    "business_id": 1,
                },
                {
                    "content": "Local time",
                    "platforms": ["linkedin"],
                    "scheduled_for": "2030-01-01T09:00:00",
                    "timezone": "Europe/Paris",
                },
            ]
        },
    )

    scheduled_for: LocalOrRfc3339 | None = None
    timezone: str | None = Field(None, description="IANA name, for a scheduled_for without an offset")
    late_policy: LatePolicy = LatePolicy.PUBLISH
    grace_seconds: Annotated[StrictInt, Field(ge=0, le=7 * 86400)] | None = None
    queue: StrictBool = Field(
        False, description="instead of scheduled_for: the next free posting slot of every target account"
    )

    @model_validator(mode="after")
    def _time_or_queue(self) -> ScheduleRequest:
        if self.queue == (self.scheduled_for is not None):
            raise ValueError('send either scheduled_for or "queue": true')
        return self


class Links(BaseModel):
    self: str


class PublishedPartView(BaseModel):
    index: int
    platform_post_id: str
    url: str | None = None


class TargetView(BaseModel):
    platform: Platform
    account_id: str | None = Field(None, description="the connected account named; null: the default")
    status: TargetStatus
    attempts: int
    platform_post_id: str | None = None
    url: str | None = None
    parts: list[PublishedPartView] = Field(default=[], description="the parts that are live, in order")
    parts_planned: int | None = Field(
        None, description="how many parts the post has on this platform, once a final result is known"
    )
    reason: str | None = None
    error_code: str | None = None
    reauth_required: bool = False
    next_attempt_at: datetime | None = None


_TARGET_EXAMPLE: JsonDict = {
    "platform": "twitter",
    "status": "published",
    "attempts": 1,
    "platform_post_id": "1790000000000000001",
    "url": "https://x.com/i/web/status/1790000000000000001",
    "parts": [
        {
            "index": 0,
            "platform_post_id": "1790000000000000001",
            "url": "https://x.com/i/web/status/1790000000000000001",
        }
    ],
}
_POST_EXAMPLE: JsonDict = {
    "id": "0b6f5c1e-4f1a-4f0e-9a55-2d1f3c9b7a10",
    "business_id": 1,
    "status": "published",
    "content": "Hello!",
    "scheduled_for": "2030-01-01T09:00:00Z",  # (the document leaves out nulls: no None in examples)
    "late_policy": "publish",
    "created_at": "2030-01-01T09:00:00Z",
    "updated_at": "2030-01-01T09:00:01Z",
    "platforms": [_TARGET_EXAMPLE],
    "links": {"self": "/api/v2/posts/0b6f5c1e-4f1a-4f0e-9a55-2d1f3c9b7a10"},
}


_SCHEDULED_TARGET: JsonDict = {"platform": "twitter", "status": "scheduled", "attempts": 0}


class PostView(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [_POST_EXAMPLE]})

    id: str
    business_id: int
    status: PostStatus
    content: str
    scheduled_for: datetime | None
    timezone: str | None = None
    late_policy: LatePolicy
    created_at: datetime
    updated_at: datetime
    platforms: list[TargetView]
    links: Links


class PostAccepted(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "0b6f5c1e-4f1a-4f0e-9a55-2d1f3c9b7a10",
                    "status": "scheduled",
                    "business_id": 1,
                    "scheduled_for": "2030-01-01T09:00:00Z",
                    "platforms": ["twitter"],
                    "links": {"self": "/api/v2/posts/0b6f5c1e-4f1a-4f0e-9a55-2d1f3c9b7a10"},
                }
            ]
        }
    )

    id: str
    status: PostStatus
    business_id: int
    scheduled_for: datetime | None
    platforms: list[Platform]
    links: Links


class PostPage(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"items": [_POST_EXAMPLE], "next_cursor": "WyIyMDMwLTAxLTAxVDA5OjAwOjAwKzAwOjAwIiwiMGI2ZiJd"}
            ]
        }
    )

    items: list[PostView]
    next_cursor: str | None = None


class CancelOutcome(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "0b6f5c1e-4f1a-4f0e-9a55-2d1f3c9b7a10",
                    "status": "cancelled",
                    "detail": "the post will not be published",
                }
            ]
        }
    )

    id: str
    status: str = Field(description="cancelled, or cancel_requested when the scheduler has not answered yet")
    detail: str


class RetryRequest(RequestModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"platforms": ["twitter"]}]})
    platforms: Annotated[list[Platform], Field(max_length=4)] | None = Field(
        None, description="which platforms to retry; absent: every failed or missed one"
    )


class EditRequest(RequestModel):
    """What PATCH /api/v2/posts/{id} may change while the post is not yet due; absent fields stay."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"scheduled_for": "2030-01-02T10:00:00", "timezone": "Europe/Paris"}]
        },
    )
    content: Annotated[str, Field(max_length=MAX_CONTENT)] | None = None
    overrides: dict[Platform, Override] = {}
    scheduled_for: LocalOrRfc3339 | None = None
    timezone: str | None = Field(None, description="IANA name, for a scheduled_for without an offset")
    targets: Annotated[list[TargetChoice], Field(max_length=4)] | None = Field(
        None, description="the account each platform posts under (the post's platforms stay the same)"
    )


class EditOutcome(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "0b6f5c1e-4f1a-4f0e-9a55-2d1f3c9b7a10",
                    "status": "edited",
                    "detail": "the post was changed",
                    "post": {**_POST_EXAMPLE, "status": "scheduled", "platforms": [_SCHEDULED_TARGET]},
                },
                {
                    "id": "0b6f5c1e-4f1a-4f0e-9a55-2d1f3c9b7a10",
                    "status": "edit_requested",
                    "detail": "the scheduler has not answered yet; the edit still applies if it arrives "
                    "before the post is due — check the post",
                },
            ]
        }
    )

    id: str
    status: str = Field(description="edited, or edit_requested when the scheduler has not answered yet")
    detail: str
    post: PostView | None = None


class BulkRowResult(BaseModel):
    row: int = Field(description="1-based, counting data rows (not the CSV header) and non-empty lines")
    external_id: str | None = None
    status: str = Field(description="created, existing (sent before: nothing new), or invalid")
    id: str | None = None
    violations: list[dict[str, Any]] = []


class BulkResult(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "created": 1,
                    "existing": 0,
                    "invalid": 1,
                    "results": [
                        {
                            "row": 1,
                            "external_id": "spring-1",
                            "status": "created",
                            "id": "0b6f5c1e-4f1a-4f0e-9a55-2d1f3c9b7a10",
                        },
                        {
                            "row": 2,
                            "external_id": "spring-2",
                            "status": "invalid",
                            "violations": [{"field": "scheduled_for", "message": "is in the past"}],
                        },
                    ],
                }
            ]
        }
    )

    created: int
    existing: int
    invalid: int
    results: list[BulkRowResult]

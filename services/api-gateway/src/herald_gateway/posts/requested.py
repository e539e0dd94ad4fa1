"""What a checked create request stores: its `post.requested` event and its platform rows, one
builder for single and bulk creates."""

from __future__ import annotations

from datetime import datetime

from herald_common.events import PostRequested, PostTarget
from herald_common.platforms import Platform
from herald_gateway.posts.repository import NewTarget
from herald_gateway.posts.schemas import PublishRequest, ScheduleRequest, TargetStatus


def requested_event(
    req: PublishRequest,
    *,
    post_id: str,
    business_id: int,
    targets: list[PostTarget],
    due: datetime | None,
    now: datetime,
) -> PostRequested:
    schedule = req if isinstance(req, ScheduleRequest) else None
    return PostRequested(
        post_id=post_id,
        business_id=business_id,
        targets=tuple(targets),
        scheduled_for=due,
        late_policy=schedule.late_policy if schedule else "publish",
        grace_seconds=schedule.grace_seconds if schedule else None,
        thread_numbering=req.thread_numbering,
        requested_at=now,
    )


def new_targets(
    targets: list[PostTarget], initial: TargetStatus, choices: dict[Platform, str]
) -> list[NewTarget]:
    """The platform rows of a new post; `choices`: the accounts the request named."""
    return [
        NewTarget(
            t.platform.value,
            initial,
            t.content,
            list(t.media_urls),
            choices.get(t.platform),
            t.first_comment,
        )
        for t in targets
    ]

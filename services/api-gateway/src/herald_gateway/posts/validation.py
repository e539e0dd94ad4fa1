"""Checks a create request before anything is stored: time, zone, per-platform content rules."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from herald_common.events import PostTarget
from herald_common.platforms import Platform
from herald_common.post_rules import check_target
from herald_gateway.posts.schemas import PublishRequest, ScheduleRequest
from herald_gateway.problems import Unprocessable


def resolve_due_time(req: ScheduleRequest, now: datetime) -> datetime | None:
    """None for a queued post: its time is the slot it takes when it is stored."""
    return None if req.scheduled_for is None else due_time(req.scheduled_for, req.timezone, now)


def due_time(when: datetime, timezone: str | None, now: datetime) -> datetime:
    if timezone is not None:
        try:
            zone = ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise Unprocessable(
                f"timezone {timezone!r} is not an IANA time zone name (e.g. Europe/Paris)",
                field="timezone",
            ) from None
        if when.tzinfo is None:
            when = when.replace(tzinfo=zone)
    elif when.tzinfo is None:
        raise Unprocessable(
            "scheduled_for has no time zone: add an offset (2030-01-01T09:00:00Z) "
            "or a `timezone` field (IANA name)",
            field="scheduled_for",
        )
    if when <= now:
        raise Unprocessable(
            f"scheduled_for {when.isoformat()} is in the past (now is {now.isoformat()})",
            field="scheduled_for",
        )
    return when


def build_targets(req: PublishRequest, allow_media_hosts: Collection[str] = ()) -> list[PostTarget]:
    """One target per platform, with its overrides applied; refuses what a platform cannot take."""
    unknown = set(req.overrides) - set(req.platforms)
    if unknown:
        raise Unprocessable(
            f"overrides for platforms not requested: {', '.join(sorted(unknown))}", field="overrides"
        )
    targets = []
    for platform in req.platforms:
        o = req.overrides.get(platform)
        targets.append(
            checked_target(
                platform,
                o.content if o and o.content is not None else req.content,
                [str(m) for m in (o.media_urls if o and o.media_urls is not None else req.media_urls)],
                o.first_comment if o and o.first_comment is not None else req.first_comment,
                numbering=req.thread_numbering,
                allow_media_hosts=allow_media_hosts,
            )
        )
    return targets


def checked_target(
    platform: Platform,
    content: str,
    media: Sequence[str],
    comment: str | None,
    *,
    numbering: bool = False,
    allow_media_hosts: Collection[str] = (),
) -> PostTarget:
    """One platform's target, or a 422 naming what that platform cannot take."""
    target = PostTarget(platform=platform, content=content, media_urls=tuple(media), first_comment=comment)
    broken = check_target(target, numbering=numbering, allow_media_hosts=allow_media_hosts)
    if broken is not None:
        violations = [{"platform": platform.value, **v.model_dump(mode="json")} for v in broken.violations]
        raise Unprocessable(
            broken.message, field=broken.field, **({"violations": violations} if violations else {})
        )
    return target

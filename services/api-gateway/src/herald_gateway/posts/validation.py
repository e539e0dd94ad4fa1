"""Checks a create request before anything is stored: time, zone, per-platform content rules."""

from __future__ import annotations

import mimetypes
from collections.abc import Collection, Sequence
from datetime import datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from herald_common.events import PostTarget
from herald_common.netguard import is_public
from herald_common.platforms import Platform
from herald_common.text import MediaItem, PostOptions, check_post
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


def refuse_internal_media(url: str, allow: Collection[str] = ()) -> None:
    """Early, cheap part of the SSRF guard: a literal internal address or `localhost` is refused here;
    names are resolved and checked again (with every redirect) when the publisher fetches."""
    parts = urlsplit(url)
    host = (parts.hostname or "").strip("[]").lower()
    if f"{host}:{parts.port or (443 if parts.scheme == 'https' else 80)}" in allow:
        return
    try:
        internal = not is_public(host)
    except ValueError:
        internal = host == "localhost" or host.endswith(".localhost")
    if internal:
        raise Unprocessable(
            f"media URL {url[:200]} points to an internal address; media must be public", field="media_urls"
        )


def media_items(urls: Sequence[object]) -> list[MediaItem]:
    """What the gateway can tell of media before anything is fetched: the type their names suggest.

    URLs with no telling extension are checked by the publisher once it has fetched them."""
    items = []
    for url in urls:
        mime, _ = mimetypes.guess_type(urlsplit(str(url)).path)
        if mime:
            items.append(MediaItem(mime_type=mime))
    return items


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
    for url in media:
        refuse_internal_media(url, allow_media_hosts)
    if not content.strip() and not media:
        raise Unprocessable(f"{platform.value}: content is empty and there is no media", field="content")
    if platform is Platform.INSTAGRAM and not media:
        raise Unprocessable(
            "instagram: Instagram has no text-only posts; add at least one image in media_urls",
            field="media_urls",
        )
    if comment is not None and platform is Platform.TWITTER:
        raise Unprocessable(
            "twitter: first_comment is not supported on X; post a thread instead", field="first_comment"
        )
    violations = check_post(platform, content, media_items(media), PostOptions(numbering=numbering))
    if violations:
        raise Unprocessable(
            f"{platform.value}: " + "; ".join(v.message for v in violations),
            field="content",
            violations=[{"platform": platform.value, **v.model_dump(mode="json")} for v in violations],
        )
    return PostTarget(platform=platform, content=content, media_urls=tuple(media), first_comment=comment)

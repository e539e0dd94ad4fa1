"""The rules one platform's part of a post must keep, wherever the post comes from.

The gateway applies them to a request before it answers 202; the scheduler applies them again
to every post.requested it takes in, since other producers write that topic too. One function,
so both refuse the same posts with the same words.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from herald_common.events import PostRequested, PostTarget
from herald_common.netguard import is_public
from herald_common.platforms import Platform
from herald_common.text import MediaItem, PostOptions, RuleViolation, check_post

# Built once, not on every request (the gateway checks every accepted post's text).
OPTIONS = {numbering: PostOptions(numbering=numbering) for numbering in (False, True)}


@dataclass(frozen=True)
class RuleBroken:
    field: str
    message: str
    """Starts with the platform (`twitter: ...`)."""
    violations: tuple[RuleViolation, ...] = ()


def media_items(urls: Sequence[object]) -> list[MediaItem]:
    """What can be told of media before anything is fetched: how many, and the type their names
    suggest. A URL with no telling extension still counts; its type is checked by the publisher
    once fetched."""
    return [MediaItem(mime_type=mimetypes.guess_type(urlsplit(str(url)).path)[0] or "") for url in urls]


def is_internal_media(url: str, allow: Collection[str] = ()) -> bool:
    """Early, cheap part of the SSRF guard: a literal internal address or `localhost`. Names are
    resolved and checked again (with every redirect) when the publisher fetches."""
    parts = urlsplit(url)
    host = (parts.hostname or "").strip("[]").lower()
    if f"{host}:{parts.port or (443 if parts.scheme == 'https' else 80)}" in allow:
        return False
    try:
        return not is_public(host)
    except ValueError:
        return host == "localhost" or host.endswith(".localhost")


def check_target(
    target: PostTarget, *, numbering: bool, allow_media_hosts: Collection[str] | None = ()
) -> RuleBroken | None:
    """The first rule `target` breaks, or None when its platform can take it.

    `allow_media_hosts=None` leaves media addresses to the publisher's SSRF guard."""
    platform, content, media = target.platform, target.content, target.media_urls
    for url in media:
        if allow_media_hosts is not None and is_internal_media(url, allow_media_hosts):
            # The address is not echoed: a refusal must not confirm what an internal name resolves to.
            return RuleBroken("media_urls", "a media URL points to an internal address; media must be public")
    if not content.strip() and not media:
        return RuleBroken("content", f"{platform.value}: content is empty and there is no media")
    if platform is Platform.INSTAGRAM and not media:
        return RuleBroken(
            "media_urls", "instagram: Instagram has no text-only posts; add at least one image in media_urls"
        )
    if target.first_comment is not None and platform is Platform.TWITTER:
        return RuleBroken(
            "first_comment", "twitter: first_comment is not supported on X; post a thread instead"
        )
    violations = check_post(platform, content, media_items(media), OPTIONS[numbering])
    if violations:
        message = f"{platform.value}: " + "; ".join(v.message for v in violations)
        return RuleBroken("content", message, tuple(violations))
    return None


def post_requested_problems(
    event: PostRequested, allow_media_hosts: Collection[str] | None = ()
) -> list[str]:
    """Every target's broken rule, and targets named twice; empty when the post may be scheduled."""
    problems = []
    platforms = [t.platform for t in event.targets]
    if len(set(platforms)) != len(platforms):
        problems.append("each platform may appear once")
    for target in event.targets:
        broken = check_target(target, numbering=event.thread_numbering, allow_media_hosts=allow_media_hosts)
        if broken is not None:
            problems.append(broken.message)
    return problems

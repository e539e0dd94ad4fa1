"""Check a post against a platform's rules and plan the exact parts that would be posted.

``plan_post`` is the one code path: the gateway shows its plan as a preview and rejects
posts with violations; publishers post ``plan.parts`` as they are. ``check_post`` is the
violations alone.
"""

from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict, Field

from herald_common.platforms import Platform

from .counting import has_invalid_characters
from .entities import find_hashtags, find_mentions
from .limits import PlatformRules, rules_for
from .media import MediaItem, check_media
from .splitting import NUMBERING_FORMAT, split_text
from .violations import RuleViolation, ViolationCode


class PostOptions(BaseModel):
    model_config = ConfigDict(frozen=True)

    thread: bool = True  # split a long text into a thread where the platform can
    numbering: bool = False  # add " 1/3" to each part of a thread
    max_parts: int = Field(default=25, ge=1)  # refuse to post a longer thread
    max_hashtags: int | None = None  # None: the platform's own limit
    max_mentions: int | None = None


class PlannedPart(BaseModel):
    model_config = ConfigDict(frozen=True)

    text: str
    length: int  # as the platform counts (X: weighted)
    limit: int
    media: tuple[int, ...] = ()  # indices into the post's media: all go on the first part
    hard_split: bool = False


class PostPlan(BaseModel):
    model_config = ConfigDict(frozen=True)

    platform: Platform
    parts: tuple[PlannedPart, ...]
    violations: tuple[RuleViolation, ...]

    @property
    def ok(self) -> bool:
        return not self.violations


def plan_post(
    platform: Platform | str,
    text: str,
    media: Sequence[MediaItem] = (),
    *,
    numbering: bool = False,
    thread: bool = True,
    options: PostOptions | None = None,
) -> PostPlan:
    """The parts ``text`` is posted as on ``platform`` and every rule it breaks.

    Too long is not a violation when ``thread`` is on and the platform can thread: it
    becomes a thread. Media ride on the first part.
    """
    options = (options or PostOptions()).model_copy(update={"numbering": numbering, "thread": thread})
    rules = rules_for(platform)
    parts = _plan_parts(rules, text, media, options)
    violations = [*_text_violations(rules, text, media, parts, options), *check_media(rules.media, media)]
    return PostPlan(platform=rules.platform, parts=tuple(parts), violations=tuple(violations))


def check_post(
    platform: Platform | str, text: str, media: Sequence[MediaItem] = (), options: PostOptions | None = None
) -> list[RuleViolation]:
    """Every rule the post breaks on ``platform`` (empty when it can be published)."""
    options = options or PostOptions()
    plan = plan_post(
        platform, text, media, numbering=options.numbering, thread=options.thread, options=options
    )
    return list(plan.violations)


def _plan_parts(
    rules: PlatformRules, text: str, media: Sequence[MediaItem], options: PostOptions
) -> list[PlannedPart]:
    media_indices = tuple(range(len(media)))
    if options.thread and rules.continuation_max_length is not None:
        split = split_text(
            text,
            first_limit=rules.max_length,
            continuation_limit=rules.continuation_max_length,
            measure=rules.measure,
            numbering=options.numbering,
            numbering_format=NUMBERING_FORMAT,
            max_parts=options.max_parts,
        )
        planned = [
            PlannedPart(text=p.text, length=p.length, limit=p.limit, hard_split=p.hard_split) for p in split
        ]
    elif text.strip():
        planned = [PlannedPart(text=text, length=rules.measure(text), limit=rules.max_length)]
    else:
        planned = []
    if not planned and media:
        planned = [PlannedPart(text="", length=0, limit=rules.max_length)]  # a media-only post
    if planned:
        planned[0] = planned[0].model_copy(update={"media": media_indices})
    return planned


def _text_violations(
    rules: PlatformRules,
    text: str,
    media: Sequence[MediaItem],
    parts: list[PlannedPart],
    options: PostOptions,
) -> list[RuleViolation]:
    found: list[RuleViolation] = []
    if not text.strip() and not media:
        found.append(RuleViolation.of(ViolationCode.EMPTY_POST, "The post has neither text nor media."))
    too_long = [part for part in parts if part.length > part.limit]
    if too_long:
        longest = max(too_long, key=lambda part: part.length - part.limit)
        found.append(
            RuleViolation.of(
                ViolationCode.TEXT_TOO_LONG,
                f"The text is {longest.length} characters long; {rules.platform} allows {longest.limit}"
                + ("" if rules.can_thread else " and can't continue it in a thread")
                + ".",
                length=longest.length,
                limit=longest.limit,
                counted_as=rules.counting.value,
            )
        )
    if len(parts) > options.max_parts:
        found.append(
            RuleViolation.of(
                ViolationCode.TOO_MANY_PARTS,
                f"The thread would have more than {options.max_parts} parts; at most {options.max_parts} "
                "are allowed.",
                parts=len(parts),
                limit=options.max_parts,
            )
        )
    found += _entity_violations(rules, text, options)
    if rules.rejects_invalid_characters and has_invalid_characters(text):
        found.append(
            RuleViolation.of(
                ViolationCode.INVALID_CHARACTERS,
                f"The text contains a character {rules.platform} rejects (U+FFFE, U+FEFF or U+FFFF).",
            )
        )
    return found


def _entity_violations(rules: PlatformRules, text: str, options: PostOptions) -> list[RuleViolation]:
    max_hashtags = options.max_hashtags if options.max_hashtags is not None else rules.max_hashtags
    max_mentions = options.max_mentions if options.max_mentions is not None else rules.max_mentions
    checks = [
        (ViolationCode.TOO_MANY_HASHTAGS, "hashtags", find_hashtags, max_hashtags),
        (ViolationCode.TOO_MANY_MENTIONS, "mentions", find_mentions, max_mentions),
    ]
    found: list[RuleViolation] = []
    for code, noun, find, limit in checks:
        if limit is not None and len(entities := find(text)) > limit:
            message = f"The text has {len(entities)} {noun}; {rules.platform} allows {limit}."
            found.append(RuleViolation.of(code, message, count=len(entities), limit=limit))
    return found

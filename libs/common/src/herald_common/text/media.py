"""Media attached to a post, checked against a platform's ``MediaRules``."""

from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict, Field

from .limits import MediaRules
from .violations import RuleViolation, ViolationCode


class MediaItem(BaseModel):
    """What the rules need to know about one attachment; unknown sizes are not checked."""

    model_config = ConfigDict(frozen=True)

    mime_type: str  # "" when not known yet (a URL that names no type): then only counted
    size_bytes: int | None = Field(default=None, ge=0)
    width: int | None = Field(default=None, gt=0)
    height: int | None = Field(default=None, gt=0)


def check_media(rules: MediaRules, media: Sequence[MediaItem]) -> list[RuleViolation]:
    """Every media rule the attachments break, item by item, then as a set."""
    found: list[RuleViolation] = []
    if rules.required and not media:
        found.append(
            RuleViolation.of(
                ViolationCode.MEDIA_REQUIRED, "This platform has no text-only posts: attach an image."
            )
        )
    for index, item in enumerate(media):
        found += _item_violations(rules, index, item)
    if rules.max_count is not None and len(media) > rules.max_count:
        found.append(
            RuleViolation.of(
                ViolationCode.TOO_MANY_MEDIA,
                f"{len(media)} media attached; at most {rules.max_count} are allowed.",
                count=len(media),
                limit=rules.max_count,
            )
        )
    exclusive = [item for item in media if (rule := rules.rule_for(item.mime_type)) and rule.exclusive]
    if exclusive and len(media) > 1:
        found.append(
            RuleViolation.of(
                ViolationCode.MEDIA_COMBINATION_NOT_ALLOWED,
                f"A {exclusive[0].mime_type} must be the only media item of a post.",
                mime_type=exclusive[0].mime_type,
                count=len(media),
            )
        )
    return found


def _item_violations(rules: MediaRules, index: int, item: MediaItem) -> list[RuleViolation]:
    if not item.mime_type:
        return []  # checked by the publisher once fetched
    rule = rules.rule_for(item.mime_type)
    if rule is None:
        return [
            RuleViolation.of(
                ViolationCode.MEDIA_TYPE_NOT_ALLOWED,
                f"Media {index + 1} is {item.mime_type}; allowed: {', '.join(rules.allowed_mime_types)}.",
                index=index,
                mime_type=item.mime_type,
                allowed=list(rules.allowed_mime_types),
            )
        ]
    found: list[RuleViolation] = []
    if rule.max_bytes is not None and item.size_bytes is not None and item.size_bytes > rule.max_bytes:
        found.append(
            RuleViolation.of(
                ViolationCode.MEDIA_TOO_LARGE,
                f"Media {index + 1} is {item.size_bytes} bytes; {rule.mime_type} may be {rule.max_bytes}.",
                index=index,
                size_bytes=item.size_bytes,
                limit=rule.max_bytes,
            )
        )
    if item.width and item.height and rules.min_aspect_ratio and rules.max_aspect_ratio:
        ratio = item.width / item.height
        if not rules.min_aspect_ratio <= ratio <= rules.max_aspect_ratio:
            found.append(
                RuleViolation.of(
                    ViolationCode.MEDIA_ASPECT_RATIO_NOT_ALLOWED,
                    f"Media {index + 1} is {item.width}x{item.height} (ratio {ratio:.2f}); allowed "
                    f"{rules.min_aspect_ratio:.2f} to {rules.max_aspect_ratio:.2f}.",
                    index=index,
                    width=item.width,
                    height=item.height,
                )
            )
    return found

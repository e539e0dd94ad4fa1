"""What a broken rule looks like: a stable machine code, a message for people, details."""

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict


class ViolationCode(StrEnum):
    """Stable codes: clients and the gateway's problem details match on these."""

    EMPTY_POST = "empty_post"
    TEXT_TOO_LONG = "text_too_long"
    TOO_MANY_PARTS = "too_many_parts"
    TOO_MANY_HASHTAGS = "too_many_hashtags"
    TOO_MANY_MENTIONS = "too_many_mentions"
    INVALID_CHARACTERS = "invalid_characters"
    MEDIA_REQUIRED = "media_required"
    MEDIA_TYPE_NOT_ALLOWED = "media_type_not_allowed"
    MEDIA_TOO_LARGE = "media_too_large"
    TOO_MANY_MEDIA = "too_many_media"
    MEDIA_COMBINATION_NOT_ALLOWED = "media_combination_not_allowed"
    MEDIA_ASPECT_RATIO_NOT_ALLOWED = "media_aspect_ratio_not_allowed"


class RuleViolation(BaseModel):
    model_config = ConfigDict(frozen=True)

    code: ViolationCode
    message: str
    details: dict[str, Any] = {}

    @classmethod
    def of(cls, code: ViolationCode, message: str, **details: Any) -> "RuleViolation":
        return cls(code=code, message=message, details=details)

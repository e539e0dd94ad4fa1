"""Text and media rules for each platform: counting, limits, splitting, validation, escaping.

Pure functions (no I/O), shared by the API gateway (validation, preview) and the publishers
(the exact parts they post). See README.md in this folder for the limits and their sources.
"""

from .breaks import BreakStrength
from .counting import (
    X_CONFIG_V2,
    X_CONFIG_V3,
    XCountingConfig,
    XTextLength,
    code_point_length,
    has_invalid_characters,
    utf16_length,
    x_length,
    x_weighted_length,
)
from .emoji_sequences import find_emoji_sequences
from .entities import find_hashtags, find_mentions
from .limits import (
    PLATFORM_RULES,
    CountingMethod,
    MediaRules,
    MediaTypeRule,
    PlatformRules,
    rules_for,
)
from .linkedin_escape import escape_little_text
from .media import MediaItem, check_media
from .splitting import ThreadPart, split_text
from .urls import UrlSpan, find_urls
from .validation import PlannedPart, PostOptions, PostPlan, check_post, plan_post
from .violations import RuleViolation, ViolationCode

__all__ = [
    "PLATFORM_RULES",
    "X_CONFIG_V2",
    "X_CONFIG_V3",
    "BreakStrength",
    "CountingMethod",
    "MediaItem",
    "MediaRules",
    "MediaTypeRule",
    "PlannedPart",
    "PlatformRules",
    "PostOptions",
    "PostPlan",
    "RuleViolation",
    "ThreadPart",
    "UrlSpan",
    "ViolationCode",
    "XCountingConfig",
    "XTextLength",
    "check_media",
    "check_post",
    "code_point_length",
    "escape_little_text",
    "find_emoji_sequences",
    "find_hashtags",
    "find_mentions",
    "find_urls",
    "has_invalid_characters",
    "plan_post",
    "rules_for",
    "split_text",
    "utf16_length",
    "x_length",
    "x_weighted_length",
]

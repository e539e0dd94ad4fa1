"""Each platform's text and media rules, as data.

Each number names its source and a tag (see this package's README): [C] the platform's own
documentation or code, [3P] a third-party library or a published answer, [U] unconfirmed. Where a platform does not say how it
counts "characters", we count the conservative way (see ``CountingMethod``).
"""

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from enum import StrEnum

from herald_common.platforms import Platform

from .counting import code_point_length, utf16_length, x_length
from .linkedin_escape import escape_little_text

MB = 1024 * 1024


class CountingMethod(StrEnum):
    # twitter-text weighted length, config v3 [C].
    X_WEIGHTED = "x_weighted"
    # UTF-16 code units, as Java's String.length(): an emoji counts 2. LinkedIn's backend is
    # Java and its error says "text length (8694 characters)" [3P]; this can only
    # over-count compared with code points, so a post we accept is never cut.
    UTF16_CODE_UNITS = "utf16_code_units"
    # Unicode code points. Meta documents neither unit nor, for Facebook, the limit [U].
    CODE_POINTS = "code_points"


@dataclass(frozen=True, slots=True)
class MediaTypeRule:
    mime_type: str
    max_bytes: int | None = None  # None: the platform publishes no limit
    exclusive: bool = False  # must be the post's only media item (X: a GIF or a video)


@dataclass(frozen=True, slots=True)
class MediaRules:
    types: tuple[MediaTypeRule, ...]
    max_count: int | None  # None: no documented limit
    required: bool = False  # no text-only posts (Instagram)
    min_aspect_ratio: float | None = None  # width / height, checked when dimensions are known
    max_aspect_ratio: float | None = None

    def rule_for(self, mime_type: str) -> MediaTypeRule | None:
        normalized = mime_type.lower().strip()
        return next((rule for rule in self.types if rule.mime_type == normalized), None)

    @property
    def allowed_mime_types(self) -> tuple[str, ...]:
        return tuple(rule.mime_type for rule in self.types)


@dataclass(frozen=True, slots=True)
class PlatformRules:
    platform: Platform
    max_length: int  # first (or only) part
    counting: CountingMethod
    # Continuation parts (X replies, LinkedIn comments); None: the platform can't thread.
    continuation_max_length: int | None
    media: MediaRules
    # LinkedIn stores "little" text: we count the escaped form, the one actually sent.
    count_escaped_text: bool = False
    max_hashtags: int | None = None
    max_mentions: int | None = None
    rejects_invalid_characters: bool = False  # U+FFFE, U+FEFF, U+FFFF (X)
    sources: tuple[str, ...] = field(default=())

    @property
    def can_thread(self) -> bool:
        return self.continuation_max_length is not None

    @property
    def text_only_allowed(self) -> bool:
        return not self.media.required

    def measure(self, text: str) -> int:
        """The length of ``text`` as this platform counts it against ``max_length``."""
        if self.count_escaped_text:
            text = escape_little_text(text)
        return _COUNTERS[self.counting](text)


_COUNTERS: dict[CountingMethod, Callable[[str], int]] = {
    CountingMethod.X_WEIGHTED: x_length,
    CountingMethod.UTF16_CODE_UNITS: utf16_length,
    CountingMethod.CODE_POINTS: code_point_length,
}

TWITTER = PlatformRules(
    platform=Platform.TWITTER,
    max_length=280,
    counting=CountingMethod.X_WEIGHTED,
    continuation_max_length=280,  # each reply in a thread is a post of its own
    media=MediaRules(
        types=(
            MediaTypeRule("image/jpeg", 5 * MB),
            MediaTypeRule("image/png", 5 * MB),
            MediaTypeRule("image/webp", 5 * MB),
            MediaTypeRule("image/gif", 15 * MB, exclusive=True),
            MediaTypeRule("video/mp4", 512 * MB, exclusive=True),
            MediaTypeRule("video/quicktime", 512 * MB, exclusive=True),
        ),
        max_count=4,  # 4 images, or 1 GIF, or 1 video
    ),
    rejects_invalid_characters=True,
    sources=("twitter-text config v3 counting [C]", "media upload sizes 5/15/512 MB [C]"),
)

LINKEDIN = PlatformRules(
    platform=Platform.LINKEDIN,
    max_length=3000,
    counting=CountingMethod.UTF16_CODE_UNITS,
    continuation_max_length=1250,  # the rest goes into comments on the post [3P]
    count_escaped_text=True,
    media=MediaRules(
        types=(MediaTypeRule("image/jpeg"), MediaTypeRule("image/png"), MediaTypeRule("image/gif")),
        max_count=20,  # multiImage takes 2-20 images [3P]
    ),
    sources=("commentary 3,000 [3P]", "comments 1,250 [3P]", "images JPG/PNG/GIF [3P]"),
)

FACEBOOK = PlatformRules(
    platform=Platform.FACEBOOK,
    max_length=63_206,
    counting=CountingMethod.CODE_POINTS,
    continuation_max_length=None,  # 63,206 is far beyond any post we split
    media=MediaRules(
        types=tuple(
            MediaTypeRule(mime, 4 * MB)  # "photos under 4 MB" [U]
            for mime in ("image/jpeg", "image/png", "image/gif", "image/bmp", "image/tiff", "image/webp")
        ),
        max_count=None,  # attached_media has no documented cap [U]
    ),
    sources=("63,206, not in Meta's docs [3P]", "photos via /photos + attached_media [C/3P]"),
)

INSTAGRAM = PlatformRules(
    platform=Platform.INSTAGRAM,
    max_length=2200,
    counting=CountingMethod.CODE_POINTS,
    continuation_max_length=None,  # a caption can't continue anywhere
    max_hashtags=30,  # docs still say 30; a 5-tag product limit was announced [C/3P]
    max_mentions=20,
    media=MediaRules(
        types=(MediaTypeRule("image/jpeg", 8 * MB),),
        max_count=10,  # one image, or a carousel of 2-10
        required=True,
        min_aspect_ratio=4 / 5,
        max_aspect_ratio=1.91,
    ),
    sources=("caption 2,200 / 30 hashtags / 20 mentions, JPEG 8 MB, aspect 4:5-1.91:1 [C]",),
)

PLATFORM_RULES: dict[Platform, PlatformRules] = {
    rules.platform: rules for rules in (TWITTER, LINKEDIN, FACEBOOK, INSTAGRAM)
}


def rules_for(platform: Platform | str, **overrides: object) -> PlatformRules:
    """The rules for ``platform`` (``"twitter"`` etc.), with any field overridden
    (``rules_for("instagram", max_hashtags=5)``)."""
    rules = PLATFORM_RULES[Platform(platform)]
    return replace(rules, **overrides) if overrides else rules  # type: ignore[arg-type]

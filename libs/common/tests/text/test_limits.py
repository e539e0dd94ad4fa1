"""Platform rules as data."""

import pytest

from herald_common.platforms import Platform
from herald_common.text import PLATFORM_RULES, CountingMethod, rules_for


def test_every_platform_has_rules() -> None:
    assert set(PLATFORM_RULES) == set(Platform)


@pytest.mark.parametrize(
    ("platform", "max_length", "continuation", "counting"),
    [
        ("twitter", 280, 280, CountingMethod.X_WEIGHTED),
        ("linkedin", 3000, 1250, CountingMethod.UTF16_CODE_UNITS),
        ("facebook", 63_206, None, CountingMethod.CODE_POINTS),
        ("instagram", 2200, None, CountingMethod.CODE_POINTS),
    ],
)
def test_text_limits(
    platform: str, max_length: int, continuation: int | None, counting: CountingMethod
) -> None:
    rules = rules_for(platform)
    assert (rules.max_length, rules.continuation_max_length, rules.counting) == (
        max_length,
        continuation,
        counting,
    )
    assert rules.can_thread is (continuation is not None)


def test_instagram_caps_and_media() -> None:
    rules = rules_for("instagram")
    assert (rules.max_hashtags, rules.max_mentions) == (30, 20)
    assert rules.media.allowed_mime_types == ("image/jpeg",)
    assert rules.media.required
    assert not rules.text_only_allowed
    assert rules.media.max_count == 10
    assert rules_for("instagram", max_hashtags=5).max_hashtags == 5


def test_x_media() -> None:
    media = rules_for("twitter").media
    assert media.max_count == 4
    assert media.rule_for("IMAGE/PNG").max_bytes == 5 * 1024 * 1024  # type: ignore[union-attr]
    assert media.rule_for("image/gif").exclusive  # type: ignore[union-attr]
    assert media.rule_for("video/mp4").exclusive  # type: ignore[union-attr]


def test_measures() -> None:
    emoji = "\U0001f680"
    assert rules_for("twitter").measure("hi https://example.com/x " + emoji) == 3 + 23 + 1 + 2
    assert rules_for("linkedin").measure("(a) " + emoji) == 6 + 2  # escaped, UTF-16
    assert rules_for("instagram").measure("caf\u00e9 " + emoji) == 6

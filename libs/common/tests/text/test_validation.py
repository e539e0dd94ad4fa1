"""check_post / plan_post: one code path for the gateway's checks and the publishers' parts."""

import pytest

from herald_common.text import MediaItem, PostOptions, ViolationCode, check_post, plan_post, x_length

JPEG = MediaItem(mime_type="image/jpeg", size_bytes=1_000_000, width=1080, height=1080)
PNG = MediaItem(mime_type="image/png", size_bytes=1_000_000)
GIF = MediaItem(mime_type="image/gif", size_bytes=1_000_000)
MP4 = MediaItem(mime_type="video/mp4", size_bytes=10_000_000)
LONG = "This sentence is part of a long post. " * 40  # ~1,500 characters


def codes(violations) -> list[str]:
    return [violation.code for violation in violations]


def test_a_short_post_is_fine_everywhere() -> None:
    for platform in ("twitter", "linkedin", "facebook"):
        assert check_post(platform, "Hello #herald") == []
    assert check_post("instagram", "Hello #herald", [JPEG]) == []


def test_too_long_with_threading_becomes_a_thread() -> None:
    plan = plan_post("twitter", LONG, thread=True)
    assert plan.ok
    assert len(plan.parts) > 1
    assert all(x_length(part.text) == part.length <= 280 for part in plan.parts)


def test_too_long_without_threading_is_a_violation() -> None:
    plan = plan_post("twitter", LONG, thread=False)
    [violation] = plan.violations
    assert violation.code == ViolationCode.TEXT_TOO_LONG
    assert violation.details == {"length": x_length(LONG), "limit": 280, "counted_as": "x_weighted"}
    assert [part.text for part in plan.parts] == [LONG]


def test_instagram_caption_cannot_thread() -> None:
    assert codes(check_post("instagram", "x" * 2201, [JPEG])) == ["text_too_long"]
    assert check_post("instagram", "x" * 2200, [JPEG]) == []


def test_instagram_needs_media() -> None:
    assert codes(check_post("instagram", "caption only")) == ["media_required"]


def test_instagram_hashtag_and_mention_caps_are_configurable() -> None:
    caption = " ".join(f"#tag{i}" for i in range(31)) + " " + " ".join(f"@user{i}" for i in range(21))
    assert codes(check_post("instagram", caption, [JPEG])) == ["too_many_hashtags", "too_many_mentions"]
    five = PostOptions(max_hashtags=5)
    violations = check_post("instagram", "#a1 #b2 #c3 #d4 #e5 #f6", [JPEG], five)
    assert codes(violations) == ["too_many_hashtags"]
    assert violations[0].details == {"count": 6, "limit": 5}


def test_instagram_media_rules() -> None:
    assert codes(check_post("instagram", "hi", [PNG])) == ["media_type_not_allowed"]
    assert codes(check_post("instagram", "hi", [JPEG] * 11)) == ["too_many_media"]
    big = MediaItem(mime_type="image/jpeg", size_bytes=9 * 1024 * 1024)
    assert codes(check_post("instagram", "hi", [big])) == ["media_too_large"]
    tall = MediaItem(mime_type="image/jpeg", width=1000, height=2000)
    assert codes(check_post("instagram", "hi", [tall])) == ["media_aspect_ratio_not_allowed"]
    assert check_post("instagram", "carousel", [JPEG] * 10) == []


def test_x_media_rules() -> None:
    assert check_post("twitter", "four images", [PNG] * 4) == []
    assert codes(check_post("twitter", "five", [PNG] * 5)) == ["too_many_media"]
    assert codes(check_post("twitter", "gif plus image", [GIF, PNG])) == ["media_combination_not_allowed"]
    assert codes(check_post("twitter", "two videos", [MP4, MP4])) == ["media_combination_not_allowed"]
    large = MediaItem(mime_type="image/png", size_bytes=6 * 1024 * 1024)
    assert codes(check_post("twitter", "large", [large])) == ["media_too_large"]
    assert codes(check_post("twitter", "pdf", [MediaItem(mime_type="application/pdf")])) == [
        "media_type_not_allowed"
    ]


def test_linkedin_accepts_jpg_png_gif_only() -> None:
    assert check_post("linkedin", "images", [JPEG, PNG, GIF]) == []
    assert codes(check_post("linkedin", "video", [MP4])) == ["media_type_not_allowed"]


def test_invalid_characters_on_x() -> None:
    assert codes(check_post("twitter", "bad \ufffe char")) == ["invalid_characters"]
    assert check_post("linkedin", "bad \ufffe char") == []


def test_empty_post() -> None:
    assert codes(check_post("twitter", "  ")) == ["empty_post"]
    media_only = plan_post("twitter", "", [PNG])
    assert media_only.ok
    assert [(part.text, part.media) for part in media_only.parts] == [("", (0,))]


def test_media_go_on_the_first_part() -> None:
    plan = plan_post("twitter", LONG, [PNG, PNG])
    assert plan.parts[0].media == (0, 1)
    assert all(part.media == () for part in plan.parts[1:])


def test_numbered_thread() -> None:
    plan = plan_post("twitter", LONG, numbering=True)
    total = len(plan.parts)
    assert [part.text.rsplit(" ", 1)[1] for part in plan.parts] == [
        f"{i}/{total}" for i in range(1, total + 1)
    ]


def test_linkedin_thread_counts_the_escaped_text() -> None:
    text = "(a) " * 1000  # 4,000 characters, 6,000 once escaped
    plan = plan_post("linkedin", text)
    assert plan.ok
    assert plan.parts[0].limit == 3000
    assert all(part.limit == 1250 for part in plan.parts[1:])
    assert all(part.length <= part.limit for part in plan.parts)


def test_too_many_parts() -> None:
    violations = check_post("twitter", LONG * 4, options=PostOptions(max_parts=3))
    assert codes(violations) == ["too_many_parts"]


def test_unknown_platform_is_an_error() -> None:
    with pytest.raises(ValueError, match="mastodon"):
        check_post("mastodon", "hi")


def test_plan_serialises_for_the_preview_endpoint() -> None:
    body = plan_post("instagram", "hi").model_dump(mode="json")
    assert body["platform"] == "instagram"
    assert body["violations"][0]["code"] == "media_required"
    assert body["parts"] == [{"text": "hi", "length": 2, "limit": 2200, "media": [], "hard_split": False}]

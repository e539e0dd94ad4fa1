"""Thread splitting: examples, then properties over generated texts."""

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from herald_common.text import BreakStrength, rules_for, split_text, x_length

X = rules_for("twitter")
LINKEDIN = rules_for("linkedin")


def x_split(text: str, numbering: bool = False):
    return split_text(text, first_limit=280, continuation_limit=280, measure=x_length, numbering=numbering)


def rebuilt(parts) -> str:
    return "".join(part.body + part.separator_after for part in parts)


def words(text: str) -> list[str]:
    return text.split()


def test_short_text_is_one_part_unchanged() -> None:
    text = "  Hello, world!\n"
    assert [(part.text, part.separator_after) for part in x_split(text, numbering=True)] == [(text, "")]


def test_blank_text_has_no_parts() -> None:
    assert x_split(" \n ") == []


def test_prefers_paragraph_breaks() -> None:
    first = "First paragraph. " * 9  # ~153 characters
    second = "Second paragraph, rather longer. " * 6
    parts = x_split(first.strip() + "\n\n" + second.strip())
    assert parts[0].body == first.strip()
    assert parts[0].separator_after == "\n\n"


def test_then_sentence_breaks() -> None:
    text = "Short sentence one. " + "word " * 40 + "end. " + "more words here " * 30
    parts = x_split(text)
    assert parts[0].body.endswith("end.")


def test_url_counts_23_and_is_never_cut() -> None:
    url = "https://example.com/" + "a" * 400
    parts = x_split(("words " * 40) + url + (" tail" * 40))
    assert any(url == token for part in parts for token in part.body.split())
    assert all(part.length <= 280 for part in parts)


def test_numbering_is_counted_within_the_limit() -> None:
    parts = x_split("word " * 200, numbering=True)
    assert [part.text.rsplit(" ", 1)[1] for part in parts] == [
        f"{i}/{len(parts)}" for i in range(1, len(parts) + 1)
    ]
    assert all(x_length(part.text) == part.length <= 280 for part in parts)


def test_numbering_reaches_a_fixed_point_across_a_digit_boundary() -> None:
    # Enough text for about ten parts: " 9/9" and " 10/10" take different room.
    parts = split_text(
        "abcd " * 500, first_limit=280, continuation_limit=280, measure=x_length, numbering=True
    )
    total = len(parts)
    assert total >= 9
    assert all(part.text.endswith(f" {index}/{total}") for index, part in enumerate(parts, start=1))
    assert all(part.length <= 280 for part in parts)


def test_linkedin_first_part_3000_then_comments_1250() -> None:
    text = " ".join(f"word{i}" for i in range(1500))
    parts = split_text(text, first_limit=3000, continuation_limit=1250, measure=LINKEDIN.measure)
    assert 2900 < parts[0].length <= 3000
    assert all(part.limit == 1250 and part.length <= 1250 for part in parts[1:])
    assert rebuilt(parts) == text


def test_unbroken_string_is_hard_split_at_grapheme_boundaries() -> None:
    text = "a" * 5000
    parts = split_text(text, first_limit=3000, continuation_limit=1250, measure=LINKEDIN.measure)
    assert [part.length for part in parts] == [3000, 1250, 750]
    assert [part.hard_split for part in parts] == [True, True, False]
    assert rebuilt(parts) == text


def test_hard_split_never_breaks_an_emoji_sequence() -> None:
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466"
    parts = split_text(family * 50, first_limit=21, continuation_limit=21, measure=len)
    assert all(part.body == family * (len(part.body) // len(family)) for part in parts)


def test_cjk_text_is_split_between_characters_preferring_sentence_ends() -> None:
    text = "\u4eca\u65e5\u306f\u3044\u3044\u5929\u6c17\u3067\u3059\u3002" * 40  # 今日はいい天気です。
    parts = x_split(text)
    assert all(part.length <= 280 for part in parts)
    assert all(part.body.endswith("\u3002") for part in parts)
    assert rebuilt(parts) == text


def test_cjk_split_keeps_hashtags_whole() -> None:
    tag = "#\u65e5\u672c\u8a9e\u30cf\u30c3\u30b7\u30e5\u30bf\u30b0"
    text = ("\u3042" * 134 + "\u3002" + tag) * 3
    parts = x_split(text)
    assert sum(part.body.count(tag) for part in parts) == 3


def test_platform_with_unsatisfiable_limit_is_rejected() -> None:
    with pytest.raises(ValueError, match="no room"):
        split_text("word " * 10, first_limit=5, continuation_limit=5, measure=len, numbering=True)


def test_break_strengths_are_ordered() -> None:
    assert BreakStrength.PARAGRAPH > BreakStrength.LINE > BreakStrength.SENTENCE > BreakStrength.WORD


# --- properties -------------------------------------------------------------------------

word = st.text(alphabet=st.characters(categories=("Ll", "Lu", "Nd")), min_size=1, max_size=12)
url = st.builds(
    lambda host, path: f"https://{host}.com/{path}",
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=20),
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789", max_size=60),
)
mention = word.map(lambda name: "@" + name)
hashtag = word.filter(lambda name: not name.isdigit()).map(lambda name: "#" + name)
emoji = st.sampled_from(
    [
        "\U0001f680",
        "\U0001f44b\U0001f3fd",
        "\U0001f468\u200d\U0001f469\u200d\U0001f467",
        "\U0001f1fa\U0001f1f8",
    ]
)
cjk = st.text(alphabet="\u65e5\u672c\u8a9e\u6587\u7ae0\u3002\u3042\u3044", min_size=1, max_size=40)
token = st.one_of(word, word, word, url, mention, hashtag, emoji, cjk)
separator = st.sampled_from([" ", " ", " ", " ", "\n", "\n\n", ". ", "  "])
texts = st.lists(st.tuples(token, separator), min_size=1, max_size=120).map(
    lambda pairs: "".join(tok + sep for tok, sep in pairs)
)
platforms = st.sampled_from(["twitter", "linkedin"])
PROPERTY_SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def platform_split(platform: str, text: str, numbering: bool):
    rules = rules_for(platform)
    assert rules.continuation_max_length is not None
    # Small limits so that generated texts need several parts.
    first, rest = (280, 280) if platform == "twitter" else (300, 125)
    return split_text(
        text, first_limit=first, continuation_limit=rest, measure=rules.measure, numbering=numbering
    )


@PROPERTY_SETTINGS
@given(platforms, texts, st.booleans())
def test_every_part_fits_its_limit(platform: str, text: str, numbering: bool) -> None:
    rules = rules_for(platform)
    for part in platform_split(platform, text, numbering):
        assert rules.measure(part.text) == part.length <= part.limit


@PROPERTY_SETTINGS
@given(platforms, texts, st.booleans())
def test_parts_give_back_the_words_in_order(platform: str, text: str, numbering: bool) -> None:
    parts = platform_split(platform, text, numbering)
    if len(parts) == 1 and parts[0].text == text:
        return  # it fitted as it was
    assert rebuilt(parts) == text.strip()
    if len(parts) > 1:
        # Whitespace normalised at the cuts: one space where there was any, none inside a token.
        joined = "".join(part.body + (" " if part.separator_after else "") for part in parts)
        assert words(joined) == words(text)


@PROPERTY_SETTINGS
@given(platforms, texts, st.booleans())
def test_no_part_is_empty_and_none_starts_or_ends_with_whitespace(
    platform: str, text: str, numbering: bool
) -> None:
    parts = platform_split(platform, text, numbering)
    if len(parts) > 1:
        assert all(part.body and part.body == part.body.strip() for part in parts)


@PROPERTY_SETTINGS
@given(texts)
def test_tokens_are_never_cut_on_x(text: str) -> None:
    """Every URL, mention, hashtag and emoji of the text sits whole in one part (no token here
    is longer than a part, so there is no hard split)."""
    parts = platform_split("twitter", text, numbering=False)
    whole_tokens = {tok for tok in text.split() if not re.search("[\u3000-\u9fff]", tok)}
    part_tokens = {tok for part in parts for tok in part.body.split()}
    assert whole_tokens <= part_tokens
    assert not any(part.hard_split for part in parts)


@PROPERTY_SETTINGS
@given(st.text(alphabet="abc \n", max_size=200))
def test_short_text_is_returned_unchanged(text: str) -> None:
    parts = x_split(text, numbering=True)
    if text.strip():
        assert [part.text for part in parts] == [text]
    else:
        assert parts == []


# --- work bounds: what is measured grows with the parts built, never with their square ----------


class CountingMeasure:
    """A platform's measure that adds up how many characters it was asked to measure."""

    def __init__(self, measure) -> None:
        self.measure, self.characters = measure, 0

    def __call__(self, text: str) -> int:
        self.characters += len(text)
        return self.measure(text)


FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466"
FLOODS = {
    "one long word": "a" * 20_000,
    "emoji": "\U0001f600" * 10_000,
    "zwj sequences": FAMILY * 2_000,
    "urls": " ".join(f"https://e{i}.com/p" for i in range(1_500)),
    "cjk": "\u4eca\u65e5\u306f\u3044\u3044\u5929\u6c17\u3067\u3059" * 2_000,
    "words": "lorem ipsum dolor sit amet. " * 800,
}


@pytest.mark.parametrize("platform", ["twitter", "linkedin"])
@pytest.mark.parametrize("name", list(FLOODS))
def test_characters_measured_grow_linearly_with_the_text(platform: str, name: str) -> None:
    rules = rules_for(platform)
    text = FLOODS[name]
    measure = CountingMeasure(rules.measure)
    parts = split_text(
        text,
        first_limit=rules.max_length,
        continuation_limit=rules.continuation_max_length or rules.max_length,
        measure=measure,
        numbering=True,
    )
    assert rebuilt(parts) == text.strip()
    assert all(part.length <= part.limit for part in parts)
    assert measure.characters <= 12 * len(text), f"{measure.characters} characters measured"


@pytest.mark.parametrize("name", list(FLOODS))
def test_max_parts_bounds_the_work_whatever_the_text_length(name: str) -> None:
    measured = []
    for repeat in (1, 4):
        measure = CountingMeasure(x_length)
        parts = split_text(
            FLOODS[name] * repeat,
            first_limit=280,
            continuation_limit=280,
            measure=measure,
            numbering=True,
            max_parts=5,
        )
        assert len(parts) == 6  # one more than allowed tells the caller the thread is too long
        assert all(part.length <= part.limit for part in parts)
        measured.append(measure.characters)
    assert measured[1] == measured[0]

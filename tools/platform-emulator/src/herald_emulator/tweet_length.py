"""X's weighted tweet length (twitter-text config v3), see reference section 2.7.

This is deliberately an independent, in-module implementation: the emulator's job is to check
publishers, which should use a real twitter-text library, so sharing their code would hide bugs.
URL and emoji detection approximate twitter-text's extractor and twemoji-parser: URLs with a
scheme, or bare domains with a common TLD; emoji as Unicode pictographs with modifiers, ZWJ
sequences, flags and keycaps.
"""

import re
import unicodedata
from dataclasses import dataclass

MAX_WEIGHTED_LENGTH = 280
SCALE = 100
DEFAULT_WEIGHT = 200
URL_WEIGHT = 23 * SCALE
_LIGHT_RANGES = ((0x0000, 0x10FF), (0x2000, 0x200D), (0x2010, 0x201F), (0x2032, 0x2037))
_INVALID_CHARS = frozenset("\ufffe\ufeff\uffff")

_COMMON_TLDS = (
    "com|net|org|edu|gov|mil|int|info|biz|name|pro|mobi|app|dev|io|ai|co|me|tv|ly|gl|gg|fm|to|cc|ws|xyz|"
    "online|site|tech|blog|news|shop|store|club|page|link|live|social|media|cloud|email|"
    "us|uk|de|fr|jp|cn|in|br|ru|it|es|nl|se|no|fi|dk|pl|ch|at|be|au|ca|nz|ie|eu|kr|mx|ar|za|pt|gr|tr"
)
_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_PATH = r"(?:[/?#][^\s]*)?"
_URL = re.compile(
    rf"(?<![\w@$.\-/])(?:(?:https?://)(?:{_LABEL}\.)+[a-z]{{2,63}}|(?:{_LABEL}\.)+(?:{_COMMON_TLDS})(?![\w-]))"
    rf"(?::\d{{1,5}})?{_PATH}",
    re.IGNORECASE,
)
_URL_TRAILING_PUNCTUATION = ".,;:!?'\")]}"

_PICTOGRAPH = (
    "\U0001f000-\U0001faff\u2600-\u27bf\u2300-\u23ff\u2b00-\u2bff\u2900-\u297f"
    "\u3030\u303d\u3297\u3299\u00a9\u00ae\u203c\u2049\u2122\u2139\u24c2\u25aa-\u25fe"
)
_ELEMENT = rf"[{_PICTOGRAPH}]\ufe0f?[\U0001f3fb-\U0001f3ff]?"
_EMOJI = re.compile(
    rf"[0-9#*]\ufe0f?\u20e3"  # keycaps
    rf"|[\U0001f1e6-\U0001f1ff]{{2}}"  # flags
    rf"|\U0001f3f4[\U000e0020-\U000e007e]+\U000e007f"  # subdivision flags
    rf"|{_ELEMENT}(?:\u200d{_ELEMENT})*"
)


@dataclass(frozen=True)
class TweetLength:
    weighted_length: int
    valid: bool
    permillage: int
    valid_range_end: int  # last UTF-16 index (of the NFC text) that still fits


def weighted_length(text: str, max_length: int = MAX_WEIGHTED_LENGTH) -> TweetLength:
    normalized = unicodedata.normalize("NFC", text)
    spans = _entity_spans(normalized)
    total = 0
    utf16_index = 0
    valid_range_end: int | None = None
    index = 0
    while index < len(normalized):
        if index in spans:
            end, weight = spans[index]
        else:
            end, weight = index + 1, _char_weight(normalized[index])
        total += weight
        if valid_range_end is None and total > max_length * SCALE:
            valid_range_end = utf16_index - 1
        utf16_index += _utf16_len(normalized[index:end])
        index = end
    length = total // SCALE
    has_invalid = any(char in _INVALID_CHARS for char in normalized)
    return TweetLength(
        weighted_length=length,
        valid=not has_invalid and 0 < length <= max_length,
        permillage=length * 1000 // max_length,
        valid_range_end=utf16_index - 1 if valid_range_end is None else valid_range_end,
    )


def _entity_spans(text: str) -> dict[int, tuple[int, int]]:
    """Start index -> (end index, weight) for URLs and emoji sequences."""
    spans: dict[int, tuple[int, int]] = {}
    taken: set[int] = set()
    for match in _URL.finditer(text):
        end = match.end()
        while end > match.start() and text[end - 1] in _URL_TRAILING_PUNCTUATION:
            end -= 1
        spans[match.start()] = (end, URL_WEIGHT)
        taken.update(range(match.start(), end))
    for match in _EMOJI.finditer(text):
        if match.start() not in taken:
            spans[match.start()] = (match.end(), DEFAULT_WEIGHT)
    return spans


def _char_weight(char: str) -> int:
    code_point = ord(char)
    if code_point > 0xFFFF:
        return DEFAULT_WEIGHT  # looked up by its low surrogate, which no range covers
    if any(start <= code_point <= end for start, end in _LIGHT_RANGES):
        return SCALE
    return DEFAULT_WEIGHT


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2

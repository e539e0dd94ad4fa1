"""Find multi-code-point emoji (ZWJ sequences, skin tones, flags, keycaps, ``©️``).

X counts each such sequence as 2 however many code points it has. twitter-text finds them
with twemoji's list of emoji; we use the ``emoji`` package's list of every emoji Unicode
defines (kept up to date with new Unicode versions), compiled once into a trie-shaped
regex so a lookup walks one branch instead of trying 3,800 sequences.

Single code points need no lookup: an emoji outside X's light ranges weighs 2 anyway, and
the two inside them (``©`` and ``®`` without VS16) weigh 1 on X too.
"""

import re
from collections.abc import Iterable
from functools import cache

import emoji

# Every sequence contains a code point at or above U+2000 (ZWJ, VS16, U+20E3 or an emoji).
_FIRST_POSSIBLE = "\u2000"


@cache
def _patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """(what can start a sequence, the sequences): scanning for the first is much cheaper."""
    sequences = [candidate for candidate in emoji.EMOJI_DATA if len(candidate) > 1]
    first_chars = _character_class({sequence[0] for sequence in sequences})
    return re.compile(first_chars), re.compile(_trie_regex(sequences))


def _character_class(chars: set[str], merge_gap: int = 0x40) -> str:
    """A ``[...]`` class covering ``chars``, loosely: code points less than ``merge_gap`` apart
    share one range. ``re`` tests ranges one by one, so a few wide ones scan CJK text much
    faster than 300 exact ones; the trie regex then rejects the extra candidates."""
    code_points = sorted(ord(char) for char in chars)
    ranges: list[list[int]] = []
    for code_point in code_points:
        if ranges and code_point - ranges[-1][1] <= merge_gap:
            ranges[-1][1] = code_point
        else:
            ranges.append([code_point, code_point])
    parts = (re.escape(chr(low)) + ("-" + re.escape(chr(high)) if high > low else "") for low, high in ranges)
    return "[" + "".join(parts) + "]"


def find_emoji_sequences(text: str) -> list[tuple[int, int]]:
    """(start, end) code-point spans of emoji sequences, longest match first, in order."""
    if not text or max(text) < _FIRST_POSSIBLE:
        return []
    starts, sequences = _patterns()
    spans: list[tuple[int, int]] = []
    position = 0
    while (start := starts.search(text, position)) is not None:
        sequence = sequences.match(text, start.start())
        if sequence is None:
            position = start.start() + 1
        else:
            spans.append(sequence.span())
            position = sequence.end()
    return spans


def _trie_regex(words: Iterable[str]) -> str:
    """A regex matching any of ``words``, longest first, shaped as a character trie."""
    trie: dict[str, dict] = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}
    return _trie_node_regex(trie)


def _trie_node_regex(node: dict[str, dict]) -> str:
    branches = [re.escape(char) + _trie_node_regex(child) for char, child in sorted(node.items()) if char]
    if not branches:
        return ""
    word_ends_here = "" in node
    if len(branches) == 1 and not word_ends_here:
        return branches[0]
    group = "(?:" + "|".join(branches) + ")"
    return group + "?" if word_ends_here else group

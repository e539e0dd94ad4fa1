"""Where a text may be cut, and how good each cut is: the splitter's pieces ("atoms").

Breaks are whitespace, rated by what it is (paragraph, line, after a sentence, between words);
Chinese and Japanese, which use no spaces, break between two CJK characters, except before
closing marks and small kana, and never inside a URL, hashtag or mention.
"""

from collections.abc import Iterator
from enum import IntEnum
from itertools import islice
from typing import NamedTuple

import regex

from .entities import entity_spans
from .urls import find_urls

_TOKEN_RE = regex.compile(r"(\S+)(\s*)")
_CJK = r"[\p{Han}\p{Hiragana}\p{Katakana}\u3000-\u303F\uFF00-\uFFEF]"
_CJK_RE = regex.compile(_CJK)
_CJK_RUN_RE = regex.compile(f"{_CJK}{{2,}}")  # cuts go between two of its characters
# Japanese/Chinese typography never starts a line with these (closing marks, small kana).
_NO_BREAK_BEFORE = frozenset(
    "\u3001\u3002\uff0c\uff0e\u30fb\uff1a\uff1b\uff1f\uff01\u30fc)]\uff5d\u3015\u3009\u300b\u300d\u300f\u3011\u3019\u3017\u301f\u2019\u201d\uff60\u00bb\u3041\u3043\u3045\u3047"
    "\u3049\u3063\u3083\u3085\u3087\u308e\u30a1\u30a3\u30a5\u30a7\u30a9\u30c3\u30e3\u30e5\u30e7\u30ee\u30f5\u30f6\u3005"
)
_CJK_SENTENCE_ENDS = "\u3002\uff01\uff1f"  # ideographic full stop, fullwidth ! and ?
# Inside a sentence, a cut every few characters is fine enough (a part loses at most 3) and makes
# a long run of Chinese or Japanese a quarter as many pieces to pack.
_CJK_MIN_PIECE = 4
_SENTENCE_END_RE = regex.compile(r"[.!?\u2026\u3002\uff01\uff1f][)\]\"'\u201d\u2019\u00bb\u300d\u300f]*$")


class BreakStrength(IntEnum):
    GRAPHEME = 0  # inside a token: last resort
    WORD = 1
    SENTENCE = 2
    LINE = 3
    PARAGRAPH = 4


class Atom(NamedTuple):  # a tuple: a long text makes many, and tuples are cheap to build
    text: str
    separator: str  # what followed it in the original
    strength: BreakStrength  # of the break after it


class Atoms:
    """The text's atoms (see ``text_atoms``), produced on demand."""

    def __init__(self, text: str) -> None:
        self._source = text_atoms(text)
        self.items: list[Atom] = []  # produced so far

    def has(self, index: int) -> bool:
        while index >= len(self.items):
            produced = len(self.items)
            self.items += islice(self._source, 256)
            if len(self.items) == produced:
                return False
        return True

    def __getitem__(self, index: int) -> Atom:
        return self.items[index]

    def span(self, first: int, last: int) -> list[Atom]:
        return self.items[first : last + 1]


def text_atoms(text: str) -> Iterator[Atom]:
    """The text as breakable pieces: whitespace-separated tokens, CJK runs cut per character."""
    for token in _TOKEN_RE.finditer(text):
        word, separator = token.group(1), token.group(2)
        strength = _whitespace_strength(word, separator)
        if _CJK_RE.search(word):
            yield from _cjk_atoms(word, separator, strength)
        else:
            yield Atom(word, separator, strength)


def _whitespace_strength(token: str, separator: str) -> BreakStrength:
    newlines = separator.count("\n")
    if newlines >= 2:
        return BreakStrength.PARAGRAPH
    if newlines == 1:
        return BreakStrength.LINE
    if _SENTENCE_END_RE.search(token):
        return BreakStrength.SENTENCE
    return BreakStrength.WORD


def _cjk_atoms(token: str, separator: str, strength: BreakStrength) -> Iterator[Atom]:
    """Cut a token between CJK characters, outside URLs, hashtags and mentions, after each
    sentence and at most every ``_CJK_MIN_PIECE`` characters inside one (lazily: a long run of
    Chinese or Japanese is read only as far as the parts being built). The last piece ends
    where the token did: ``separator`` and ``strength`` are that break's."""
    protected = iter(sorted([(url.start, url.end) for url in find_urls(token)] + entity_spans(token)))
    span_end = 0  # cuts before this index fall inside a protected span
    upcoming = next(protected, None)
    start = 0
    for index in (i for run in _CJK_RUN_RE.finditer(token) for i in range(run.start() + 1, run.end())):
        while upcoming is not None and upcoming[0] < index:
            span_end = max(span_end, upcoming[1])
            upcoming = next(protected, None)
        if index < span_end or token[index] in _NO_BREAK_BEFORE:
            continue
        sentence_end = token[index - 1] in _CJK_SENTENCE_ENDS
        if sentence_end or index - start >= _CJK_MIN_PIECE:
            yield Atom(token[start:index], "", BreakStrength.SENTENCE if sentence_end else BreakStrength.WORD)
            start = index
    yield Atom(token[start:], separator, strength)

"""Split a long text into the parts of a thread, each within its platform limit.

Where to cut: a part ends at the strongest break that leaves it at least half full —
paragraph, then line, then sentence, then word. Breaks are whitespace (or, in Chinese and
Japanese, which use none, between two CJK characters), so a word, URL, @mention, #hashtag
or emoji sequence is never cut. The last resort, a single token longer than a whole part
(a 5,000-character string on LinkedIn; on X a URL counts 23 so never), is cut at grapheme
cluster boundaries (``ThreadPart.hard_split``) so no character or emoji is broken.

The whitespace at a cut is dropped from both parts and kept in ``separator_after``: joining
each part's ``body`` and ``separator_after`` gives back the original (stripped) text.

Numbering (`` 1/3``) is counted inside each part's limit. Its width depends on the number of
parts, so we split again with room for the new total until it stops growing.
"""

from collections.abc import Callable
from dataclasses import dataclass
from enum import IntEnum

import regex

from .entities import entity_spans
from .urls import find_urls

NUMBERING_FORMAT = " {index}/{total}"
_TOKEN_RE = regex.compile(r"(\S+)(\s*)")
_GRAPHEME_RE = regex.compile(r"\X")
_CJK_RE = regex.compile(r"[\p{Han}\p{Hiragana}\p{Katakana}\u3000-\u303F\uFF00-\uFFEF]")
# Japanese/Chinese typography never starts a line with these (closing marks, small kana).
_NO_BREAK_BEFORE = frozenset(
    "\u3001\u3002\uff0c\uff0e\u30fb\uff1a\uff1b\uff1f\uff01\u30fc)]\uff5d\u3015\u3009\u300b\u300d\u300f\u3011\u3019\u3017\u301f\u2019\u201d\uff60\u00bb\u3041\u3043\u3045\u3047"
    "\u3049\u3063\u3083\u3085\u3087\u308e\u30a1\u30a3\u30a5\u30a7\u30a9\u30c3\u30e3\u30e5\u30e7\u30ee\u30f5\u30f6\u3005"
)
_CJK_SENTENCE_ENDS = "\u3002\uff01\uff1f"  # ideographic full stop, fullwidth ! and ?
_SENTENCE_END_RE = regex.compile(r"[.!?\u2026\u3002\uff01\uff1f][)\]\"'\u201d\u2019\u00bb\u300d\u300f]*$")


class BreakStrength(IntEnum):
    GRAPHEME = 0  # inside a token: last resort
    WORD = 1
    SENTENCE = 2
    LINE = 3
    PARAGRAPH = 4


@dataclass(frozen=True, slots=True)
class ThreadPart:
    text: str  # what is posted: body plus numbering
    body: str  # the slice of the original text
    length: int  # of ``text``, as the platform counts
    limit: int
    separator_after: str  # the original whitespace at the cut ("" inside a word or CJK text)
    hard_split: bool = False  # the cut is inside a token (grapheme boundary)


@dataclass(frozen=True, slots=True)
class _Atom:
    text: str
    separator: str  # what followed it in the original
    strength: BreakStrength  # of the break after it


Measure = Callable[[str], int]


def split_text(
    text: str,
    *,
    first_limit: int,
    continuation_limit: int,
    measure: Measure,
    numbering: bool = False,
    numbering_format: str = NUMBERING_FORMAT,
) -> list[ThreadPart]:
    """Parts of ``text``: the first within ``first_limit``, the others ``continuation_limit``.

    A text that fits comes back as one part, unchanged and unnumbered; a blank text as none.
    """
    if not text.strip():
        return []
    if (length := measure(text)) <= first_limit:
        return [ThreadPart(text, text, length, first_limit, "")]
    limits = (first_limit, continuation_limit)
    atoms = _atoms(text.strip())
    parts = _pack(atoms, limits, measure, lambda index: "")
    if not numbering or len(parts) < 2:
        return _finish(parts, limits, measure, lambda index: "")
    reserved = len(parts)
    for _ in range(8):
        parts = _pack(atoms, limits, measure, _numbering(numbering_format, reserved))
        if len(parts) <= reserved:
            break
        reserved = len(parts)
    # Fewer parts than reserved for means shorter labels: they still fit.
    return _finish(parts, limits, measure, _numbering(numbering_format, len(parts)))


def _numbering(numbering_format: str, total: int) -> Callable[[int], str]:
    return lambda index: numbering_format.format(index=index, total=total)


def _limit(limits: tuple[int, int], index: int) -> int:
    return limits[0] if index == 1 else limits[1]


def _finish(
    parts: list[tuple[str, str, bool]],
    limits: tuple[int, int],
    measure: Measure,
    suffix: Callable[[int], str],
) -> list[ThreadPart]:
    finished = []
    for index, (body, separator, hard) in enumerate(parts, start=1):
        posted = body + suffix(index) if len(parts) > 1 else body
        finished.append(ThreadPart(posted, body, measure(posted), _limit(limits, index), separator, hard))
    return finished


def _pack(
    atoms: list[_Atom], limits: tuple[int, int], measure: Measure, suffix: Callable[[int], str]
) -> list[tuple[str, str, bool]]:
    """Greedy packing: (body, separator after, hard split) for each part."""
    atoms = list(atoms)
    parts: list[tuple[str, str, bool]] = []
    first = 0
    while first < len(atoms):
        index = len(parts) + 1
        limit, label = _limit(limits, index), suffix(index)
        if measure(label) >= limit:
            raise ValueError(f"limit {limit} leaves no room next to the numbering {label!r}")
        last = _furthest_fit(atoms, first, limit, measure, label)
        if last < first:
            atoms[first : first + 1] = _hard_split(atoms[first], limit, measure, label)
            last = first
        elif last < len(atoms) - 1:
            last = _best_break(atoms, first, last)
        cut = atoms[last]
        parts.append((_join(atoms, first, last), cut.separator, cut.strength is BreakStrength.GRAPHEME))
        first = last + 1
    return parts


def _join(atoms: list[_Atom], first: int, last: int) -> str:
    return "".join(atom.text + atom.separator for atom in atoms[first:last]) + atoms[last].text


def _furthest_fit(atoms: list[_Atom], first: int, limit: int, measure: Measure, label: str) -> int:
    """Index of the last atom such that atoms[first..it] fit with ``label``; first - 1 if none.

    Galloping then binary search (adding atoms never makes a text shorter), so the texts we
    measure stay near the limit's size rather than the whole rest of the post.
    """

    def fits(last: int) -> bool:
        return measure(_join(atoms, first, last) + label) <= limit

    if not fits(first):
        return first - 1
    low, step = first, 1  # atoms[first..low] fit
    while low + step < len(atoms) and fits(low + step):
        low += step
        step *= 2
    high = min(low + step, len(atoms)) - 1  # atoms[first..high + 1] don't fit, or there are none
    while low < high:
        middle = (low + high + 1) // 2
        if fits(middle):
            low = middle
        else:
            high = middle - 1
    return low


def _best_break(atoms: list[_Atom], first: int, last: int) -> int:
    """The last atom of the part: the strongest break among those leaving it half full."""
    lengths = []
    running = 0
    for atom in atoms[first : last + 1]:
        running += len(atom.text)
        lengths.append(running)
        running += len(atom.separator)
    half = lengths[-1] / 2
    candidates = [first + offset for offset, length in enumerate(lengths) if length >= half]
    strongest = max(atoms[index].strength for index in candidates)
    return max(index for index in candidates if atoms[index].strength == strongest)


def _hard_split(atom: _Atom, limit: int, measure: Measure, label: str) -> list[_Atom]:
    """Cut a token too long for any part at the last grapheme boundary that fits."""
    graphemes = _GRAPHEME_RE.findall(atom.text)
    low, high = 1, len(graphemes) - 1  # at least one grapheme, so every part makes progress
    while low < high:
        middle = (low + high + 1) // 2
        if measure("".join(graphemes[:middle]) + label) <= limit:
            low = middle
        else:
            high = middle - 1
    head, tail = "".join(graphemes[:low]), "".join(graphemes[low:])
    if not tail or measure(head + label) > limit:
        raise ValueError(f"limit {limit} is too small for a single character of {atom.text[:20]!r}")
    return [_Atom(head, "", BreakStrength.GRAPHEME), _Atom(tail, atom.separator, atom.strength)]


def _atoms(text: str) -> list[_Atom]:
    """The text as breakable pieces: whitespace-separated tokens, CJK runs cut per character."""
    atoms: list[_Atom] = []
    for match in _TOKEN_RE.finditer(text):
        token, separator = match.group(1), match.group(2)
        pieces = _cjk_pieces(token) if _CJK_RE.search(token) else [(token, BreakStrength.WORD)]
        for piece, strength in pieces[:-1]:
            atoms.append(_Atom(piece, "", strength))
        atoms.append(_Atom(pieces[-1][0], separator, _whitespace_strength(token, separator)))
    return atoms


def _whitespace_strength(token: str, separator: str) -> BreakStrength:
    newlines = separator.count("\n")
    if newlines >= 2:
        return BreakStrength.PARAGRAPH
    if newlines == 1:
        return BreakStrength.LINE
    if _SENTENCE_END_RE.search(token):
        return BreakStrength.SENTENCE
    return BreakStrength.WORD


def _cjk_pieces(token: str) -> list[tuple[str, BreakStrength]]:
    """Cut a token between CJK characters, outside URLs, hashtags and mentions."""
    protected = [(url.start, url.end) for url in find_urls(token)] + entity_spans(token)
    inside = {index for start, end in protected for index in range(start + 1, end)}
    pieces: list[tuple[str, BreakStrength]] = []
    start = 0
    for index in range(1, len(token)):
        before, after = token[index - 1], token[index]
        if index in inside or after in _NO_BREAK_BEFORE:
            continue
        if _CJK_RE.match(before) and _CJK_RE.match(after):
            strength = BreakStrength.SENTENCE if before in _CJK_SENTENCE_ENDS else BreakStrength.WORD
            pieces.append((token[start:index], strength))
            start = index
    pieces.append((token[start:], BreakStrength.WORD))
    return pieces

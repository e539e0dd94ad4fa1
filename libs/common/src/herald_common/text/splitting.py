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

from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass
from itertools import accumulate, islice

import regex

from .breaks import Atom, Atoms

NUMBERING_FORMAT = " {index}/{total}"
_GRAPHEME_RE = regex.compile(r"\X")


@dataclass(frozen=True, slots=True)
class ThreadPart:
    text: str  # what is posted: body plus numbering
    body: str  # the slice of the original text
    length: int  # of ``text``, as the platform counts
    limit: int
    separator_after: str  # the original whitespace at the cut ("" inside a word or CJK text)
    hard_split: bool = False  # the cut is inside a token (grapheme boundary)


Measure = Callable[[str], int]

# Work stays proportional to what is posted, never to the whole text: atoms are read only as
# far as the parts being built, each part is measured over at most ``part_window`` characters,
# and with ``max_parts`` packing stops once the thread is too long to post.
PART_WINDOW_FLOOR = 4096  # a whole URL (X counts at most 4,096 characters as one) fits in any part


def part_window(limit: int) -> int:
    """Most characters one part may span: a token longer than this is cut, not measured whole."""
    return PART_WINDOW_FLOOR + 2 * limit


def _surely_too_long(token: str, budget: int) -> bool:
    """Without measuring: more graphemes than ``budget`` and no ``.`` (so no URL, which on X
    weighs less than its characters) cannot fit, as every other grapheme weighs at least 1."""
    if len(token) <= budget or "." in token:
        return False
    graphemes = _GRAPHEME_RE.finditer(token)
    return next(islice(graphemes, budget, None), None) is not None


def split_text(
    text: str,
    *,
    first_limit: int,
    continuation_limit: int,
    measure: Measure,
    numbering: bool = False,
    numbering_format: str = NUMBERING_FORMAT,
    max_parts: int | None = None,
) -> list[ThreadPart]:
    """Parts of ``text``: the first within ``first_limit``, the others ``continuation_limit``.

    A text that fits comes back as one part, unchanged and unnumbered; a blank text as none.
    With ``max_parts``, splitting stops once there are more parts than that (the thread is
    refused anyway): the ``max_parts + 1`` parts returned then cover only the start of the text,
    and are not numbered.
    """
    if not text.strip():
        return []
    window = part_window(first_limit)
    if len(text) <= window and (length := measure(text)) <= first_limit:
        return [ThreadPart(text, text, length, first_limit, "")]
    limits = (first_limit, continuation_limit)
    atoms = Atoms(text.strip())
    weigh = _Weigher(measure)
    parts = _pack(atoms, limits, weigh, lambda index: "", max_parts)
    whole = len(parts) == 1 and not atoms.has(parts[0].last + 1)
    if whole and (length := measure(text)) <= first_limit:  # it fitted once its outer whitespace is cut
        return [ThreadPart(text, text, length, first_limit, "")]
    too_many = max_parts is not None and len(parts) > max_parts
    if not numbering or len(parts) < 2 or too_many:  # a thread too long to post is not numbered
        return _finish(parts, limits, measure, lambda index: "")
    reserved = len(parts)
    for _ in range(8):
        parts = _pack(atoms, limits, weigh, _numbering(numbering_format, reserved), max_parts)
        if len(parts) <= reserved:
            break
        reserved = len(parts)
    # Fewer parts than reserved for means shorter labels: they still fit.
    return _finish(parts, limits, measure, _numbering(numbering_format, len(parts)))


def _numbering(numbering_format: str, total: int) -> Callable[[int], str]:
    return lambda index: numbering_format.format(index=index, total=total)


def _limit(limits: tuple[int, int], index: int) -> int:
    return limits[0] if index == 1 else limits[1]


@dataclass(frozen=True, slots=True)
class _Part:
    body: str
    separator: str  # after it in the original
    hard: bool  # cut inside a token
    last: int  # index of its last atom


class _Weigher:
    """``measure`` with a memory: a thread repeats words, spaces and graphemes a lot.

    Summing the weights of a part's pieces only estimates the part (a URL or an escaped
    mention may span pieces); every cut is checked with ``measure`` on the part itself."""

    def __init__(self, measure: Measure) -> None:
        self.measure = measure
        self.known: dict[str, int] = {}

    def __call__(self, text: str) -> int:
        weight = self.known.get(text)
        if weight is None:
            weight = self.known[text] = self.measure(text)
        return weight


def _finish(
    parts: list[_Part],
    limits: tuple[int, int],
    measure: Measure,
    suffix: Callable[[int], str],
) -> list[ThreadPart]:
    finished = []
    for index, part in enumerate(parts, start=1):
        posted = part.body + suffix(index) if len(parts) > 1 else part.body
        finished.append(
            ThreadPart(posted, part.body, measure(posted), _limit(limits, index), part.separator, part.hard)
        )
    return finished


def _pack(
    atoms: Atoms,
    limits: tuple[int, int],
    weigh: _Weigher,
    suffix: Callable[[int], str],
    max_parts: int | None,
) -> list[_Part]:
    """Greedy packing, up to ``max_parts + 1`` parts."""
    parts: list[_Part] = []
    rest = _Rest(atoms)
    while rest.has(rest.first) and (max_parts is None or len(parts) <= max_parts):
        index = len(parts) + 1
        limit, label = _limit(limits, index), suffix(index)
        if weigh(label) >= limit:
            raise ValueError(f"limit {limit} leaves no room next to the numbering {label!r}")
        first = rest.first
        last = _furthest_fit(rest, limit, weigh, label)
        if last < first:
            head, tail = _hard_split(rest[first], limit, weigh, label)
            parts.append(_Part(head, "", True, first))
            rest.cut_inside(tail)
            continue
        if rest.has(last + 1):
            last = _best_break(rest.span(last), first)
        cut = rest[last]
        parts.append(_Part(_join(rest.span(last)), cut.separator, False, last))
        rest.advance(last + 1)
    return parts


class _Rest:
    """What is left to pack: the atoms from ``first`` on, the first one perhaps cut short."""

    def __init__(self, atoms: Atoms) -> None:
        self.atoms, self.first = atoms, 0
        self._head: Atom | None = None  # the rest of atoms[first] after a cut inside it

    def has(self, index: int) -> bool:
        return self.atoms.has(index)

    def __getitem__(self, index: int) -> Atom:
        return self._head if index == self.first and self._head else self.atoms[index]

    def span(self, last: int) -> list[Atom]:
        """atoms[first..last]."""
        atoms = self.atoms.span(self.first, last)
        if self._head:
            atoms[0] = self._head
        return atoms

    def cut_inside(self, tail: Atom) -> None:
        self._head = tail

    def advance(self, first: int) -> None:
        self.first, self._head = first, None


def _join(atoms: list[Atom]) -> str:
    return "".join(atom.text + atom.separator for atom in atoms[:-1]) + atoms[-1].text


def _furthest_fit(rest: _Rest, limit: int, weigh: _Weigher, label: str) -> int:
    """Index of the last atom such that atoms[first..it] fit with ``label``; first - 1 if none.

    The sum of the atoms' weights picks the cut, one measure of the part confirms it; only
    when the estimate was short does a binary search (over this part's atoms) take over.
    """
    window = part_window(limit)
    budget = limit - weigh(label)
    first = rest.first
    items, known = rest.atoms.items, weigh.known  # the hot loop of the splitter: no calls
    total = chars = gap = 0
    atom, index, last = rest[first], first, first - 1
    while True:
        chars += len(atom.text)
        if chars > window or (len(atom.text) > budget and _surely_too_long(atom.text, budget)):
            break
        weight = known.get(atom.text)
        total += gap + (weigh(atom.text) if weight is None else weight)
        if total > budget:
            break
        last, index = index, index + 1
        chars += len(atom.separator)
        gap = known.get(atom.separator) or weigh(atom.separator)
        if index >= len(items) and not rest.has(index):
            break
        atom = items[index]

    def fits(end: int) -> bool:
        return weigh.measure(_join(rest.span(end)) + label) <= limit

    if last < first or fits(last):
        return last
    return _last_fitting(first - 1, last - 1, fits)  # first - 1: none of the atoms fit


def _last_fitting(low: int, high: int, fits: Callable[[int], bool]) -> int:
    """The largest n in (low, high] for which `fits` holds, or `low`; `fits` holds up to some n
    and fails after it, so a binary search finds it with about log2(high - low) measures."""
    while low < high:
        middle = (low + high + 1) // 2
        if fits(middle):
            low = middle
        else:
            high = middle - 1
    return low


def _best_break(atoms: list[Atom], first: int) -> int:
    """The last atom of the part: the strongest break among those leaving it half full."""
    lengths = []
    running = 0
    for atom in atoms:
        running += len(atom.text)
        lengths.append(running)
        running += len(atom.separator)
    half = lengths[-1] / 2
    candidates = [offset for offset, length in enumerate(lengths) if length >= half]
    strongest = max(atoms[offset].strength for offset in candidates)
    return first + max(offset for offset in candidates if atoms[offset].strength == strongest)


def _hard_split(atom: Atom, limit: int, weigh: _Weigher, label: str) -> tuple[str, Atom]:
    """Cut a token too long for any part at the last grapheme boundary that fits: (head, rest).

    Only the graphemes a part could hold are read (each weighs at least 1), their cached
    weights summed in C to estimate the cut; one measure confirms it, or a binary search
    among those graphemes finds it."""
    budget = limit - weigh(label)
    graphemes = _leading_graphemes(atom.text, budget + 1)
    for grapheme in {g for g in graphemes if g not in weigh.known}:
        weigh(grapheme)
    ends = list(accumulate(map(len, graphemes)))
    if ends[-1] == len(atom.text):
        ends.pop()  # the rest keeps at least one grapheme
    estimate = bisect_right(list(accumulate(map(weigh.known.__getitem__, graphemes))), budget)

    def fits(count: int) -> bool:
        return weigh.measure(atom.text[: ends[count - 1]] + label) <= limit

    low, high = 1, max(1, min(estimate, len(ends)))  # at least one grapheme: every part progresses
    if not ends:
        raise ValueError(f"limit {limit} is too small for a single character of {atom.text[:20]!r}")
    if fits(high):
        low = high
    else:
        low = _last_fitting(low, high, fits)
        if not fits(low):
            raise ValueError(f"limit {limit} is too small for a single character of {atom.text[:20]!r}")
    cut = ends[low - 1]
    return atom.text[:cut], Atom(atom.text[cut:], atom.separator, atom.strength)


def _leading_graphemes(text: str, count: int) -> list[str]:
    """The first ``count`` grapheme clusters of ``text`` (fewer if it has fewer).

    Read from a window that starts at one character per cluster and grows by what the
    clusters read so far measured, so the regex never scans far past what is needed."""
    window = count + 16
    while True:
        graphemes = _GRAPHEME_RE.findall(text, 0, window)
        if window >= len(text):
            return graphemes[:count]
        graphemes.pop()  # it may continue past the window
        if len(graphemes) >= count:
            return graphemes[:count]
        per_cluster = window / max(1, len(graphemes))
        window = max(2 * window, int(count * per_cluster * 1.25) + 16)

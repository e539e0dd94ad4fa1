"""Find the URLs X counts as 23 characters, following twitter-text's extractor rules.

The rules (twitter-text 3.1 ``extractUrlsWithIndices``): a URL may not follow a letter,
digit, ``@``, ``$`` or ``#``; ``http://``/``https://`` is optional; the host is labels
separated by dots ending in a real top-level domain that is not followed by a letter,
digit, ``@``, ``+`` or ``-``; then an optional port, path and query whose trailing
punctuation is left out. A URL without a protocol must not follow ``-``, ``_``, ``.`` or
``/``, and only its ASCII part counts as the link (``日本example.com`` → ``example.com``).
Every label must fit in 63 characters once punycode-encoded, and the whole URL in 4,096.

The host is matched in Python against a TLD *set* rather than with twitter-text's regex of
1,500 alternatives: same answers (checked against the reference implementation), linear
time, and the data file is easy to refresh.
"""

import re
from dataclasses import dataclass

from .tlds import PUNYCODE_PREFIX, longest_tld_length, top_level_domains

_PUNCTUATION = r"!'#%&()*+,\\\-./:;<=>?@\[\]^_{|}~$"
_SPACES = r"\x09-\x0D\x20\x85\xA0\u1680\u180E\u2000-\u200A\u2028\u2029\u202F\u205F\u3000"
_INVALID = r"\uFFFE\uFEFF\uFFFF"
_DIRECTIONAL = r"\u202A-\u202E\u061C\u200E\u200F\u2066-\u2069"
_LATIN_ACCENTS = (
    r"\xC0-\xD6\xD8-\xF6\xF8-\xFF\u0100-\u024F\u0253\u0254\u0256\u0257\u0259\u025B\u0263"
    r"\u0268\u026F\u0272\u0289\u028B\u02BB\u0300-\u036F\u1E00-\u1EFF"
)
_CYRILLIC = r"\u0400-\u04FF"

# A domain character is anything but punctuation, spaces, invalid or directional marks.
_DOMAIN_CHAR = f"[^{_PUNCTUATION}{_SPACES}{_INVALID}{_DIRECTIONAL}]"
_DOMAIN_CHAR_RE = re.compile(_DOMAIN_CHAR)

# A URL may not start right after a word character, @, $ or # (X's own rule).
_NOT_BEFORE_URL = frozenset(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789@$#\uff20\uff03\ufffe\ufeff\uffff"
)
_PROTOCOL = re.compile("https?://", re.IGNORECASE)
_HOST_RUN = re.compile(rf"(?:{_DOMAIN_CHAR}|[-_.])++")

_PATH_CHAR = rf"[a-zA-Z{_CYRILLIC}0-9!*';:=+,.$/%#\[\]\-\u2013_~@|&{_LATIN_ACCENTS}]"
_PARENS = rf"\((?:{_PATH_CHAR}+|{_PATH_CHAR}*\({_PATH_CHAR}+\){_PATH_CHAR}*)\)"
_PATH_END = rf"(?:[+\-a-zA-Z{_CYRILLIC}0-9=_#/{_LATIN_ACCENTS}]|{_PARENS})"
_QUERY_CHAR = r"[a-zA-Z0-9!?*'@();:&=+$/%#\[\]\-_.,~|]"
_QUERY_END = r"[a-zA-Z0-9\-_&=#/]"
_QUERY = rf"\?{_QUERY_CHAR}*{_QUERY_END}"
# Port, path and query after the host; trailing punctuation stays outside the URL.
_URL_TAIL = re.compile(
    rf"(?::[0-9]+)?"
    rf"(?P<path>/(?:{_PATH_CHAR}*(?:{_PARENS}{_PATH_CHAR}*)*{_PATH_END}|@{_PATH_CHAR}+/)*)?"
    rf"(?:{_QUERY})?"
)
_TCO_URL = re.compile(rf"[Hh][Tt][Tt][Pp][Ss]?://[Tt]\.[Cc][Oo]/([a-zA-Z0-9]+)(?:{_QUERY})?")
_TCO_MAX_SLUG = 40
_PUNYCODE_TLD = re.compile(r"xn--[\-0-9a-z]+", re.IGNORECASE)
_ASCII_LABELS = re.compile(rf"(?:[\-a-zA-Z0-9{_LATIN_ACCENTS}]+\.)+")
_NOT_AFTER_TLD = frozenset("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ@+-")
# A URL without protocol must not follow these (``a-b.com`` is not ``b.com``).
_NO_PROTOCOL_BEFORE = frozenset("-_./")
_MAX_URL_LENGTH = 4096
_MAX_LABEL_LENGTH = 63


@dataclass(frozen=True, slots=True)
class UrlSpan:
    """A URL found in a text; ``start``/``end`` index the Python string (code points)."""

    start: int
    end: int
    url: str


def find_urls(text: str) -> list[UrlSpan]:
    """Every URL X would shorten to a t.co link, in order."""
    if "." not in text:
        return []
    spans: list[UrlSpan] = []
    resume = 0  # where the last URL (with its path) ended
    astral_half = -1  # see _after_match
    for run in _HOST_RUN.finditer(text):
        if run.end() > resume and "." in run.group():
            resume, astral_half = _scan_run(text, max(run.start(), resume), run.end(), spans, astral_half)
    return spans


def _scan_run(
    text: str, position: int, run_end: int, spans: list[UrlSpan], astral_half: int
) -> tuple[int, int]:
    """Find URLs whose host starts in ``text[position:run_end]``.

    Returns where scanning resumes and, if a match ended just before an astral character,
    that character's index (``_after_match``), else -1.

    twitter-text's regex consumes one "preceding" character and then tries a URL right after
    it, at every position in turn. So a URL never starts right where the previous match
    ended, and at the very start of the text a URL after the first character is tried
    before one at index 0. Start positions that provably fail like the previous one are
    skipped (see ``_host``), which keeps long runs of CJK text linear.
    """
    while (start := _next_start(text, position, run_end)) is not None:
        if start == 0 and ord(text[0]) <= 0xFFFF and _next_start(text, 1, run_end) == 1:
            host_end, _ = _host(text, 1, run_end)
            start = 1 if host_end is not None else 0
        host_end, retry_at = _host(text, start, run_end)
        if host_end is None:
            position = retry_at
            continue
        url_start, protocol = _with_protocol(text, start)
        tail = _URL_TAIL.match(text, host_end)
        assert tail is not None  # every part of the tail is optional
        url_end = tail.end()
        if protocol or start == astral_half or text[start - 1 : start] not in _NO_PROTOCOL_BEFORE:
            has_path = bool(tail["path"])
            spans.extend(_accepted_urls(text, url_start, protocol, start, host_end, url_end, has_path))
        position = _after_match(text, url_end)
        astral_half = position if position == url_end else -1
        if position >= run_end:
            return position, astral_half
    return run_end, -1


def _after_match(text: str, match_end: int) -> int:
    """First start allowed after a match: one character is consumed as "preceding" — in
    UTF-16, so after an astral character's first half its second half may start a URL,
    with that half (never ``-_./``) as the preceding character."""
    if match_end < len(text) and ord(text[match_end]) > 0xFFFF:
        return match_end
    return match_end + 1


def _next_start(text: str, position: int, run_end: int) -> int | None:
    """First domain character at or after ``position`` that a URL may start at."""
    last_dot = text.rfind(".", position, run_end)
    for index in range(position, last_dot):
        if _DOMAIN_CHAR_RE.match(text[index]) and (
            index == 0 or text[index - 1] not in _NOT_BEFORE_URL or ord(text[index]) > 0xFFFF
        ):
            # twitter-text works in UTF-16: it may start a URL at the second half of an
            # astral character (preceded by the first half), whatever came before it.
            return index
    return None


def _with_protocol(text: str, host_start: int) -> tuple[int, str]:
    """(URL start, protocol) when ``http://``/``https://`` directly precedes the host."""
    for protocol_length in (8, 7):
        url_start = host_start - protocol_length
        protocol = text[max(url_start, 0) : host_start]
        if url_start < 0 or not _PROTOCOL.fullmatch(protocol):
            continue
        if url_start == 0 or text[url_start - 1] not in _NOT_BEFORE_URL:
            return url_start, protocol
    return host_start, ""


def _accepted_urls(
    text: str, start: int, protocol: str, host_start: int, host_end: int, url_end: int, has_path: bool
) -> list[UrlSpan]:
    """The URL(s) a grammatical match yields once X's validity rules are applied."""
    if not _host_is_encodable(text, host_start, host_end):
        return []
    # twitter-text adds the protocol (or "https://") to a length that already includes it.
    if len(protocol or "https://") + url_end - start > _MAX_URL_LENGTH:
        return []
    if protocol:
        tco = _TCO_URL.match(text, start, url_end)
        if tco is None:
            return [UrlSpan(start, url_end, text[start:url_end])]
        if len(tco.group(1)) > _TCO_MAX_SLUG:
            return []
        # A t.co link ends after its slug and query: X does not extend it with a path.
        return [UrlSpan(start, tco.end(), tco.group())]
    return _ascii_domains(text, host_start, host_end, text[host_end:url_end] if has_path else "")


def _host(text: str, start: int, stop: int) -> tuple[int | None, int]:
    """(end of the longest host starting at ``start`` or None, where to retry if None).

    Like the greedy regex, prefer the most labels; a label before the TLD must start and end
    with a domain character, and the domain name (the label just before the TLD) has no
    ``_``. A later start meets the same TLD candidates and fails the same way
    unless it drops an ``_`` from the domain name or an invalid label from the chain, so on
    failure we retry just after the next ``_`` or at the label that broke the chain.
    """
    label_starts = [start]
    while True:
        dot = text.find(".", label_starts[-1], stop)
        if dot < 0 or not _is_label(text[label_starts[-1] : dot]):
            break
        label_starts.append(dot + 1)
    for tld_index in range(len(label_starts) - 1, 0, -1):
        if "_" in text[label_starts[tld_index - 1] : label_starts[tld_index]]:
            continue  # the label before the TLD is the domain name: no underscore
        tld_length = _tld_prefix_length(text, label_starts[tld_index], stop, len(text))
        if tld_length:
            return label_starts[tld_index] + tld_length, start
    underscore = text.find("_", start, label_starts[-1])
    retry_at = underscore + 1 if underscore >= 0 else label_starts[-1]
    return None, max(retry_at, start + 1)


def _is_label(label: str) -> bool:
    return bool(label) and bool(_DOMAIN_CHAR_RE.match(label[0])) and bool(_DOMAIN_CHAR_RE.match(label[-1]))


def _tld_prefix_length(text: str, start: int, stop: int, boundary: int) -> int:
    """Length of the longest TLD at ``text[start:stop]`` not followed by [0-9A-Za-z@+-].

    The character after the TLD is looked up before ``boundary`` (end of text or host).
    """
    tlds = top_level_domains()
    end_limit = min(stop, start + longest_tld_length())
    for end in range(end_limit, start, -1):
        if end < boundary and text[end] in _NOT_AFTER_TLD:
            continue
        candidate = text[start:end].lower()
        if candidate in tlds:
            return end - start
    # twitter-text accepts any punycode label as a TLD, without the look-ahead.
    punycode = _PUNYCODE_TLD.match(text, start, stop)
    return punycode.end() - start if punycode else 0


def _host_is_encodable(text: str, host_start: int, host_end: int) -> bool:
    """Every label punycode-encodes to 1 to 63 characters (the DNS label limit)."""
    host = text[host_start:host_end]
    if host.startswith(PUNYCODE_PREFIX) and not _ascii_domains(text, host_start, host_end, ""):
        return False  # an "xn--" host must hold an ASCII domain
    for label in host.split("."):
        encoded = label if label.isascii() else PUNYCODE_PREFIX + label.encode("punycode").decode("ascii")
        if not 1 <= len(encoded) <= _MAX_LABEL_LENGTH:
            return False
    return True


def _ascii_domains(text: str, host_start: int, host_end: int, path_and_query: str) -> list[UrlSpan]:
    """A URL without protocol links only its ASCII domain(s); the last one keeps its path.

    The labels before the TLD must be ASCII (or Latin accented); the TLD may be an IDN one.
    When the host had non-ASCII text before the domain, twitter-text's URL (domain + path)
    is shorter than the stretch it came from, and its counter resumes after the URL's own
    length: ``end`` follows it, so it may stop short of the path's real end.
    """
    spans: list[UrlSpan] = []
    position = host_start
    while (labels := _ASCII_LABELS.search(text, position, host_end)) is not None:
        position = labels.end()
        for tld_start in _label_ends_descending(labels.group(), labels.start()):
            tld_length = _tld_prefix_length(text, tld_start, host_end, host_end)
            if tld_length:
                domain = text[labels.start() : tld_start + tld_length]
                spans.append(UrlSpan(labels.start(), labels.start() + len(domain), domain))
                position = tld_start + tld_length
                break
    if spans and path_and_query:
        last = spans[-1]
        url = last.url + path_and_query
        spans[-1] = UrlSpan(last.start, last.start + len(url), url)
    return spans


def _label_ends_descending(labels: str, offset: int) -> list[int]:
    """Positions just after each dot of ``a.b.c.``, last first (the greedy regex's order)."""
    return [offset + index + 1 for index in range(len(labels) - 1, -1, -1) if labels[index] == "."]

"""Hashtags and @mentions: counted for Instagram's caps, kept live by LinkedIn escaping, and
never cut by the splitter.

The patterns follow the platforms' visible behaviour rather than a spec (none is published):
a hashtag is ``#`` plus word characters with at least one letter, not glued to a preceding
word (``a#b``, ``&#38;``, a URL fragment ``/#x``); a mention is ``@`` plus an Instagram-style
handle (letters, digits, ``_``, inner dots), not part of an e-mail address.
"""

import re

HASHTAG_RE = re.compile(r"(?<![\w&#\uff03/])[#\uff03](?=\w*[^\W\d_])\w+")
MENTION_RE = re.compile(r"(?<![\w@\uff20.])[@\uff20][A-Za-z0-9_](?:[A-Za-z0-9._]*[A-Za-z0-9_])?")


def find_hashtags(text: str) -> list[str]:
    """Hashtags in order, with their ``#`` (``["#launch", "#2024recap"]``)."""
    return HASHTAG_RE.findall(text)


def find_mentions(text: str) -> list[str]:
    """@mentions in order, with their ``@`` (``["@herald.app"]``)."""
    return MENTION_RE.findall(text)


def entity_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of every hashtag and mention, in order."""
    spans = [match.span() for match in HASHTAG_RE.finditer(text)]
    spans += [match.span() for match in MENTION_RE.finditer(text)]
    return sorted(spans)

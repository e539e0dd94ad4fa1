"""Escape text for LinkedIn's "little" text format (the Posts API ``commentary`` field and
comment ``message.text``).

LinkedIn reserves ``\\ | { } @ [ ] ( ) < > # * _ ~``; an unescaped one makes the API accept
the post (201) and silently cut the text at that character [3P]. So:
escape the backslash first (or we would double the backslashes we add), then every other
reserved character, except what must stay live:

* a hashtag (``#launch``, letters/digits/``_`` with at least one letter) is left as typed,
  so LinkedIn links it;
* a mention already in little syntax, ``@[Name](urn:li:person:123)``, is left as typed.
"""

import re

from .entities import HASHTAG_RE

RESERVED_CHARACTERS = frozenset("\\|{}@[]()<>#*_~")
MENTION_SYNTAX_RE = re.compile(r"@\[[^\[\]\n]*\]\(urn:li:[A-Za-z]+:[^()\s]+\)")
_RESERVED_RE = re.compile(r"[\\|{}@\[\]()<>#*_~]")


def escape_little_text(text: str) -> str:
    """``text`` with every reserved character backslash-escaped, hashtags and mentions kept."""
    kept = sorted(
        [match.span() for match in MENTION_SYNTAX_RE.finditer(text)]
        + [match.span() for match in HASHTAG_RE.finditer(text) if text[match.start()] == "#"]
    )
    pieces: list[str] = []
    position = 0
    for start, end in kept:
        if start < position:
            continue  # a hashtag inside a mention's name: the mention wins
        pieces.append(_escape_all(text[position:start]))
        pieces.append(text[start:end])
        position = end
    pieces.append(_escape_all(text[position:]))
    return "".join(pieces)


def _escape_all(text: str) -> str:
    # One pass over the text escapes the backslash "first" by construction: an added
    # backslash is never looked at again.
    return _RESERVED_RE.sub(lambda match: "\\" + match.group(), text)

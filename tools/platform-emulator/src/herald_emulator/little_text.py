"""LinkedIn's "little" text format as the Posts API treats it.

Reserved characters must be backslash-escaped. When one is not, the real API still answers 201
but silently cuts the text at that character; the emulator reproduces that so publishers'
escaping bugs show up in tests. ``#tag`` hashtags and ``@[Name](urn:li:...)`` mentions are
markup, not mistakes; a lone ``#`` is kept as it is.
"""

import re
from dataclasses import dataclass

RESERVED = frozenset("\\|{}@[]()<>*_~")
_MENTION = re.compile(r"@\[(?P<name>[^\]\\]*)\]\((?P<urn>urn:li:[A-Za-z]+:[^)\s]+)\)")


@dataclass(frozen=True)
class LittleText:
    visible: str  # what a reader sees: escapes removed, mentions shown by name
    stored_raw: str  # the part of the raw little text the platform kept
    truncated_at: int | None  # index in the raw text of the offending character

    @property
    def truncated(self) -> bool:
        return self.truncated_at is not None


def parse_little_text(raw: str) -> LittleText:
    visible: list[str] = []
    index = 0
    while index < len(raw):
        char = raw[index]
        if char == "\\" and index + 1 < len(raw):
            visible.append(raw[index + 1])
            index += 2
            continue
        if char == "@":
            mention = _MENTION.match(raw, index)
            if mention:
                visible.append(mention.group("name"))
                index = mention.end()
                continue
        if char in RESERVED:
            return LittleText("".join(visible), raw[:index], index)
        visible.append(char)
        index += 1
    return LittleText("".join(visible), raw, None)


def escape_little_text(text: str) -> str:
    """The escaping a correct publisher applies (backslashes first); used by tests and docs."""
    return "".join(f"\\{char}" if char in RESERVED else char for char in text)

"""The texts a platform receives for one post: the post itself, then its continuations.

Delegates to herald_common.text's splitter so the gateway's preview and the publishers
agree to the character.
"""

from __future__ import annotations

from herald_common.platforms import Platform

# Interim limits until the shared text module's splitter is wired in (same numbers).
_LIMITS = {Platform.TWITTER: 280, Platform.LINKEDIN: 3000, Platform.FACEBOOK: 63_206, Platform.INSTAGRAM: 2200}
_CONTINUATION = {Platform.LINKEDIN: 1250}


def split_text(platform: Platform, text: str, numbering: bool) -> list[str]:
    limit = _LIMITS[platform]
    if len(text) <= limit or platform in (Platform.INSTAGRAM, Platform.FACEBOOK):
        return [text]
    parts: list[str] = []
    current = ""
    for word in text.split(" "):
        room = limit if not parts else _CONTINUATION.get(platform, limit)
        candidate = f"{current} {word}" if current else word
        if len(candidate) <= room:
            current = candidate
        else:
            parts.append(current)
            current = word
    parts.append(current)
    return parts


_LITTLE_RESERVED = set("\\|{}@[]()<>#*_~")


def escape_little_text(text: str) -> str:
    """Interim: escape every reserved character of LinkedIn's little text format (backslash first)."""
    return "".join("\\" + c if c in _LITTLE_RESERVED else c for c in text)

"""The texts a platform receives for one post: the post itself, then its continuations.

Delegates to herald_common.text's planner, the same code path as the gateway's validation and
preview, so what a client previews is what gets posted.
"""

from __future__ import annotations

from herald_common.platforms import Platform
from herald_common.text import plan_post, rules_for

# What a continuation refused as a copy of an earlier post becomes: its place in the thread
# in brackets. Visible text, counted like any other, so the part still meets the platform's rules.
DISTINCT_SUFFIX = " ({number}/{total})"


def split_text(platform: Platform, text: str, numbering: bool) -> list[str]:
    return [part.text for part in plan_post(platform, text, numbering=numbering).parts]


def distinct_continuation(platform: Platform, text: str, index: int, total: int) -> str | None:
    """`text` made different from any earlier post by its position in the thread (index counted
    from 0, so the second part gets " (2/3)"); None when that would make it too long."""
    rules = rules_for(platform)
    limit = rules.continuation_max_length or rules.max_length
    distinct = text + DISTINCT_SUFFIX.format(number=index + 1, total=total)
    return distinct if rules.measure(distinct) <= limit else None

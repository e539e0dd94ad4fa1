"""The texts a platform receives for one post: the post itself, then its continuations.

Delegates to herald_common.text's planner, the same code path as the gateway's validation and
preview, so what a client previews is what gets posted.
"""

from __future__ import annotations

from herald_common.platforms import Platform
from herald_common.text import plan_post


def split_text(platform: Platform, text: str, numbering: bool) -> list[str]:
    return [part.text for part in plan_post(platform, text, numbering=numbering).parts]

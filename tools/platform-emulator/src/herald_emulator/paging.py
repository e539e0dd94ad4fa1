"""Cursor paging shared by the list endpoints, as the real APIs page: an opaque cursor names the
last object a page returned, and the next page starts just after it.

A cursor that names an object (not an offset) keeps paging exact while new objects arrive at the
head of a newest-first list: nothing is skipped, nothing is shown twice.
"""

import base64
import binascii
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from fastapi import Request

from herald_emulator.errors import graph_error
from herald_emulator.store import CreatedObject


@dataclass(frozen=True)
class Page:
    items: list[CreatedObject]
    has_more: bool

    @property
    def first_cursor(self) -> str | None:
        return encode_cursor(self.items[0].id) if self.items else None

    @property
    def last_cursor(self) -> str | None:
        return encode_cursor(self.items[-1].id) if self.items else None


def encode_cursor(object_id: str) -> str:
    return base64.urlsafe_b64encode(object_id.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> str | None:
    """The object id a cursor names, or None when it is not one of ours."""
    try:
        decoded = base64.b64decode(cursor + "=" * (-len(cursor) % 4), altchars=b"-_", validate=True).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    return decoded or None


def page_after(ordered: Sequence[CreatedObject], after_id: str | None, limit: int) -> Page:
    """`limit` objects of `ordered` that come after the object `after_id` (all of them from the
    start when None). `ordered` may hold deleted objects: a cursor naming one still resolves."""
    start = 0
    if after_id is not None:
        ids = [obj.id for obj in ordered]
        start = ids.index(after_id) + 1 if after_id in ids else len(ordered)
    visible = [obj for obj in ordered[start:] if not obj.deleted]
    return Page(visible[:limit], len(visible) > limit)


def graph_page(params: Mapping[str, Any], ordered: Sequence[CreatedObject]) -> Page:
    """A Graph edge's page: `limit` (default 25, at most 100) objects after the `after` cursor."""
    limit_text = str(params.get("limit") or "25")
    limit = min(int(limit_text), 100) if limit_text.isdigit() and int(limit_text) > 0 else 25
    after = params.get("after")
    after_id = decode_cursor(str(after)) if after else None
    if after and after_id is None:
        raise graph_error(400, "(#100) The after parameter is not a valid cursor", 100)
    return page_after(ordered, after_id, limit)


def graph_paging(request: Request, page: Page) -> dict[str, Any]:
    """`{"cursors": {"before", "after"}, "next"}` as Graph answers; `next` only when more follow."""
    if not page.items:
        return {}
    paging: dict[str, Any] = {"cursors": {"before": page.first_cursor, "after": page.last_cursor}}
    if page.has_more:
        paging["next"] = str(request.url.include_query_params(after=page.last_cursor))
    return paging

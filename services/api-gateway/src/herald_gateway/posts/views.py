"""What the posts API shows of stored posts: a post with its platforms, and keyset pages of them."""

from __future__ import annotations

import base64
from datetime import datetime

import asyncpg
import orjson

from herald_gateway.posts import repository as repo
from herald_gateway.posts.schemas import Links, PostPage, PostView, PublishedPartView, TargetView
from herald_gateway.posts.transactions import Db
from herald_gateway.problems import Unprocessable


def post_link(post_id: str) -> str:
    return f"/api/v2/posts/{post_id}"


async def page_of(db: Db, rows: list[asyncpg.Record], limit: int, order_column: str) -> PostPage:
    page, more = rows[:limit], len(rows) > limit
    targets = await repo.get_targets(db, [r["id"] for r in page])
    by_post: dict[str, list[asyncpg.Record]] = {}
    for t in targets:
        by_post.setdefault(t["post_id"], []).append(t)
    items = [view_of(r, by_post.get(r["id"], [])) for r in page]
    next_cursor = encode_cursor(page[-1][order_column], page[-1]["id"]) if more and page else None
    return PostPage(items=items, next_cursor=next_cursor)


def view_of(post: asyncpg.Record, targets: list[asyncpg.Record]) -> PostView:
    views = []
    for t in targets:
        parts = [PublishedPartView(**p) for p in orjson.loads(t["parts"])]
        views.append(
            TargetView(
                platform=t["platform"],
                account_id=t["account_id"],
                status=t["status"],
                attempts=t["attempts"],
                platform_post_id=parts[0].platform_post_id if parts else None,
                url=parts[0].url if parts else None,
                parts=parts,
                parts_planned=t["parts_planned"],
                reason=t["reason"],
                error_code=t["error_code"],
                reauth_required=t["reauth_required"],
                next_attempt_at=t["next_attempt_at"],
            )
        )
    return PostView(
        id=post["id"],
        business_id=post["business_id"],
        status=post["status"],
        content=post["content"],
        scheduled_for=post["scheduled_for"],
        timezone=post["timezone"],
        late_policy=post["late_policy"],
        created_at=post["created_at"],
        updated_at=post["updated_at"],
        platforms=views,
        links=Links(self=post_link(post["id"])),
    )


def encode_cursor(when: datetime, post_id: str) -> str:
    return base64.urlsafe_b64encode(orjson.dumps([when.isoformat(), post_id])).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> tuple[datetime, str] | None:
    if not cursor:
        return None
    try:
        when, post_id = orjson.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        return datetime.fromisoformat(when), str(post_id)
    except (ValueError, TypeError):
        raise Unprocessable("cursor is not one this API returned", field="cursor") from None

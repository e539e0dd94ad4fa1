"""How an X answer is classified, and what its rate-limit headers say is left."""

from __future__ import annotations

import time
from dataclasses import dataclass

import httpx

from herald_common.publishing.http import json_or_empty, server_error
from herald_common.publishing.outcomes import DuplicateContent, PermanentError, ReauthRequired, RetryableError

# (bucket, header prefix, per account?) — the endpoint window, then the 24-hour user and app caps.
WINDOWS = (
    ("window", "x-rate-limit", True),
    ("user24h", "x-user-limit-24hour", True),
    ("app24h", "x-app-limit-24hour", False),
)


@dataclass(frozen=True)
class Remaining:
    bucket: str
    per_account: bool
    remaining: int
    reset_at: float


def remaining_from(response: httpx.Response) -> list[Remaining]:
    found = []
    for bucket, prefix, per_account in WINDOWS:
        left, reset = response.headers.get(f"{prefix}-remaining"), response.headers.get(f"{prefix}-reset")
        if left and reset and left.isdigit() and reset.isdigit():
            found.append(Remaining(bucket, per_account, int(left), float(reset)))
    return found


def tweet_url(tweet_id: str) -> str:
    return f"https://x.com/i/web/status/{tweet_id}"


def raise_for(response: httpx.Response) -> None:
    status = response.status_code
    if status < 400:
        return
    body = json_or_empty(response)
    detail = str(body.get("detail") or body.get("title") or response.text[:300] or response.reason_phrase)
    if status == 429:
        # The exhausted window decides the wait (its reset is unix seconds); X sends no Retry-After.
        windows = remaining_from(response)
        spent = [w for w in windows if w.remaining == 0] or windows
        wait = max((w.reset_at - time.time() for w in spent), default=None)
        raise RetryableError(
            f"X rate limit: {detail}",
            code="429",
            retry_after=max(wait, 0.0) if wait is not None else None,
            rate_limited=True,
        )
    if status >= 500:
        raise server_error("X", response)
    if status == 401:
        raise ReauthRequired(f"X refused the token: {detail}", code="401")
    if status == 403 and "duplicate" in detail.lower():
        raise DuplicateContent(f"X: {detail}", code="duplicate_content")
    errors = body.get("errors") or []
    if errors:
        detail += " — " + "; ".join(str(e.get("message")) for e in errors[:3])
    problem = str(body.get("type") or "").rsplit("/", 1)[-1]
    code = f"{status}/{problem}" if problem and problem != "about:blank" else str(status)
    raise PermanentError(f"X answered {status}: {detail}", code=code)

"""What Facebook and Instagram share: the Graph API error envelope and how to classify it."""

from __future__ import annotations

import json

import httpx

from herald_common.publishing.http import json_or_empty, server_error
from herald_common.publishing.outcomes import DuplicateContent, PermanentError, ReauthRequired, RetryableError
from herald_publisher_meta.settings import Settings

# Throttling codes (app, user, page, BUC, generic) — transient by nature.
THROTTLED = {4, 17, 32, 341, 613, 80001, 80002}
DUPLICATE = {506}
TRANSIENT = {1, 2}
PUBLISHING_LIMIT_SUBCODE = 2207042


def raise_for(response: httpx.Response, platform: str) -> None:
    if response.status_code < 400:
        return
    error = json_or_empty(response).get("error") or {}
    if not error:
        if response.status_code >= 500:
            raise server_error(platform, response)
        raise PermanentError(f"{platform} answered {response.status_code}: {response.text[:300]}")
    code, subcode = int(error.get("code") or 0), int(error.get("error_subcode") or 0)
    message = str(error.get("error_user_msg") or error.get("message") or "unknown error")
    ref = f"{code}/{subcode}" if subcode else str(code)
    if code == 190:
        raise ReauthRequired(f"{platform} refused the token: {message}", code=ref)
    if code in THROTTLED or subcode == PUBLISHING_LIMIT_SUBCODE or (code == 368 and subcode == 1390008):
        raise RetryableError(
            f"{platform} throttled the account: {message}", code=ref, retry_after=_regain_seconds(response)
        )
    if code in DUPLICATE or (code == 368 and "already posted" in message.lower()):
        raise DuplicateContent(f"{platform}: {message}", code=ref)
    if code in TRANSIENT or error.get("is_transient"):
        # Code 2 comes with HTTP 500 and the post may exist anyway: look before posting again.
        raise RetryableError(f"{platform} had a transient error: {message}", code=ref, maybe_created=True)
    if response.status_code >= 500:
        raise server_error(platform, response)
    raise PermanentError(f"{platform}: {message}", code=ref)


def _regain_seconds(response: httpx.Response) -> float | None:
    """`estimated_time_to_regain_access` (minutes) from the BUC usage header, when present."""
    raw = response.headers.get("x-business-use-case-usage")
    if not raw:
        return None
    try:
        usage = json.loads(raw)
        minutes = max(int(e.get("estimated_time_to_regain_access", 0)) for v in usage.values() for e in v)
    except (ValueError, TypeError, AttributeError):
        return None
    return minutes * 60.0 if minutes > 0 else None


def page_token(settings: Settings) -> str:
    if not settings.facebook_page_token:
        raise ReauthRequired(
            "no Facebook Page is connected (set HERALD_FACEBOOK_PAGE_TOKEN)", code="no_account"
        )
    return settings.facebook_page_token

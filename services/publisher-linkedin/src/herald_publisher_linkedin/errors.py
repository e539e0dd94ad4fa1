"""How a LinkedIn answer is classified: success, retry (when), give up (why), or reconnect."""

from __future__ import annotations

import re

import httpx

from herald_common.publishing.budget import seconds_to_utc_midnight
from herald_common.publishing.http import json_or_empty, server_error
from herald_common.publishing.outcomes import (
    CreatedObject,
    DuplicateContent,
    PermanentError,
    ReauthRequired,
    RetryableError,
)

_DUPLICATE_OF = re.compile(r"duplicate of (urn:li:[a-zA-Z]+:\d+)")
# 401 serviceErrorCodes: 65600 invalid, 65601 revoked, 65602 expired, 65604 empty token.
TOKEN_CODES = {"65600", "65601", "65602", "65604"}


def post_url(urn: str) -> str:
    return f"https://www.linkedin.com/feed/update/{urn}"


def raise_for(response: httpx.Response) -> None:
    status = response.status_code
    if status < 400:
        return
    body = json_or_empty(response)
    message = str(body.get("message") or response.text[:300] or response.reason_phrase)
    code = str(body.get("code") or body.get("serviceErrorCode") or status)
    if status == 401:
        raise ReauthRequired(f"LinkedIn refused the token ({code}): {message}", code=code)
    if status == 429:
        # Daily limits that reset at midnight UTC; LinkedIn sends no Retry-After or rate headers.
        raise RetryableError(
            f"LinkedIn throttled the account ({code}): {message}",
            code=f"429/{code}" if code != "429" else "429",
            retry_after=seconds_to_utc_midnight(),
            rate_limited=True,
        )
    if status >= 500:
        raise server_error("LinkedIn", response)
    details = (body.get("errorDetails") or {}).get("inputErrors") or []
    if any(d.get("code") == "DUPLICATE_POST" for d in details):
        match = _DUPLICATE_OF.search(message)
        existing = CreatedObject(match.group(1), post_url(match.group(1))) if match else None
        raise DuplicateContent(f"LinkedIn: {message}", code="DUPLICATE_POST", existing=existing)
    if status == 426:
        raise PermanentError(
            f"LinkedIn: {message} (set HERALD_LINKEDIN_VERSION to an active YYYYMM)", code=code
        )
    if status == 403:
        raise PermanentError(
            f"LinkedIn refused the author ({code}): {message}; the account needs w_member_social "
            "or, for an organisation, w_organization_social and an admin role",
            code=code,
        )
    first_input = next((str(d.get("code")) for d in details if d.get("code")), None)
    raise PermanentError(f"LinkedIn answered {status}: {message}", code=first_input or code)

"""Binds an OAuth consent to the browser that started it (login CSRF / consent hijacking).

Without it, anyone could start a consent for their own business (`authorize?format=json`) and
send the platform's consent link to a victim: the victim's tokens would land in the attacker's
business. So `authorize` sets a random secret in an HttpOnly, SameSite=Lax cookie scoped to
/api/oauth, and the state keeps only its SHA-256; the callback must come with that cookie.
SameSite=Lax still sends the cookie on the platform's top-level redirect back to us. A browser
keeps one secret for every consent it starts (each has its own state), so parallel consents work.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

from fastapi import Request, Response

COOKIE = "herald_oauth_browser"
COOKIE_PATH = "/api/oauth/"
_WELL_FORMED = re.compile(r"[A-Za-z0-9_-]{43}")


def browser_secret(request: Request) -> str:
    """The secret this browser already holds, or a new one."""
    current = request.cookies.get(COOKIE, "")
    return current if _WELL_FORMED.fullmatch(current) else secrets.token_urlsafe(32)


def fingerprint(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def set_cookie(response: Response, secret: str, *, max_age: int, secure: bool) -> None:
    response.set_cookie(
        COOKIE, secret, max_age=max_age, path=COOKIE_PATH, httponly=True, samesite="lax", secure=secure
    )


def same_browser(request: Request, expected_fingerprint: str) -> bool:
    secret = request.cookies.get(COOKIE, "")
    return bool(secret) and hmac.compare_digest(fingerprint(secret), expected_fingerprint)

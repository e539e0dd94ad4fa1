"""HTTP hardening: security headers on every response, a request body size cap, CORS closed by default."""

from __future__ import annotations

from urllib.parse import unquote_plus

from fastapi import FastAPI
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from herald_gateway.problems import problem_response
from herald_gateway.request_model import CONTROL_CHARACTERS

_HEADERS = {
    b"x-content-type-options": b"nosniff",
    b"x-frame-options": b"DENY",
    b"referrer-policy": b"no-referrer",
    b"cross-origin-opener-policy": b"same-origin",
    b"strict-transport-security": b"max-age=63072000; includeSubDomains",
    b"permissions-policy": b"camera=(), microphone=(), geolocation=()",
}
# The API returns JSON only; the interactive docs page needs its scripts and styles.
_API_CSP = b"default-src 'none'; frame-ancestors 'none'"
_DOCS_CSP = (
    b"default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    b"style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; img-src 'self' data: https://fastapi.tiangolo.com; "
    b"frame-ancestors 'none'"
)


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        docs = scope["path"] in ("/docs", "/redoc")

        async def send_secured(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {k.lower() for k, _ in headers}
                headers += [(k, v) for k, v in _HEADERS.items() if k not in present]
                if b"content-security-policy" not in present:  # the dashboard sets its own
                    headers.append((b"content-security-policy", _DOCS_CSP if docs else _API_CSP))
                if scope["path"].startswith("/api/"):
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_secured)


class BodySizeLimitMiddleware:
    """Refuses bodies over the cap with 413: by Content-Length up front, or, for a chunked body,
    as soon as the bytes read pass the cap. The app's own answer to the cut-off body (FastAPI
    reads it as a parse error, 400) is then dropped, so the client sees the 413."""

    def __init__(self, app: ASGIApp, max_bytes: int, path_caps: dict[str, int] | None = None) -> None:
        self.app, self.default_bytes = app, max_bytes
        self.path_caps = dict(path_caps or {})
        """Routes with a cap of their own (bulk uploads), by exact path."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        cap = self.path_caps.get(scope["path"], self.default_bytes)
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > cap:
            await self._refuse(scope, receive, send, cap)
            return
        seen = 0
        started = refused = False

        async def counting_receive() -> Message:
            nonlocal seen, refused
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > cap and not refused:
                    refused = not started
                    if refused:
                        await self._refuse(scope, receive, send, cap)
                    raise _TooLarge
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if refused:
                return  # the 413 has been sent
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, guarded_send)
        except _TooLarge:
            if not started and not refused:
                await self._refuse(scope, receive, send, cap)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, cap: int) -> None:
        response = problem_response(
            413,
            "payload-too-large",
            "Request body too large",
            f"the request body is larger than {cap} bytes",
            scope["path"],
        )
        await response(scope, receive, send)


class _TooLarge(Exception):
    pass


class ControlCharactersInUrlMiddleware:
    """A control character in the path or query (``%00``) is refused with a 422 problem before any
    route sees it: ids and parameters reach PostgreSQL, which refuses NUL."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            query = unquote_plus(scope.get("query_string", b"").decode("latin-1"))
            for part, value in (("path", scope["path"]), ("query", query)):
                if CONTROL_CHARACTERS.search(value):
                    response = problem_response(
                        422,
                        "validation-error",
                        "The request is not valid",
                        f"{part}: contains a control character",
                        "",
                        errors=[{"location": [part], "message": "contains a control character"}],
                    )
                    await response(scope, receive, send)
                    return
        await self.app(scope, receive, send)


def harden(
    app: FastAPI,
    *,
    max_request_bytes: int,
    cors_allow_origins: list[str],
    path_caps: dict[str, int] | None = None,
) -> None:
    app.add_middleware(BodySizeLimitMiddleware, max_bytes=max_request_bytes, path_caps=path_caps)
    app.add_middleware(ControlCharactersInUrlMiddleware)
    if cors_allow_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=cors_allow_origins,
            allow_methods=["GET", "POST", "PATCH", "PUT", "DELETE"],
            allow_headers=["Authorization", "Content-Type", "Idempotency-Key", "X-API-Key"],
            expose_headers=[
                "Location",
                "Retry-After",
                "X-RateLimit-Limit",
                "X-RateLimit-Remaining",
                "X-RateLimit-Reset",
                "RateLimit-Policy",
                "RateLimit",
            ],
        )
    app.add_middleware(SecurityHeadersMiddleware)

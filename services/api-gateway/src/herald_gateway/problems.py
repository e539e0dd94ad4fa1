"""RFC 9457 problem details: typed errors carry a status and a `type`; one handler renders them all."""

from __future__ import annotations

import re
from typing import Any

import asyncpg
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from limits.errors import StorageError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from starlette.exceptions import HTTPException as StarletteHTTPException

from herald_common.logs import get_logger

log = get_logger(__name__)
RETRY_AFTER_OUTAGE_S = 2
PROBLEM_JSON = "application/problem+json"
TYPE_BASE = "https://herald.dev/problems/"


class Problem(Exception):
    status: int = 500
    slug: str = "internal-error"
    title: str = "Internal error"

    def __init__(self, detail: str, **extensions: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extensions = extensions
        self.headers: dict[str, str] = {}


class NotFound(Problem):
    status, slug, title = 404, "not-found", "Not found"


class Conflict(Problem):
    status, slug, title = 409, "conflict", "Conflict"


class Unprocessable(Problem):
    status, slug, title = 422, "validation-error", "The request is not valid"


class Unauthorized(Problem):
    status, slug, title = 401, "unauthorized", "Authentication required"

    def __init__(self, detail: str, **extensions: Any) -> None:
        super().__init__(detail, **extensions)
        self.headers["WWW-Authenticate"] = 'Bearer realm="herald"'


class ServiceUnavailable(Problem):
    status, slug, title = 503, "unavailable", "Temporarily unavailable"


def app_part(request: Request, name: str, what: str) -> Any:
    """A part of the app that exists only when HERALD_TOKEN_ENCRYPTION_KEYS is set (it stores
    secrets), or 503 naming the missing setting."""
    part = getattr(request.app.state, name, None)
    if part is None:
        raise ServiceUnavailable(f"{what} are not configured (HERALD_TOKEN_ENCRYPTION_KEYS)")
    return part


def problem_response(
    status: int,
    slug: str,
    title: str,
    detail: str,
    instance: str,
    headers: dict[str, str] | None = None,
    **extensions: Any,
) -> JSONResponse:
    body = {
        "type": TYPE_BASE + slug,
        "title": title,
        "status": status,
        "detail": detail,
        "instance": instance,
        **extensions,
    }
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def install_problem_handlers(app: FastAPI) -> None:
    @app.exception_handler(Problem)
    async def on_problem(request: Request, exc: Problem) -> JSONResponse:
        return problem_response(
            exc.status, exc.slug, exc.title, exc.detail, request.url.path, exc.headers, **exc.extensions
        )

    @app.exception_handler(RequestValidationError)
    async def on_validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [{"location": list(e["loc"]), "message": e["msg"], "type": e["type"]} for e in exc.errors()]
        detail = "; ".join(
            f"{'.'.join(str(p) for p in e['location'][1:]) or 'body'}: {e['message']}" for e in errors[:5]
        )
        return problem_response(
            422, "validation-error", "The request is not valid", detail, request.url.path, errors=errors
        )

    # Text PostgreSQL cannot store (a NUL character): the statement failed, nothing was written.
    @app.exception_handler(asyncpg.CharacterNotInRepertoireError)
    @app.exception_handler(asyncpg.UntranslatableCharacterError)
    async def on_unstorable_text(request: Request, exc: Exception) -> JSONResponse:
        return problem_response(
            422,
            "validation-error",
            "The request is not valid",
            "text may not contain NUL (\\u0000) characters",
            request.url.path,
        )

    @app.exception_handler(Exception)
    async def on_unexpected(request: Request, exc: Exception) -> JSONResponse:
        if dependency_down(exc):
            # PostgreSQL or Redis is unreachable: nothing was accepted; the client may retry (with
            # its Idempotency-Key) once the dependency is back.
            log.warning("dependency unavailable: %r", exc, extra={"path": request.url.path})
            return problem_response(
                503,
                "unavailable",
                "Temporarily unavailable",
                "a service this request needs is unreachable; nothing was stored, retry shortly",
                request.url.path,
                {"Retry-After": str(RETRY_AFTER_OUTAGE_S)},
            )
        # Logged with its traceback; the client gets a problem without internals.
        log.exception("unhandled error", extra={"path": request.url.path})
        return problem_response(
            500,
            "internal-error",
            "Internal error",
            "something went wrong on our side; it was logged",
            request.url.path,
        )

    @app.exception_handler(StarletteHTTPException)
    async def on_http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        slug = {404: "not-found", 405: "method-not-allowed", 401: "unauthorized"}.get(
            exc.status_code, "http-error"
        )
        headers = dict(exc.headers or {})
        if exc.status_code == 405 and (allowed := _allowed_methods(request)):
            headers["Allow"] = allowed
        return problem_response(
            exc.status_code, slug, str(exc.detail), str(exc.detail), request.url.path, headers
        )


def _allowed_methods(request: Request) -> str:
    """Every method the document gives the path: Starlette names only those of the first route that
    matched it, and GET and POST of one path are two routes here."""
    matched = [
        (path, item)
        for path, item in request.app.openapi()["paths"].items()
        if re.fullmatch(re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(path)), request.url.path)
    ]
    # As OpenAPI matches them: a concrete path before a templated one (/posts/bulk, not /posts/{post_id}).
    concrete = [(path, item) for path, item in matched if "{" not in path]
    methods: set[str] = set()
    for _, item in concrete or matched:
        methods |= {m.upper() for m in item}
    if "GET" in methods:
        methods.add("HEAD")  # Starlette answers HEAD wherever it answers GET
    return ", ".join(sorted(methods))


_OUTAGES: tuple[type[BaseException], ...] = (
    OSError,  # connection refused or reset (files are no dependency: see below)
    TimeoutError,  # no connection from the pool in time
    asyncpg.PostgresConnectionError,
    asyncpg.InterfaceError,  # e.g. the connection closed under a query
    asyncpg.CannotConnectNowError,  # starting up or in recovery after a crash
    asyncpg.AdminShutdownError,
    RedisConnectionError,
    RedisTimeoutError,
    StorageError,  # the rate limiter's storage (Redis)
)


_FILESYSTEM = (FileNotFoundError, FileExistsError, PermissionError, IsADirectoryError, NotADirectoryError)


def dependency_down(exc: BaseException) -> bool:
    """True when the error says a dependency is unreachable rather than that our code is wrong."""
    seen: BaseException | None = exc
    while seen is not None:  # wrapped errors (e.g. the rate limiter's) keep the cause
        if isinstance(seen, _OUTAGES) and not isinstance(seen, _FILESYSTEM):
            return True
        seen = seen.__cause__ or seen.__context__
    return False

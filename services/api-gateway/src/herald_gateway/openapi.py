"""The OpenAPI document: every status a route can answer, RFC 9457 problems, security schemes.

Routes name their own business outcomes (`responses=problems(404, 409)`); what holds for every
route of a kind is added here once, from the route itself: 401 and 429 where a caller is needed,
400/413/422 where there is a body, 422 where there are parameters, and 500 everywhere. Every
error response is `application/problem+json` with the `Problem` schema — FastAPI would otherwise
document them as `application/json` and its own `HTTPValidationError`.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel, ConfigDict, Field

from herald_gateway.problems import PROBLEM_JSON, TYPE_BASE
from herald_gateway.request_model import TEXT_PATTERN

PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}

_ERRORS: dict[int, tuple[str, str, str]] = {
    # status: (description, problem slug, example detail)
    400: ("The body is not JSON", "http-error", "There was an error parsing the body"),
    401: (
        "No credentials, or credentials that are not valid",
        "unauthorized",
        "send `Authorization: Bearer <token or API key>` or `X-API-Key: <key>`",
    ),
    403: (
        "Signed in with an API key where a person must sign in",
        "forbidden",
        "this route needs a signed-in user; API keys cannot manage credentials",
    ),
    404: ("Not found (or not one of your businesses')", "not-found", "business 7 not found"),
    409: (
        "The post is past the point where this can be done",
        "conflict",
        "the post is already published; it can no longer be cancelled",
    ),
    413: (
        "The body is larger than the cap",
        "payload-too-large",
        "the request body is larger than 262144 bytes",
    ),
    422: ("The request is not valid", "validation-error", "platforms: List should have at least 1 item"),
    429: ("Rate limit reached; see Retry-After", "rate-limited", "rate limit of 20 per 1 hour reached"),
    500: ("Unexpected error (logged)", "internal-error", "something went wrong on our side; it was logged"),
    502: (
        "The platform refused or could not be reached",
        "platform-refused",
        "linkedin refused: invalid_grant",
    ),
    503: (
        "A part the route needs is not configured or not reachable",
        "unavailable",
        "connected accounts are not configured (HERALD_TOKEN_ENCRYPTION_KEYS)",
    ),
}
_RATE_HEADERS = {
    "Retry-After": {"description": "seconds until a request may succeed", "schema": {"type": "integer"}},
}


class Problem(BaseModel):
    """RFC 9457 problem details; routes may add members (`errors`, `field`, `violations`, ...)."""

    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={
            "examples": [
                {
                    "type": TYPE_BASE + "not-found",
                    "title": "Not found",
                    "status": 404,
                    "detail": "post 0b6f… not found",
                    "instance": "/api/v2/posts/0b6f…",
                }
            ]
        },
    )
    type: str = Field(description="URI naming the kind of problem", examples=[TYPE_BASE + "not-found"])
    title: str
    status: int = Field(ge=100, le=599)
    detail: str
    instance: str = Field(description="the request path")


def problem_example(status: int) -> dict[str, Any]:
    description, slug, detail = _ERRORS[status]
    return {
        "type": TYPE_BASE + slug,
        "title": description,
        "status": status,
        "detail": detail,
        "instance": "/api/v2/…",
    }


def problem_response(status: int) -> dict[str, Any]:
    response: dict[str, Any] = {
        "description": _ERRORS[status][0],
        "content": {PROBLEM_JSON: {"schema": PROBLEM_REF, "example": problem_example(status)}},
    }
    if status == 429:
        response["headers"] = _RATE_HEADERS
    if status == 401:
        response["headers"] = {"WWW-Authenticate": {"schema": {"type": "string"}}}
    return response


def problems(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """`responses=` for a route: the problems it answers besides those every route of its kind has."""
    return {status: problem_response(status) for status in statuses}


def _operations(doc: dict[str, Any]) -> list[dict[str, Any]]:
    return [op for item in doc.get("paths", {}).values() for op in item.values() if isinstance(op, dict)]


def _text_rule(schema: dict[str, Any]) -> None:
    if schema.get("type") == "string" and not {"pattern", "format", "enum", "const"} & set(schema):
        schema["pattern"] = TEXT_PATTERN  # what the gateway refuses in any text, stated
    for option in schema.get("anyOf", []):
        _text_rule(option)


def _complete(operation: dict[str, Any]) -> None:
    for parameter in operation.get("parameters", []):
        _text_rule(parameter.get("schema", {}))
    responses: dict[str, Any] = operation.setdefault("responses", {})
    implied = [500]
    if operation.get("security"):
        implied += [401, 429]
    if operation.get("requestBody"):
        implied += [400, 413, 422]
    if operation.get("parameters"):
        implied.append(422)
    for status in implied:
        responses.setdefault(str(status), problem_response(status))
    for code, response in responses.items():
        content = response.get("content", {})
        declared_json = code != "422" and content.get("application/json", {}).get("schema")
        if code[0] in "45" and not declared_json:  # (/health/ready's 503 is a JSON report)
            # FastAPI adds an empty application/json entry to every declared response, and its
            # own HTTPValidationError to 422: errors are problem details only.
            response["content"] = {
                PROBLEM_JSON: content.get(PROBLEM_JSON)
                or problem_response(int(code))["content"][PROBLEM_JSON]
            }
        elif code in ("204", "302"):
            response.pop("content", None)


def build_openapi(app: FastAPI) -> dict[str, Any]:
    doc = get_openapi(
        title=app.title,
        version=app.version,
        description=app.description,
        routes=app.routes,
        tags=app.openapi_tags,
    )
    schemas = doc.setdefault("components", {}).setdefault("schemas", {})
    for operation in _operations(doc):
        _complete(operation)
    for unused in ("HTTPValidationError", "ValidationError"):
        schemas.pop(unused, None)
    schemas["Problem"] = Problem.model_json_schema()
    return doc


def install_openapi(app: FastAPI) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = build_openapi(app)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]

"""Error envelopes of each platform, raised as one exception type and rendered by the route class.

Bodies follow docs/reference platform-apis.md: LinkedIn's Rest.li errors, X's RFC 7807 problems
and Meta's Graph ``{"error": {...}}`` envelope.
"""

import secrets
from http import HTTPStatus
from typing import Any

from fastapi.responses import JSONResponse, Response

X_PROBLEM_BASE = "https://api.twitter.com/2/problems/"


class EmulatedError(Exception):
    """A platform-shaped error response; `body=None` sends an empty body."""

    def __init__(self, status: int, body: dict[str, Any] | None, headers: dict[str, str] | None = None):
        super().__init__(f"{status}: {body}")
        self.status = status
        self.body = body
        self.headers = dict(headers or {})
        self.media_type = "application/json"
        self.html: str | None = None  # gateway-style errors that a proxy, not the API, would send

    def to_response(self) -> Response:
        if self.html is not None:
            return Response(self.html, status_code=self.status, headers=self.headers, media_type="text/html")
        if self.body is None:
            return Response(status_code=self.status, headers=self.headers)
        return JSONResponse(
            self.body, status_code=self.status, headers=self.headers, media_type=self.media_type
        )


def reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


# --- LinkedIn -------------------------------------------------------------------------------


def linkedin_error(status: int, message: str, **extra: Any) -> EmulatedError:
    return EmulatedError(status, {"status": status, "message": message, **extra})


def linkedin_bad_request(status: int, message: str, input_errors: list[dict[str, Any]]) -> EmulatedError:
    """The Rest.li validation shape used for length, duplicate and schema errors."""
    body = {
        "errorDetailType": "com.linkedin.common.error.BadRequest",
        "message": message,
        "errorDetails": {"inputErrors": input_errors},
        "status": status,
    }
    return EmulatedError(status, body)


def linkedin_throttled() -> EmulatedError:
    # LinkedIn sends no rate-limit headers and no Retry-After.
    return linkedin_error(
        429, "Resource level throttle limit for calls to this resource is reached.", serviceErrorCode=101
    )


def linkedin_token_error(problem: str) -> EmulatedError:
    if problem == "missing":
        return linkedin_error(401, "Empty oauth2 access token", serviceErrorCode=65604)
    if problem == "expired":
        return linkedin_error(
            401,
            "The token used in the request has expired",
            serviceErrorCode=65602,
            code="EXPIRED_ACCESS_TOKEN",
        )
    if problem == "revoked":
        return linkedin_error(
            401,
            "The token used in the request has been revoked by the user",
            serviceErrorCode=65601,
            code="REVOKED_ACCESS_TOKEN",
        )
    return linkedin_error(401, "Invalid access token", serviceErrorCode=65600)


# --- X --------------------------------------------------------------------------------------


def x_problem(
    status: int, detail: str | None = None, *, title: str | None = None, problem: str | None = None
):
    body: dict[str, Any] = {
        "title": title or reason(status),
        "detail": detail or reason(status),
        "type": f"{X_PROBLEM_BASE}{problem}" if problem else "about:blank",
        "status": status,
    }
    error = EmulatedError(status, body)
    error.media_type = "application/problem+json"
    return error


def x_invalid_request(message: str, parameters: dict[str, list[str]] | None = None) -> EmulatedError:
    entry: dict[str, Any] = {"message": message}
    if parameters is not None:
        entry["parameters"] = parameters
    body = {
        "errors": [entry],
        "title": "Invalid Request",
        "detail": "One or more parameters to your request was invalid.",
        "type": f"{X_PROBLEM_BASE}invalid-request",
    }
    error = EmulatedError(400, body)
    error.media_type = "application/problem+json"
    return error


def x_unauthorized() -> EmulatedError:
    return x_problem(401, "Unauthorized", title="Unauthorized")


def x_rate_limited(headers: dict[str, str]) -> EmulatedError:
    error = x_problem(429, "Too Many Requests", title="Too Many Requests")
    error.headers.update(headers)
    return error


# --- Meta Graph (Facebook and Instagram) ----------------------------------------------------


def fbtrace_id() -> str:
    return secrets.token_urlsafe(8)[:11]


def graph_error(
    status: int,
    message: str,
    code: int,
    subcode: int | None = None,
    *,
    transient: bool | None = None,
    user_title: str | None = None,
    user_msg: str | None = None,
    headers: dict[str, str] | None = None,
) -> EmulatedError:
    error: dict[str, Any] = {"message": message, "type": "OAuthException", "code": code}
    if subcode is not None:
        error["error_subcode"] = subcode
    if transient is not None:
        error["is_transient"] = transient
    if user_title is not None:
        error["error_user_title"] = user_title
    if user_msg is not None:
        error["error_user_msg"] = user_msg
    error["fbtrace_id"] = fbtrace_id()
    return EmulatedError(status, {"error": error}, headers)


def graph_token_error(problem: str, expired_at: str = "Monday, 01-Jan-24 00:00:00 PST") -> EmulatedError:
    if problem == "missing":
        return graph_error(400, "An access token is required to request this resource.", 104)
    if problem == "expired":
        return graph_error(
            400,
            f"Error validating access token: Session has expired on {expired_at}.",
            190,
            463,
            user_title="Session expired",
            user_msg="Your session has expired. Please log in again.",
        )
    if problem == "revoked":
        return graph_error(
            400,
            "Error validating access token: The session has been invalidated because the user changed "
            "their password or Facebook has changed the session for security reasons.",
            190,
            460,
        )
    return graph_error(400, "Invalid OAuth access token - Cannot parse access token", 190)


def graph_unsupported(method: str, object_id: str) -> EmulatedError:
    return graph_error(
        400,
        f"Unsupported {method} request. Object with ID '{object_id}' does not exist, cannot be loaded due to "
        "missing permissions, or does not support this operation. Please read the Graph API documentation "
        "at https://developers.facebook.com/docs/graph-api",
        100,
        33,
    )

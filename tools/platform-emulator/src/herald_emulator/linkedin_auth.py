"""Checks every LinkedIn `/rest` call makes before it reaches its endpoint: token and versioned headers."""

import re
from datetime import UTC, datetime
from typing import Any

from fastapi import Request

from herald_emulator.bearer import bearer_token
from herald_emulator.config import LinkedInConfig
from herald_emulator.errors import EmulatedError, linkedin_error, linkedin_token_error
from herald_emulator.state import EmulatorState
from herald_emulator.tokens import Identity, TokenRejected

_VERSION = re.compile(r"^(?P<month>\d{6})(?:\.\d{2})?$")


def authenticate(state: EmulatorState, request: Request) -> Identity:
    try:
        return state.tokens.authenticate("linkedin", bearer_token(request))
    except TokenRejected as rejected:
        raise linkedin_token_error(rejected.problem) from None


def require_versioned_headers(state: EmulatorState, request: Request) -> str:
    """The `/rest` gateway checks the version before anything else; returns the version used."""
    version = request.headers.get("linkedin-version")
    if not version:
        error = linkedin_error(
            400,
            "A version must be present. Please specify a version by adding the LinkedIn-Version header.",
            code="VERSION_MISSING",
        )
        error.headers["x-restli-gateway-error"] = "true"
        raise error
    if not is_active_version(state.config.linkedin, version, state.clock.now()):
        raise linkedin_error(426, f"Requested version {version} is not active", code="NONEXISTENT_VERSION")
    require_restli_protocol(state, request)
    return version


def require_restli_protocol(state: EmulatorState, request: Request) -> None:
    if not state.config.linkedin.require_restli_protocol_header:
        return
    if request.headers.get("x-restli-protocol-version") != "2.0.0":
        # [U] the exact body; the header is documented as required for the Posts API.
        raise linkedin_error(400, "Invalid or missing X-Restli-Protocol-Version header; expected 2.0.0")


def is_active_version(config: LinkedInConfig, version: str, now: float) -> bool:
    match = _VERSION.match(version)
    if match is None:
        return False
    if config.active_versions is not None:
        return version in config.active_versions or match.group("month") in config.active_versions
    year, month = int(match.group("month")[:4]), int(match.group("month")[4:])
    if not 1 <= month <= 12:
        return False
    today = datetime.fromtimestamp(now, tz=UTC)
    age_months = (today.year - year) * 12 + (today.month - month)
    return 0 <= age_months < config.version_lifetime_months


def require_author_allowed(identity: Identity, author: str) -> None:
    """Issued tokens post only as their member (or an organization with the org scope)."""
    if identity.is_dev:
        return
    if author.startswith("urn:li:organization:"):
        allowed = "w_organization_social" in identity.scopes
    else:
        allowed = author == identity.subject and "w_member_social" in identity.scopes
    if not allowed:
        raise linkedin_error(
            403,
            "Unpermitted fields present in REQUEST_BODY: "
            "Data Processing Exception while processing fields [/author]",
            serviceErrorCode=100,
            code="ACCESS_DENIED",
        )


async def json_body(request: Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except ValueError:
        raise linkedin_error(400, "Unable to parse JSON request body", code="INVALID_JSON") from None
    if not isinstance(body, dict):
        raise linkedin_error(400, "Request body must be a JSON object")
    return body


def missing_fields_error(paths: list[str]) -> EmulatedError:
    lines = "".join(
        f"ERROR :: {path} :: field is required but not found and has no default value\n" for path in paths
    )
    return linkedin_error(422, lines)

"""LinkedIn 3-legged OAuth 2.0 (reference 1.7): authorization (auto-consent), token, refresh, userinfo.

The consent step picks member `linkedin.oauth_member_id` (default "demo"); the emulator-only
query parameter `emulator_member` chooses another.
"""

import secrets

from fastapi import Request
from fastapi.responses import JSONResponse, Response

from herald_emulator.linkedin_auth import authenticate
from herald_emulator.oauth_common import consent_redirect, form_fields, oauth_error
from herald_emulator.routing import platform_router
from herald_emulator.state import EmulatorState, get_state
from herald_emulator.tokens import AuthorizationCode, Identity, TokenRejected

router = platform_router("linkedin")

_CODE_TTL_S = 1800


@router.get("/oauth/v2/authorization", name="oauth_authorize")
async def authorize(request: Request) -> Response:
    state = get_state(request)
    params = request.query_params
    missing = [name for name in ("response_type", "client_id", "redirect_uri") if not params.get(name)]
    if missing or params.get("response_type") != "code":
        return oauth_error(
            400, "invalid_request", f"Missing or invalid parameters: {', '.join(missing) or 'response_type'}"
        )
    member = params.get("emulator_member") or state.config.linkedin.oauth_member_id
    scope = params.get("scope", "").replace("%20", " ")
    identity = Identity(
        "linkedin", f"urn:li:person:{member}", member, scopes=frozenset(scope.replace(",", " ").split())
    )
    code = AuthorizationCode(
        code=f"AQT{secrets.token_urlsafe(24)}",
        platform="linkedin",
        client_id=params["client_id"],
        redirect_uri=params["redirect_uri"],
        identity=identity,
        scope=scope,
        expires_at=state.clock.now() + _CODE_TTL_S,
    )
    return consent_redirect(state, code, params.get("state"))


@router.post("/oauth/v2/accessToken", name="oauth_token")
async def access_token(request: Request) -> JSONResponse:
    state = get_state(request)
    fields = await form_fields(request)
    if not fields.get("client_id") or not fields.get("client_secret"):
        return oauth_error(401, "invalid_client", "Client authentication failed")
    grant = fields.get("grant_type")
    if grant == "authorization_code":
        return exchange_code(state, fields)
    if grant == "refresh_token":
        return refresh(state, fields)
    return oauth_error(400, "unsupported_grant_type", f"Unsupported grant_type {grant!r}")


def exchange_code(state: EmulatorState, fields: dict[str, str]) -> JSONResponse:
    code = state.tokens.codes.get(fields.get("code", ""))
    if (
        code is None
        or code.platform != "linkedin"
        or code.used
        or code.expires_at <= state.clock.now()
        or code.client_id != fields["client_id"]
        or code.redirect_uri != fields.get("redirect_uri")
    ):
        return oauth_error(
            400,
            "invalid_request",
            "Unable to retrieve access token: appid/redirect uri/code verifier does not match "
            "authorization code. Or authorization code expired. Or external member binding exists",
        )
    code.used = True
    config = state.config.linkedin
    access = state.tokens.issue(
        "linkedin",
        "access",
        code.identity,
        client_id=code.client_id,
        ttl_s=config.access_token_ttl_s,
        scope=code.scope,
    )
    body: dict[str, object] = {
        "access_token": access.value,
        "expires_in": config.access_token_ttl_s,
        "scope": code.scope,
    }
    if config.issue_refresh_tokens:
        refresh_token = state.tokens.issue(
            "linkedin",
            "refresh",
            code.identity,
            client_id=code.client_id,
            ttl_s=config.refresh_token_ttl_s,
            family=access.family,
            scope=code.scope,
        )
        body.update(refresh_token=refresh_token.value, refresh_token_expires_in=config.refresh_token_ttl_s)
    return JSONResponse(body)


def refresh(state: EmulatorState, fields: dict[str, str]) -> JSONResponse:
    try:
        token = state.tokens.lookup(fields.get("refresh_token", ""), "linkedin", "refresh")
    except TokenRejected:
        return oauth_error(400, "invalid_request", "The provided refresh token is invalid or has expired")
    if token.client_id != fields["client_id"]:
        return oauth_error(400, "invalid_request", "The provided refresh token was issued to another client")
    ttl = state.config.linkedin.access_token_ttl_s
    access = state.tokens.issue(
        "linkedin",
        "access",
        token.identity,
        client_id=token.client_id,
        ttl_s=ttl,
        family=token.family,
        scope=token.scope,
    )
    remaining = round((token.expires_at or state.clock.now()) - state.clock.now())
    # The refresh token keeps its original expiry: LinkedIn does not extend it on refresh.
    return JSONResponse(
        {
            "access_token": access.value,
            "expires_in": ttl,
            "refresh_token": token.value,
            "refresh_token_expires_in": remaining,
            "scope": token.scope,
        }
    )


@router.post("/oauth/v2/introspectToken", name="oauth_introspect")
async def introspect(request: Request) -> JSONResponse:
    state = get_state(request)
    fields = await form_fields(request)
    try:
        token = state.tokens.lookup(fields.get("token", ""), "linkedin", "access")
    except TokenRejected as rejected:
        status = {"expired": "expired", "revoked": "revoked"}.get(rejected.problem)
        return JSONResponse({"active": False, **({"status": status} if status else {})})
    return JSONResponse(
        {
            "active": True,
            "client_id": token.client_id,
            "status": "active",
            "scope": token.scope.replace(" ", ","),
            "auth_type": "3L",
            "expires_at": int(token.expires_at or 0),
        }
    )


@router.get("/v2/userinfo", name="userinfo")
async def userinfo(request: Request) -> JSONResponse:
    state = get_state(request)
    identity = authenticate(state, request)
    member = identity.subject.rsplit(":", 1)[-1]
    return JSONResponse(
        {
            "sub": member,
            "name": f"Herald {member.title()}",
            "given_name": "Herald",
            "family_name": member.title(),
            "locale": {"country": "US", "language": "en"},
            "email": f"{member}@example.com",
            "email_verified": True,
        }
    )

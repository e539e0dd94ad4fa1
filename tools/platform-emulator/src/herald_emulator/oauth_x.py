"""X OAuth 2.0 Authorization Code with PKCE (reference 2.6).

Authorize auto-consents as `twitter.default_username` (or the emulator-only `emulator_user`
parameter). Refresh tokens are single-use: presenting a rotated one again fails with
invalid_request and revokes every token of that grant ("family").
"""

import base64
import binascii
import hashlib
import hmac
import secrets

from fastapi import Request
from fastapi.responses import JSONResponse, Response

from herald_emulator.oauth_common import form_fields, oauth_error, redirect_with
from herald_emulator.routing import platform_router
from herald_emulator.state import EmulatorState, get_state
from herald_emulator.tokens import AuthorizationCode, Identity, IssuedToken, TokenRejected, x_user_id

router = platform_router("twitter")

_CODE_TTL_S = 30


@router.get("/i/oauth2/authorize", name="oauth_authorize")
async def authorize(request: Request) -> Response:
    state = get_state(request)
    params = request.query_params
    required = ("response_type", "client_id", "redirect_uri", "scope", "state", "code_challenge")
    missing = [name for name in required if not params.get(name)]
    method = params.get("code_challenge_method", "plain")
    if missing or params["response_type"] != "code" or method not in {"S256", "plain"}:
        return oauth_error(
            400, "invalid_request", f"Missing or invalid parameters: {', '.join(missing) or 'response_type'}"
        )
    username = params.get("emulator_user") or state.config.twitter.default_username
    scope = params["scope"]
    code = AuthorizationCode(
        code=secrets.token_urlsafe(48),
        platform="twitter",
        client_id=params["client_id"],
        redirect_uri=params["redirect_uri"],
        identity=Identity("twitter", x_user_id(username), username, scopes=frozenset(scope.split())),
        scope=scope,
        expires_at=state.clock.now() + _CODE_TTL_S,
        code_challenge=params["code_challenge"],
        code_challenge_method=method,
    )
    state.tokens.issue_code(code)
    return redirect_with(params["redirect_uri"], {"state": params["state"], "code": code.code})


@router.post("/2/oauth2/token", name="oauth_token")
async def token(request: Request) -> JSONResponse:
    state = get_state(request)
    fields = await form_fields(request)
    client_id = authenticated_client(state, request, fields)
    if client_id is None:
        return oauth_error(401, "unauthorized_client", "Missing valid authorization header")
    grant = fields.get("grant_type")
    if grant == "authorization_code":
        return exchange_code(state, client_id, fields)
    if grant == "refresh_token":
        return rotate_refresh_token(state, client_id, fields.get("refresh_token", ""))
    return oauth_error(400, "invalid_request", "Value passed for the grant_type was invalid.")


def authenticated_client(state: EmulatorState, request: Request, fields: dict[str, str]) -> str | None:
    """The client id, or None when a confidential client failed to authenticate with Basic."""
    header = request.headers.get("authorization", "")
    registered = state.config.twitter.oauth2_clients
    if header.lower().startswith("basic "):
        try:
            client_id, _, secret = base64.b64decode(header[6:]).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return None
        expected = registered.get(client_id)
        if expected is not None and not hmac.compare_digest(expected, secret):
            return None
        return client_id
    client_id = fields.get("client_id", "")
    if not client_id or registered.get(client_id) is not None:
        return None
    return client_id


def exchange_code(state: EmulatorState, client_id: str, fields: dict[str, str]) -> JSONResponse:
    code = state.tokens.codes.get(fields.get("code", ""))
    valid = (
        code is not None
        and code.platform == "twitter"
        and not code.used
        and code.expires_at > state.clock.now()
        and code.client_id == client_id
        and code.redirect_uri == fields.get("redirect_uri")
        and pkce_matches(code, fields.get("code_verifier", ""))
    )
    if not valid or code is None:
        return oauth_error(400, "invalid_request", "Value passed for the authorization code was invalid.")
    code.used = True
    return token_response(state, code.identity, client_id, code.scope, family=None)


def pkce_matches(code: AuthorizationCode, verifier: str) -> bool:
    if not verifier or code.code_challenge is None:
        return False
    if code.code_challenge_method == "S256":
        digest = hashlib.sha256(verifier.encode()).digest()
        computed = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
        return hmac.compare_digest(computed, code.code_challenge)
    return hmac.compare_digest(verifier, code.code_challenge)


def rotate_refresh_token(state: EmulatorState, client_id: str, value: str) -> JSONResponse:
    invalid = oauth_error(400, "invalid_request", "Value passed for the token was invalid.")
    try:
        presented = state.tokens.lookup(value, "twitter", "refresh")
    except TokenRejected:
        return invalid
    if presented.client_id != client_id:
        return invalid
    if presented.used:
        state.tokens.revoke_family(presented.family)  # reuse looks like theft: end the whole grant
        return invalid
    presented.used = True
    return token_response(state, presented.identity, client_id, presented.scope, family=presented.family)


def token_response(
    state: EmulatorState, identity: Identity, client_id: str, scope: str, family: str | None
) -> JSONResponse:
    ttl = state.config.twitter.access_token_ttl_s
    access = state.tokens.issue(
        "twitter", "access", identity, client_id=client_id, ttl_s=ttl, family=family, scope=scope
    )
    body: dict[str, object] = {
        "token_type": "bearer",
        "expires_in": ttl,
        "access_token": access.value,
        "scope": scope,
    }
    if "offline.access" in scope.split():
        refresh: IssuedToken = state.tokens.issue(
            "twitter", "refresh", identity, client_id=client_id, ttl_s=None, family=access.family, scope=scope
        )
        body["refresh_token"] = refresh.value
    return JSONResponse(body)


@router.post("/2/oauth2/revoke", name="oauth_revoke")
async def revoke(request: Request) -> JSONResponse:
    state = get_state(request)
    fields = await form_fields(request)
    issued = state.tokens.tokens.get(fields.get("token", ""))
    if issued is not None and issued.platform == "twitter":
        issued.revoked = True
    return JSONResponse({"revoked": True})

"""Meta login: the OAuth dialog (auto-consent), code and long-lived token exchange, and `/me/accounts`.

`/me/accounts` lists the configured pages (`facebook.pages`) with fresh Page tokens; a Page
token never expires, as with a long-lived user token on the real platform.
"""

import secrets

from fastapi import Request
from fastapi.responses import JSONResponse, Response

from herald_emulator.errors import graph_error
from herald_emulator.graph import graph_call, graph_route, select_fields
from herald_emulator.oauth_common import consent_redirect
from herald_emulator.routing import platform_router
from herald_emulator.state import EmulatorState, get_state
from herald_emulator.tokens import AuthorizationCode, Identity, TokenRejected

router = platform_router("facebook")

_CODE_TTL_S = 600


@graph_route(router, "GET", "/dialog/oauth", name="oauth_dialog")
async def dialog(request: Request) -> Response:
    state = get_state(request)
    params = request.query_params
    if not params.get("client_id") or not params.get("redirect_uri"):
        raise graph_error(400, "Invalid App ID / redirect_uri", 100)
    config = state.config.facebook
    code = AuthorizationCode(
        code=secrets.token_urlsafe(48),
        platform="meta",
        client_id=params["client_id"],
        redirect_uri=params["redirect_uri"],
        identity=Identity(
            "meta", config.user_id, config.user_name, scopes=frozenset(params.get("scope", "").split(","))
        ),
        scope=params.get("scope", ""),
        expires_at=state.clock.now() + _CODE_TTL_S,
    )
    return consent_redirect(state, code, params.get("state"))


@graph_route(router, "GET", "/oauth/access_token", name="oauth_access_token")
async def access_token(request: Request) -> JSONResponse:
    state = get_state(request)
    params = request.query_params
    if not params.get("client_id") or not params.get("client_secret"):
        raise graph_error(400, "Missing client_id or client_secret parameter.", 101)
    if params.get("grant_type") == "fb_exchange_token":
        return exchange_for_long_lived(state, params.get("fb_exchange_token", ""), params["client_id"])
    code = state.tokens.codes.get(params.get("code", ""))
    if code is None or code.platform != "meta" or code.expires_at <= state.clock.now():
        raise graph_error(400, "Invalid verification code format.", 100)
    if code.used:
        raise graph_error(400, "This authorization code has been used.", 100, 36009)
    if code.redirect_uri != params.get("redirect_uri") or code.client_id != params["client_id"]:
        raise graph_error(
            400,
            "Error validating verification code. Please make sure your redirect_uri is identical "
            "to the one you used in the OAuth dialog request",
            100,
            36008,
        )
    code.used = True
    ttl = state.config.facebook.short_lived_user_token_ttl_s
    token = state.tokens.issue(
        "meta", "access", code.identity, client_id=code.client_id, ttl_s=ttl, scope=code.scope
    )
    return JSONResponse({"access_token": token.value, "token_type": "bearer", "expires_in": ttl})


def exchange_for_long_lived(state: EmulatorState, value: str, client_id: str) -> JSONResponse:
    try:
        short = state.tokens.lookup(value, "meta", "access")
    except TokenRejected:
        raise graph_error(400, "Invalid OAuth access token - Cannot parse access token", 190) from None
    if short.identity.kind != "user":
        raise graph_error(400, "(#100) Only user access tokens can be exchanged", 100)
    ttl = state.config.facebook.long_lived_user_token_ttl_s
    token = state.tokens.issue(
        "meta",
        "access",
        short.identity,
        client_id=client_id,
        ttl_s=ttl,
        family=short.family,
        scope=short.scope,
    )
    return JSONResponse({"access_token": token.value, "token_type": "bearer", "expires_in": ttl})


@graph_route(router, "GET", "/me/accounts", name="me_accounts")
async def me_accounts(request: Request) -> JSONResponse:
    state, params, identity = await graph_call(request)
    if identity.kind == "page":
        raise graph_error(400, "(#100) Tried accessing nonexisting field (accounts) on node type (Page)", 100)
    data = []
    for page in state.config.facebook.pages:
        page_identity = Identity(
            "meta", page.id, page.name, kind="page", page_id=page.id, scopes=identity.scopes
        )
        page_token = state.tokens.issue("meta", "access", page_identity, client_id="meta", ttl_s=None)
        available = {
            "id": page.id,
            "name": page.name,
            "access_token": page_token.value,
            "category": "Software",
            "tasks": ["ADVERTISE", "ANALYZE", "CREATE_CONTENT", "MESSAGING", "MODERATE", "MANAGE"],
            "instagram_business_account": (
                {"id": page.instagram_business_account} if page.instagram_business_account else None
            ),
        }
        data.append(
            select_fields(
                available, params.text("fields"), ("access_token", "category", "name", "id", "tasks")
            )
        )
    return JSONResponse({"data": data, "paging": {"cursors": {"before": "QVFIU", "after": "QVFIU"}}})


@graph_route(router, "GET", "/me", name="me")
async def me(request: Request) -> JSONResponse:
    identity = (await graph_call(request)).identity
    if identity.kind == "page" and identity.page_id:
        return JSONResponse({"id": identity.page_id, "name": identity.name})
    return JSONResponse({"id": identity.subject, "name": identity.name})

"""Routes for connecting, listing and disconnecting social accounts."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import JSONResponse, RedirectResponse

from herald_common.platforms import Platform
from herald_gateway.accounts import browser_binding
from herald_gateway.accounts.link_caller import PersonOrLink, links
from herald_gateway.accounts.schemas import AccountView, AuthorizationLink, AuthorizationStart, Connected
from herald_gateway.accounts.service import AccountsService
from herald_gateway.auth.dependencies import CurrentCaller, CurrentPerson
from herald_gateway.openapi import problem_response, problems
from herald_gateway.problems import Unprocessable, app_part
from herald_gateway.ratelimit import limited, limited_by_ip

router = APIRouter(tags=["accounts"])
_LOCATION = {"Location": {"description": "where the browser goes next", "schema": {"type": "string"}}}


def service(request: Request) -> AccountsService:
    accounts: AccountsService = app_part(request, "accounts", "connected accounts")
    return accounts


@router.post(
    "/api/oauth/{platform}/links",
    dependencies=[Depends(limited("rate_limit_other"))],
    status_code=201,
    response_model=AuthorizationLink,
    responses=problems(403, 404, 503),
    operation_id="createAccountConnectionLink",
    summary="A short-lived, single-use authorize URL a browser can open without a bearer header",
)
async def create_link(
    platform: Platform, request: Request, caller: CurrentPerson, business_id: int | None = None
) -> AuthorizationLink:
    service(request)  # links exist only where accounts can be connected
    token = links(request).mint(caller, platform, business_id)
    settings = request.app.state.settings
    base = settings.oauth_redirect_base_url.rstrip("/")
    return AuthorizationLink(
        url=f"{base}/api/oauth/{platform.value}/authorize?link={token}",
        expires_in=settings.oauth_link_ttl_seconds,
    )


@router.get(
    "/api/oauth/{platform}/authorize",
    status_code=302,
    response_model=None,
    responses={
        302: {"description": "To the platform's consent page", "headers": _LOCATION},
        200: {"model": AuthorizationStart, "description": "With ?format=json: the consent page's URL"},
        401: {
            **problem_response(401),
            "description": "No credentials, or a link that is altered, expired, used or for "
            "another platform (the problem's `type` says which)",
        },
        **problems(403, 404, 503),
    },
    operation_id="startAccountConnection",
    summary="Send the user to the platform's consent page (JSON with ?format=json)",
    description="With credentials, as the signed-in person. Without any (a plain browser "
    "navigation), `link` must carry a token from POST /api/oauth/{platform}/links; an expired, "
    "altered, reused or other platform's link is a 401 problem whose `type` says which.",
)
async def authorize(
    platform: Platform,
    request: Request,
    caller: PersonOrLink,
    business_id: int | None = None,
    format: Annotated[str | None, Query(pattern="^(json|redirect)$")] = None,
) -> Response:
    secret = browser_binding.browser_secret(request)
    url = await service(request).start(
        caller, platform, business_id, browser=browser_binding.fingerprint(secret)
    )
    settings = request.app.state.settings
    ttl = settings.oauth_state_ttl_seconds
    response: Response = (
        JSONResponse(AuthorizationStart(authorization_url=url, expires_in=ttl).model_dump())
        if format == "json"
        else RedirectResponse(url, status_code=302)
    )
    secure = settings.oauth_redirect_base_url.startswith("https://")
    browser_binding.set_cookie(response, secret, max_age=ttl, secure=secure)
    return response


@router.get(
    "/api/oauth/{platform}/callback",
    dependencies=[Depends(limited_by_ip("rate_limit_unauthenticated"))],
    response_model=Connected,
    responses={
        302: {
            "description": "To the dashboard, when HERALD_OAUTH_SUCCESS_REDIRECT is set",
            "headers": _LOCATION,
        },
        **problems(429, 502, 503),
    },
    operation_id="finishAccountConnection",
    summary="Where the platform sends the user back (state is checked)",
)
async def callback(
    platform: Platform,
    request: Request,
    code: str = "",
    state: str = "",
    error: str | None = None,
    error_description: str | None = None,
) -> Response:
    if error:
        raise Unprocessable(f"{platform.value} did not grant access: {error_description or error}")
    if not code or not state:
        raise Unprocessable("the callback needs `code` and `state`")
    accounts = await service(request).finish(
        platform, code, state, from_browser=lambda expected: browser_binding.same_browser(request, expected)
    )
    success = request.app.state.settings.oauth_success_redirect
    # A browser (the dashboard's consent tab) goes on to a page; an API client gets the accounts as JSON.
    if success and "text/html" in request.headers.get("accept", ""):
        return RedirectResponse(f"{success}?connected={platform.value}", status_code=302)
    return JSONResponse(Connected(accounts=accounts).model_dump(mode="json"))


@router.get(
    "/api/v2/accounts",
    dependencies=[Depends(limited("rate_limit_other"))],
    response_model=list[AccountView],
    responses=problems(404, 503),
    operation_id="listAccounts",
    summary="Connected accounts of your businesses",
)
async def list_accounts(
    request: Request, caller: CurrentCaller, business_id: int | None = None
) -> list[AccountView]:
    return await service(request).list(caller, business_id)


@router.delete(
    "/api/v2/accounts/{account_id}",
    dependencies=[Depends(limited("rate_limit_other"))],
    status_code=204,
    responses=problems(403, 404, 503),
    operation_id="disconnectAccount",
    summary="Disconnect an account (its tokens are deleted)",
)
async def disconnect(account_id: str, request: Request, caller: CurrentPerson) -> Response:
    await service(request).disconnect(caller, account_id)
    return Response(status_code=204)


@router.put(
    "/api/v2/accounts/{account_id}/default",
    dependencies=[Depends(limited("rate_limit_other"))],
    response_model=AccountView,
    responses=problems(404, 503),
    operation_id="makeAccountDefault",
    summary="Post under this account when a post names none for its platform",
)
async def make_default(account_id: str, request: Request, caller: CurrentCaller) -> AccountView:
    return await service(request).make_default(caller, account_id)

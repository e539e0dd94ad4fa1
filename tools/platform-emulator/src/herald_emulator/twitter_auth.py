"""X authentication (OAuth 2.0 user bearer tokens or verified OAuth 1.0a signatures) and rate limits."""

from typing import Any
from urllib.parse import parse_qsl

from fastapi import Request

from herald_emulator.bearer import bearer_token
from herald_emulator.errors import x_invalid_request, x_rate_limited, x_unauthorized
from herald_emulator.oauth1 import expected_signature, parse_authorization_header, signatures_match
from herald_emulator.routing import set_extra_headers
from herald_emulator.state import EmulatorState
from herald_emulator.tokens import Identity, TokenRejected, x_user_id

DAY_S = 86_400


async def authenticate(state: EmulatorState, request: Request) -> Identity:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("oauth "):
        return await verify_oauth1(state, request, header)
    try:
        return state.tokens.authenticate("twitter", bearer_token(request))
    except TokenRejected:
        raise x_unauthorized() from None


async def verify_oauth1(state: EmulatorState, request: Request, header: str) -> Identity:
    config = state.config.twitter
    try:
        oauth = parse_authorization_header(header)
    except ValueError:
        raise x_unauthorized() from None
    consumer_secret = config.oauth1_consumers.get(oauth.get("oauth_consumer_key", ""))
    token = config.oauth1_tokens.get(oauth.get("oauth_token", ""))
    if consumer_secret is None or token is None or oauth.get("oauth_signature_method") != "HMAC-SHA1":
        raise x_unauthorized()
    if config.oauth1_max_clock_skew_s is not None:
        timestamp = oauth.get("oauth_timestamp", "")
        if (
            not timestamp.isdigit()
            or abs(int(timestamp) - state.clock.now()) > config.oauth1_max_clock_skew_s
        ):
            raise x_unauthorized()
    params = parse_qsl(request.url.query, keep_blank_values=True)
    if request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        params += parse_qsl((await request.body()).decode(), keep_blank_values=True)
    candidate_urls = [str(request.url)] + [
        origin + request.url.path for origin in config.oauth1_canonical_origins
    ]
    presented = oauth.get("oauth_signature", "")
    for url in candidate_urls:
        expected = expected_signature(request.method, url, oauth, params, consumer_secret, token["secret"])
        if signatures_match(presented, expected):
            username = token.get("username", config.default_username)
            return Identity("twitter", x_user_id(username), username, scopes=frozenset({"oauth1"}))
    raise x_unauthorized()


def apply_rate_limit(
    state: EmulatorState,
    request: Request,
    identity: Identity,
    endpoint: str,
    limit: int,
    *,
    daily_caps: bool = False,
) -> None:
    """Counts the call and sets X's headers on whatever response follows; 429 when over a limit."""
    config = state.config.twitter
    now = state.clock.now()
    if not state.rate_limits_on:
        headers = {
            "x-rate-limit-limit": limit,
            "x-rate-limit-remaining": limit,
            "x-rate-limit-reset": int(now + config.window_s),
        }
        if daily_caps:
            headers.update(_daily_headers("user", config.user_24h_limit, config.user_24h_limit, now + DAY_S))
            headers.update(_daily_headers("app", config.app_24h_limit, config.app_24h_limit, now + DAY_S))
        set_extra_headers(request, headers)
        return
    window = state.limits.windows.hit(f"x:{endpoint}:{identity.subject}", limit, config.window_s, now)
    headers = {
        "x-rate-limit-limit": window.limit,
        "x-rate-limit-remaining": window.remaining,
        "x-rate-limit-reset": int(window.reset_at),
    }
    exceeded = window.exceeded
    if daily_caps:
        user = state.limits.windows.hit(f"x:24h:user:{identity.subject}", config.user_24h_limit, DAY_S, now)
        app = state.limits.windows.hit("x:24h:app", config.app_24h_limit, DAY_S, now)
        headers.update(_daily_headers("user", user.limit, user.remaining, user.reset_at))
        headers.update(_daily_headers("app", app.limit, app.remaining, app.reset_at))
        exceeded = exceeded or user.exceeded or app.exceeded
    set_extra_headers(request, headers)
    if exceeded:
        raise x_rate_limited({name: str(value) for name, value in headers.items()})


def _daily_headers(scope: str, limit: int, remaining: int, reset_at: float) -> dict[str, int]:
    return {
        f"x-{scope}-limit-24hour-limit": limit,
        f"x-{scope}-limit-24hour-remaining": remaining,
        f"x-{scope}-limit-24hour-reset": int(reset_at),
    }


async def json_body(request: Request) -> dict[str, Any]:
    """The request's JSON object, or X's invalid-request problem."""
    try:
        body = await request.json()
    except ValueError:
        raise x_invalid_request("Request body is not valid JSON") from None
    if not isinstance(body, dict):
        raise x_invalid_request("$: must be a JSON object")
    return body

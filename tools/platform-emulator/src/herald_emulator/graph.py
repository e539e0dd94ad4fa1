"""What Facebook Pages and Instagram share: Graph paths, parameters, tokens and usage headers.

Graph paths work with and without a version prefix (`/v25.0/{id}/feed` and `/{id}/feed`); two
path convertors keep those catch-all routes from shadowing LinkedIn's and X's literal paths.
"""

import json
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, NamedTuple

from fastapi import APIRouter, Request
from starlette.convertors import CONVERTOR_TYPES, Convertor, register_url_convertor
from starlette.datastructures import UploadFile

from herald_emulator.bearer import bearer_token
from herald_emulator.config import MetaPage
from herald_emulator.errors import EmulatedError, graph_error, graph_token_error
from herald_emulator.ratelimits import usage_percent
from herald_emulator.routing import set_extra_headers
from herald_emulator.state import EmulatorState, get_state
from herald_emulator.tokens import Identity, TokenRejected


class GraphVersionConvertor(Convertor[str]):
    regex = r"v[0-9]+\.[0-9]+"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


class GraphIdConvertor(GraphVersionConvertor):
    regex = r"me|[0-9]+(?:_[0-9]+)?"


def register_graph_convertors() -> None:
    if "graph_version" not in CONVERTOR_TYPES:
        register_url_convertor("graph_version", GraphVersionConvertor())
        register_url_convertor("graph_id", GraphIdConvertor())


# Routes below are compiled when their modules import, so the convertors must exist by then.
register_graph_convertors()


def graph_route(router: APIRouter, method: str, path: str, name: str) -> Callable[[Any], Any]:
    """Registers a handler under both `/{version}{path}` and `{path}`."""

    def decorate(handler: Any) -> Any:
        for full_path in (f"/{{version:graph_version}}{path}", path):
            router.add_api_route(full_path, handler, methods=[method], name=name)
        return handler

    return decorate


@dataclass
class GraphParams:
    values: dict[str, Any]
    files: dict[str, bytes] = field(default_factory=dict)

    def get(self, name: str, default: Any = None) -> Any:
        return self.values.get(name, default)

    def text(self, name: str) -> str | None:
        value = self.values.get(name)
        return None if value is None else str(value)


async def graph_params(request: Request) -> GraphParams:
    """Query string, form (urlencoded or multipart) and JSON body merged, as Graph accepts all three."""
    values: dict[str, Any] = dict(request.query_params)
    files: dict[str, bytes] = {}
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("application/json"):
        try:
            body = await request.json()
        except ValueError:
            raise graph_error(400, "(#100) Invalid JSON body", 100) from None
        if isinstance(body, dict):
            values.update(body)
    elif content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()
        for key, value in form.multi_items():
            if isinstance(value, UploadFile):
                files[key] = await value.read()
            else:
                values[key] = value
    return GraphParams(values, files)


def authenticate(state: EmulatorState, request: Request, params: GraphParams) -> Identity:
    token = params.text("access_token") or bearer_token(request) or oauth_header_token(request)
    try:
        return state.tokens.authenticate("meta", token)
    except TokenRejected as rejected:
        raise graph_token_error(rejected.problem) from None


class GraphCall(NamedTuple):
    """What every Graph handler starts from: the state, the merged parameters and the caller."""

    state: EmulatorState
    params: GraphParams
    identity: Identity


async def graph_call(request: Request) -> GraphCall:
    """Reads the parameters and authenticates the caller (a bad token is Graph's OAuthException)."""
    state = get_state(request)
    params = await graph_params(request)
    return GraphCall(state, params, authenticate(state, request, params))


def oauth_header_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    return header[6:].strip() or None if header.startswith("OAuth ") else None


def parse_bool(value: Any, default: bool) -> bool:
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in {"true", "1", "yes"}


def parse_list(value: Any) -> list[Any]:
    """Graph list parameters arrive as JSON arrays, JSON strings or comma-separated text."""
    if value is None:
        return []
    if isinstance(value, list):
        return value
    text = str(value).strip()
    if text.startswith("["):
        try:
            parsed = json.loads(text)
        except ValueError:
            raise graph_error(400, "(#100) Invalid list parameter", 100) from None
        return parsed if isinstance(parsed, list) else [parsed]
    return [item.strip() for item in text.split(",") if item.strip()]


def find_page(state: EmulatorState, page_id: str) -> MetaPage | None:
    return next((page for page in state.config.facebook.pages if page.id == page_id), None)


def resolve_page_id(state: EmulatorState, identity: Identity, node: str) -> str:
    if node != "me":
        return node
    if identity.kind == "page":
        return identity.page_id or state.config.facebook.pages[0].id
    raise graph_error(400, "(#100) Tried accessing nonexisting field on node type (User)", 100)


def require_page_token(state: EmulatorState, identity: Identity, page_id: str) -> None:
    """Publishing to a Page needs that Page's token; user tokens get the (#200) permission error."""
    if identity.kind != "page":
        raise graph_error(
            403,
            "(#200) If posting to a page, requires both pages_read_engagement and pages_manage_posts "
            "as an admin with sufficient administrative permission",
            200,
        )
    if identity.is_dev:
        return
    if identity.page_id != page_id or find_page(state, page_id) is None:
        raise graph_error(
            403, "(#200) The user hasn't authorized the application to perform this action", 200
        )


def count_usage(
    state: EmulatorState, request: Request, identity: Identity, usage_type: str, owner_id: str
) -> None:
    """Adds Meta's usage header for this token type and throttles when a budget is spent.

    Page tokens are metered per Page (or IG account) under Business Use Case limits and get
    `X-Business-Use-Case-Usage`; user tokens share the app's budget and get `X-App-Usage`.
    """
    config = state.config.facebook
    now = state.clock.now()
    if identity.kind == "page":
        key, limit = f"meta:{usage_type}:{owner_id}", config.page_calls_per_window
    else:
        key, limit = "meta:app", config.app_calls_per_window
    counting = state.rate_limits_on
    used = state.limits.rolling.count(key, config.usage_window_s, now) if counting else 0
    percent = usage_percent(used + 1 if counting else 0, limit)
    oldest = state.limits.rolling.oldest(key)
    regain_min = math.ceil((oldest + config.usage_window_s - now) / 60) if used >= limit and oldest else 0
    if identity.kind == "page":
        usage = {
            owner_id: [
                {"type": usage_type, "call_count": percent, "total_cputime": percent // 2,
                 "total_time": percent // 2, "estimated_time_to_regain_access": regain_min}
            ]
        }  # fmt: skip
        headers = {"x-business-use-case-usage": json.dumps(usage, separators=(",", ":"))}
    else:
        app_usage = {"call_count": percent, "total_time": percent // 2, "total_cputime": percent // 2}
        headers = {"x-app-usage": json.dumps(app_usage, separators=(",", ":"))}
    set_extra_headers(request, headers)
    if not counting:
        return
    if used >= limit:
        raise throttled(config.throttle_code if identity.kind == "page" else 4)
    state.limits.rolling.add(key, now)


def throttled(code: int) -> EmulatedError:
    messages = {
        4: "(#4) Application request limit reached",
        17: "(#17) User request limit reached",
        32: "(#32) Page request limited reached",
        80001: "(#80001) There have been too many calls to this Page account. Wait a bit and try again. "
        "For more info, please refer to https://developers.facebook.com/docs/graph-api/overview/rate-limiting.",
    }
    return graph_error(
        400, messages.get(code, "Calls to this api have exceeded the rate limit."), code, transient=True
    )


def graph_time(ts: float) -> str:
    return datetime.fromtimestamp(ts, tz=UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")


def select_fields(available: dict[str, Any], fields: str | None, default: tuple[str, ...]) -> dict[str, Any]:
    wanted = [name.strip() for name in fields.split(",")] if fields else list(default)
    selected = {name: available[name] for name in wanted if name in available and available[name] is not None}
    selected.setdefault("id", available.get("id"))
    return selected


def node_platform(request: Request, default: str) -> str:
    """ "instagram" when the `{node}` path parameter is an Instagram object, else `default`."""
    node = str(request.path_params.get("node", ""))
    state: EmulatorState = request.app.state.emulator
    is_instagram = (
        node in state.ig_containers
        or state.objects.get("instagram", node) is not None
        or any(page.instagram_business_account == node for page in state.config.facebook.pages)
    )
    return "instagram" if is_instagram else default

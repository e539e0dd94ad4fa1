"""Route class shared by every emulated endpoint.

It applies injected faults before the handler runs, renders platform errors, adds headers the
handler asked for (X rate-limit headers, Meta usage headers, also on errors) and logs the call
for the inspection API. Handlers only deal with the happy path and raise EmulatedError.
"""

from collections.abc import Callable, Coroutine
from typing import Any, ClassVar

from fastapi import APIRouter, Request
from fastapi.responses import Response
from fastapi.routing import APIRoute

from herald_emulator.errors import EmulatedError
from herald_emulator.faults import DroppedResponse, apply_before_call
from herald_emulator.state import CallRecord, get_state

PlatformResolver = Callable[[Request, str], str]


class PlatformRoute(APIRoute):
    platform: ClassVar[str] = ""
    # Graph paths such as `/{id}/comments` serve Facebook and Instagram alike; a resolver picks
    # the platform per request so faults and the call log see the right one. (Kept in a tuple:
    # a bare function stored on the class would be bound as a method.)
    resolvers: ClassVar[tuple[PlatformResolver, ...]] = ()

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handle_endpoint = super().get_route_handler()
        endpoint = self.name

        async def handle(request: Request) -> Response:
            state = get_state(request)
            platform = self.resolvers[0](request, self.platform) if self.resolvers else self.platform
            rules = state.faults.take(platform, endpoint, request.url.path)
            drop = None
            try:
                drop = await apply_before_call(rules, platform, state.config.faults.hold_s, state.clock.now())
                response = await handle_endpoint(request)
            except EmulatedError as error:
                response = error.to_response()
            for name, value in extra_headers(request).items():
                response.headers.setdefault(name, value)
            state.calls.append(
                CallRecord(
                    platform,
                    endpoint,
                    request.method,
                    request.url.path,
                    response.status_code,
                    state.clock.now(),
                )
            )
            if drop is not None and response.status_code < 400:
                return DroppedResponse(response, drop, state.config.faults.hold_s)
            return response

        return handle


def platform_router(platform: str, resolver: PlatformResolver | None = None) -> APIRouter:
    attributes: dict[str, Any] = {"platform": platform, "resolvers": (resolver,) if resolver else ()}
    route_class = type(f"{platform.title()}Route", (PlatformRoute,), attributes)
    return APIRouter(route_class=route_class)


def extra_headers(request: Request) -> dict[str, str]:
    headers: dict[str, str] = getattr(request.state, "emulator_headers", {})
    return headers


def set_extra_headers(request: Request, headers: dict[str, Any]) -> None:
    """Headers to send with whatever response this request ends in, error or not."""
    current = dict(extra_headers(request))
    current.update({name: str(value) for name, value in headers.items()})
    request.state.emulator_headers = current

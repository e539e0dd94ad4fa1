"""Injected failures: rules that make the next N matching calls slow, fail, or lose their response.

`drop_after_create` lets the call succeed (the object IS created) and then withholds the response:
the server holds the request for `latency_ms` (default `faults.hold_s`), then either answers
504 Gateway Timeout (`mode: "504"`, the default) or breaks the connection mid-response
(`mode: "reset"`). A client whose timeout is shorter than the hold sees a read timeout; one with
a longer timeout sees the 504 or a dropped connection. `timeout` does the same but creates nothing.
"""

import asyncio
import fnmatch
import itertools
import math
from typing import Any, Literal

from fastapi.responses import Response
from pydantic import BaseModel, Field
from starlette.types import Receive, Scope, Send

from herald_emulator.errors import (
    EmulatedError,
    graph_error,
    graph_token_error,
    linkedin_error,
    linkedin_throttled,
    linkedin_token_error,
    reason,
    x_problem,
    x_rate_limited,
    x_unauthorized,
)

FaultPlatform = Literal["linkedin", "twitter", "facebook", "instagram"]
FaultKind = Literal["latency", "status", "rate_limit", "timeout", "drop_after_create", "expired_token"]
_TERMINAL_KINDS = {"status", "rate_limit", "timeout", "expired_token"}


class FaultRule(BaseModel):
    platform: FaultPlatform
    kind: FaultKind
    endpoint: str | None = None  # glob on the endpoint name (e.g. "create_post") or the path
    count: int | None = Field(default=1, description="calls it applies to; null = until cleared")
    status: int | None = None
    latency_ms: int | None = None
    retry_after_s: float | None = None
    reset_in_s: float | None = None
    code: int | None = None  # Graph error code override
    subcode: int | None = None
    message: str | None = None
    body: dict[str, Any] | None = None  # verbatim response body for kind=status
    variant: Literal["expired", "revoked", "invalid"] = "expired"  # for kind=expired_token
    mode: Literal["504", "reset"] = "504"  # for kind=drop_after_create
    id: str = ""
    hits: int = 0

    def matches(self, platform: str, endpoint: str, path: str) -> bool:
        if self.platform != platform:
            return False
        if self.endpoint is None:
            return True
        return fnmatch.fnmatchcase(endpoint, self.endpoint) or fnmatch.fnmatchcase(path, self.endpoint)


class FaultRegistry:
    def __init__(self) -> None:
        self._rules: list[FaultRule] = []
        self._ids = itertools.count(1)

    def add(self, rules: list[FaultRule]) -> list[FaultRule]:
        for rule in rules:
            rule.id = f"fault-{next(self._ids)}"
            self._rules.append(rule)
        return rules

    def active(self) -> list[FaultRule]:
        return list(self._rules)

    def clear(self) -> None:
        self._rules.clear()

    def take(self, platform: str, endpoint: str, path: str) -> list[FaultRule]:
        """Rules that apply to this call, each consuming one of its `count`."""
        taken: list[FaultRule] = []
        terminal_taken = False
        for rule in list(self._rules):
            if not rule.matches(platform, endpoint, path):
                continue
            is_terminal = rule.kind in _TERMINAL_KINDS or rule.kind == "drop_after_create"
            if is_terminal and terminal_taken:
                continue  # one outcome per call; later rules wait for later calls
            terminal_taken = terminal_taken or is_terminal
            rule.hits += 1
            if rule.count is not None:
                rule.count -= 1
                if rule.count <= 0:
                    self._rules.remove(rule)
            taken.append(rule)
        return taken


async def apply_before_call(
    rules: list[FaultRule], platform: str, hold_s: float, now: float
) -> FaultRule | None:
    """Sleeps or raises as the rules say; returns a `drop_after_create` rule for after the call."""
    drop: FaultRule | None = None
    for rule in rules:
        if rule.kind == "latency":
            await asyncio.sleep((rule.latency_ms or 0) / 1000)
        elif rule.kind == "drop_after_create":
            drop = rule
        elif rule.kind == "timeout":
            await asyncio.sleep(_hold_seconds(rule, hold_s))
            raise gateway_timeout()
        elif rule.kind == "status":
            raise status_error(platform, rule)
        elif rule.kind == "rate_limit":
            raise rate_limit_error(platform, rule, now)
        elif rule.kind == "expired_token":
            raise expired_token_error(platform, rule)
    return drop


def gateway_timeout() -> EmulatedError:
    error = EmulatedError(504, None)
    error.html = "<html><body><h1>504 Gateway Time-out</h1></body></html>"
    return error


def status_error(platform: str, rule: FaultRule) -> EmulatedError:
    status = rule.status or 500
    if rule.body is not None:
        return EmulatedError(status, rule.body)
    if platform == "linkedin":
        return linkedin_error(status, rule.message or reason(status))
    if platform == "twitter":
        return x_problem(status, rule.message)
    transient = status >= 500
    code = rule.code or (2 if transient else 100)
    message = rule.message or (
        "An unexpected error has occurred. Please retry your request later."
        if transient
        else "Invalid parameter"
    )
    return graph_error(status, message, code, rule.subcode, transient=transient)


def rate_limit_error(platform: str, rule: FaultRule, now: float) -> EmulatedError:
    wait_s = rule.reset_in_s or rule.retry_after_s or 900.0
    if platform == "linkedin":
        return linkedin_throttled()
    if platform == "twitter":
        reset = str(int(now + wait_s))
        return x_rate_limited(
            {"x-rate-limit-limit": "100", "x-rate-limit-remaining": "0", "x-rate-limit-reset": reset}
        )
    code = rule.code or (4 if platform == "instagram" else 32)
    messages = {
        4: "(#4) Application request limit reached",
        17: "(#17) User request limit reached",
        32: "(#32) Page request limited reached",
        80001: "(#80001) There have been too many calls to this Page account. Wait a bit and try again.",
    }
    minutes = math.ceil(wait_s / 60)
    usage = '{"*":[{"type":"pages","call_count":100,"total_cputime":100,"total_time":100,'
    usage += f'"estimated_time_to_regain_access":{minutes}}}]}}'
    return graph_error(
        rule.status or 400,
        rule.message or messages.get(code, "Calls to this api have exceeded the rate limit."),
        code,
        rule.subcode,
        transient=True,
        headers={
            "x-business-use-case-usage": usage,
            "x-app-usage": '{"call_count":100,"total_time":100,"total_cputime":100}',
        },
    )


def expired_token_error(platform: str, rule: FaultRule) -> EmulatedError:
    if platform == "linkedin":
        return linkedin_token_error(rule.variant)
    if platform == "twitter":
        return x_unauthorized()
    return graph_token_error(rule.variant)


def _hold_seconds(rule: FaultRule, default_s: float) -> float:
    return rule.latency_ms / 1000 if rule.latency_ms is not None else default_s


class DroppedResponse(Response):
    """Holds the finished response back, then answers 504 or breaks the connection."""

    def __init__(self, original: Response, rule: FaultRule, hold_s: float):
        super().__init__(status_code=504)
        self._original = original
        self._rule = rule
        self._hold_s = _hold_seconds(rule, hold_s)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await asyncio.sleep(self._hold_s)
        if self._rule.mode == "504":
            await gateway_timeout().to_response()(scope, receive, send)
            return
        body = self._original.body or b"{}"
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body) + 64).encode())]
        await send({"type": "http.response.start", "status": self._original.status_code, "headers": headers})
        await send({"type": "http.response.body", "body": body[: len(body) // 2], "more_body": True})
        raise ConnectionDropped("drop_after_create: connection closed before the response was complete")


class ConnectionDropped(Exception):
    """Raised to make the ASGI server abort the connection mid-response."""

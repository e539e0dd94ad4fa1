"""One platform HTTP call: timed for metrics, transport failures turned into outcomes.

A request that may have reached the platform (timeout after sending, dropped connection) is
`maybe_created`: the publisher searches before sending that part again.
"""

from __future__ import annotations

import time
from typing import Any

import httpx

from herald_common.publishing.metrics import PLATFORM_CALLS
from herald_common.publishing.outcomes import RetryableError


async def call(
    http: httpx.AsyncClient, method: str, url: str, *, platform: str, operation: str, **kwargs: Any
) -> httpx.Response:
    start = time.perf_counter()
    outcome = "error"
    try:
        response = await http.request(method, url, **kwargs)
        outcome = str(response.status_code // 100) + "xx"
        return response
    except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
        # Never reached the platform: nothing can have been created.
        raise RetryableError(f"{platform} unreachable: {type(exc).__name__}", code="connect_error") from exc
    except httpx.TimeoutException as exc:
        raise RetryableError(
            f"{platform} did not answer in time", code="timeout", maybe_created=method != "GET"
        ) from exc
    except httpx.TransportError as exc:
        raise RetryableError(
            f"{platform} connection dropped: {type(exc).__name__}",
            code="connection_dropped",
            maybe_created=method != "GET",
        ) from exc
    finally:
        PLATFORM_CALLS.labels(platform, operation, outcome).observe(time.perf_counter() - start)


def server_error(platform: str, response: httpx.Response) -> RetryableError:
    """5xx: the platform may have created the object before failing (seen on Facebook)."""
    return RetryableError(
        f"{platform} answered {response.status_code}: {response.text[:200]}",
        code=f"http_{response.status_code}",
        maybe_created=True,
    )


def json_or_empty(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}

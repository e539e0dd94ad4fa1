"""The gateway serves the event contract it was built with."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from herald_common.events.asyncapi import build_document

pytestmark = pytest.mark.infra


async def test_asyncapi_json_is_the_generated_document(
    gateway_factory: Callable[..., Any], kafka_bootstrap: str
) -> None:
    async with gateway_factory() as client:
        response = await client.get("/asyncapi.json")
    assert response.status_code == 200
    assert response.json() == build_document(kafka_bootstrap)
    assert response.json()["servers"]["local"]["host"] == kafka_bootstrap

"""`POST /api/v2/publish?wait=N`: the previous system's clients get the results in the answer."""

from __future__ import annotations

import httpx
import pytest
from e2e_support import by_platform, created_on, wait_for_status

pytestmark = pytest.mark.e2e


async def test_results_within_the_wait_come_back_as_200(
    api: httpx.AsyncClient, emulator: httpx.AsyncClient
) -> None:
    response = await api.post(
        "/api/v2/publish?wait=15",
        json={"content": "Results in the answer", "platforms": ["linkedin", "twitter"], "business_id": 1},
    )
    assert response.status_code == 200, response.text
    post = response.json()
    assert post["status"] == "published"
    assert response.headers["location"] == f"/api/v2/posts/{post['id']}"
    for platform, target in by_platform(post).items():
        (created,) = await created_on(emulator, platform)
        assert target["platform_post_id"] == created["id"]


async def test_results_later_than_the_wait_give_the_usual_202(
    api: httpx.AsyncClient, emulator: httpx.AsyncClient
) -> None:
    await emulator.post(
        "/_emulator/faults", json=[{"platform": "twitter", "kind": "latency", "latency_ms": 3000}]
    )
    response = await api.post(
        "/api/v2/publish/multi-platform?wait=0.5",
        json={"content": "Slow platform", "platforms": ["twitter"], "business_id": 1},
    )
    assert response.status_code == 202, response.text
    accepted = response.json()
    assert accepted["status"] in {"scheduled", "publishing"}
    post = await wait_for_status(api, accepted["id"])
    assert post["status"] == "published"


async def test_a_wait_over_the_bound_is_a_422(api: httpx.AsyncClient) -> None:
    response = await api.post(
        "/api/v2/publish?wait=31", json={"content": "x", "platforms": ["twitter"], "business_id": 1}
    )
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")

"""Rate limits per caller, shared through Redis by every gateway replica."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import Any

import pytest

pytestmark = pytest.mark.infra


async def test_limit_is_enforced_across_replicas_with_headers(
    gateway_factory: Callable[..., Any], token_for: Callable[..., str]
) -> None:
    headers = {"Authorization": f"Bearer {token_for(user=f'u-{uuid.uuid4()}')}"}
    async with (
        gateway_factory(rate_limit_list="3/minute") as one,
        gateway_factory(rate_limit_list="3/minute") as two,
    ):
        answers = [await (one if i % 2 else two).get("/api/v2/scheduled", headers=headers) for i in range(3)]
        assert [a.status_code for a in answers] == [200, 200, 200]
        assert [int(a.headers["x-ratelimit-remaining"]) for a in answers] == [2, 1, 0]
        assert all(a.headers["x-ratelimit-limit"] == "3" for a in answers)

        refused = await one.get("/api/v2/scheduled", headers=headers)
        assert refused.status_code == 429
        assert refused.headers["content-type"].startswith("application/problem+json")
        assert 1 <= int(refused.headers["retry-after"]) <= 60
        assert refused.headers["x-ratelimit-remaining"] == "0"
        assert int(refused.headers["x-ratelimit-reset"]) > time.time()
        assert refused.json()["status"] == 429

        other_user = {"Authorization": f"Bearer {token_for(user=f'u-{uuid.uuid4()}')}"}
        assert (await two.get("/api/v2/scheduled", headers=other_user)).status_code == 200


async def test_limits_are_per_route(
    gateway_factory: Callable[..., Any], token_for: Callable[..., str]
) -> None:
    headers = {"Authorization": f"Bearer {token_for(user=f'u-{uuid.uuid4()}')}"}
    async with gateway_factory(rate_limit_publish="1/hour") as gateway:
        body = {"content": "hello", "platforms": ["twitter"]}
        assert (await gateway.post("/api/v2/publish", json=body, headers=headers)).status_code == 202
        assert (await gateway.post("/api/v2/publish", json=body, headers=headers)).status_code == 429
        listing = await gateway.get("/api/v2/scheduled", headers=headers)
        assert listing.status_code == 200
        assert listing.headers["x-ratelimit-limit"] == "100"


async def test_switched_off_by_configuration(
    gateway_factory: Callable[..., Any], token_for: Callable[..., str]
) -> None:
    headers = {"Authorization": f"Bearer {token_for(user=f'u-{uuid.uuid4()}')}"}
    async with gateway_factory(rate_limit_list="1/minute", rate_limits_enabled=False) as gateway:
        codes = [(await gateway.get("/api/v2/scheduled", headers=headers)).status_code for _ in range(3)]
    assert codes == [200, 200, 200]


async def test_cors_is_closed_by_default_and_opens_for_configured_origins(
    gateway_factory: Callable[..., Any],
) -> None:
    preflight = {"Origin": "https://app.example", "Access-Control-Request-Method": "POST"}
    async with gateway_factory() as closed:
        response = await closed.options("/api/v2/publish", headers=preflight)
        assert "access-control-allow-origin" not in response.headers
    async with gateway_factory(cors_allow_origins=["https://app.example"]) as open_:
        response = await open_.options("/api/v2/publish", headers=preflight)
        assert response.headers["access-control-allow-origin"] == "https://app.example"


async def test_ietf_ratelimit_fields_beside_the_x_ones(
    gateway_factory: Callable[..., Any], token_for: Callable[..., str]
) -> None:
    headers = {"Authorization": f"Bearer {token_for(user=f'u-{uuid.uuid4()}')}"}
    async with gateway_factory(rate_limit_list="3/minute") as gateway:
        answer = await gateway.get("/api/v2/scheduled", headers=headers)
        assert answer.headers["ratelimit-policy"] == '"list";q=3;w=60'
        name, remaining, reset = answer.headers["ratelimit"].split(";")
        assert name == '"list"' and remaining == "r=2"
        assert 0 < int(reset.removeprefix("t=")) <= 60
        assert answer.headers["x-ratelimit-remaining"] == "2"


async def test_failed_authentications_are_limited_per_address(
    gateway_factory: Callable[..., Any], token_for: Callable[..., str]
) -> None:
    async with gateway_factory(rate_limit_failed_auth="3/minute") as gateway:
        bad = {"Authorization": f"Bearer hk_{uuid.uuid4().hex[:16]}_guess"}
        codes = [(await gateway.get("/api/v2/scheduled", headers=bad)).status_code for _ in range(3)]
        assert codes == [401, 401, 401]
        refused = await gateway.get("/api/v2/scheduled", headers=bad)
        assert refused.status_code == 429
        assert refused.headers["content-type"].startswith("application/problem+json")
        assert 1 <= int(refused.headers["retry-after"]) <= 60
        assert refused.headers["ratelimit-policy"] == '"failed_auth";q=3;w=60'
        # The address is blocked for the window, whatever it sends next.
        good = {"Authorization": f"Bearer {token_for(user=f'u-{uuid.uuid4()}')}"}
        assert (await gateway.get("/api/v2/scheduled", headers=good)).status_code == 429


async def test_a_business_holds_a_bounded_number_of_api_keys(
    gateway_factory: Callable[..., Any], token_for: Callable[..., str]
) -> None:
    business = int(uuid.uuid4().int % 1_000_000) + 1_000
    headers = {"Authorization": f"Bearer {token_for(user=f'u-{uuid.uuid4()}', businesses=(business,))}"}
    async with gateway_factory(api_keys_per_business=2) as gateway:
        made = [
            await gateway.post("/api/v2/api-keys", json={"name": f"k{i}"}, headers=headers) for i in range(2)
        ]
        assert [m.status_code for m in made] == [201, 201]
        third = await gateway.post("/api/v2/api-keys", json={"name": "k3"}, headers=headers)
        assert third.status_code == 409, third.text
        assert "at most 2" in third.json()["detail"]
        revoked = await gateway.delete(f"/api/v2/api-keys/{made[0].json()['id']}", headers=headers)
        assert revoked.status_code == 204
        again = await gateway.post("/api/v2/api-keys", json={"name": "k3"}, headers=headers)
        assert again.status_code == 201

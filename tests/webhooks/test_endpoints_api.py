"""The webhooks API's refusals: internal URLs (SSRF), unknown event types, the per-business cap."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from webhook_receiver import running_receiver

pytestmark = pytest.mark.infra


@pytest.mark.parametrize(
    "url",
    [
        "https://169.254.169.254/latest/meta-data",
        "https://10.0.0.7/hooks",
        "https://localhost/hooks",
        "http://example.com/hooks",
        "ftp://example.com/hooks",
    ],
)
async def test_an_internal_or_plain_http_url_is_refused(
    gateway_factory: Callable[..., Any], business: int, url: str
) -> None:
    async with gateway_factory() as api:
        response = await api.client.post(
            "/api/v2/webhooks", json={"url": url, "events": ["post.published"]}, headers=api.auth(business)
        )
        assert response.status_code == 422, response.text
        assert response.headers["content-type"] == "application/problem+json"
        assert (await api.client.get("/api/v2/webhooks", headers=api.auth(business))).json() == []


async def test_a_loopback_receiver_is_refused_without_the_dev_setting_and_never_called(
    gateway_factory: Callable[..., Any], business: int
) -> None:
    async with running_receiver() as receiver, gateway_factory(webhooks_allow_loopback=False) as api:
        response = await api.client.post(
            "/api/v2/webhooks",
            json={"url": receiver.url, "events": ["post.published"]},
            headers=api.auth(business),
        )
        assert response.status_code == 422
        assert "non-public address" in response.json()["detail"] or "https" in response.json()["detail"]
        assert (await api.client.get("/api/v2/webhooks", headers=api.auth(business))).json() == []
    assert receiver.received == []


async def test_unknown_event_types_are_named(gateway_factory: Callable[..., Any], business: int) -> None:
    async with gateway_factory() as api:
        response = await api.client.post(
            "/api/v2/webhooks",
            json={"url": "http://127.0.0.1:9/x", "events": ["post.published", "post.exploded", "nope"]},
            headers=api.auth(business),
        )
        assert response.status_code == 422
        assert response.json()["unknown"] == ["nope", "post.exploded"]
        assert "post.exploded" in response.json()["detail"]


async def test_a_business_has_a_capped_number_of_endpoints_and_secrets_are_shown_once(
    gateway_factory: Callable[..., Any], business: int
) -> None:
    async with gateway_factory(webhooks_max_endpoints_per_business=2) as api:
        body = {"url": "http://127.0.0.1:9/x", "events": ["post.failed"], "description": "ops"}
        for _ in range(2):
            created = await api.client.post("/api/v2/webhooks", json=body, headers=api.auth(business))
            assert created.status_code == 201
        third = await api.client.post("/api/v2/webhooks", json=body, headers=api.auth(business))
        assert third.status_code == 409
        listed = (await api.client.get("/api/v2/webhooks", headers=api.auth(business))).json()
        assert len(listed) == 2 and all("secret" not in w for w in listed)
        deleted = await api.client.delete(f"/api/v2/webhooks/{listed[0]['id']}", headers=api.auth(business))
        assert deleted.status_code == 204
        again = await api.client.post("/api/v2/webhooks", json=body, headers=api.auth(business))
        assert again.status_code == 201

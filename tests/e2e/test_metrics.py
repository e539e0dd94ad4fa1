"""Every service's /metrics, scraped from the running stack, has the series the dashboard and alerts read."""

from __future__ import annotations

import asyncio
import os
import re

import httpx
import pytest
from e2e_support import wait_for_status

pytestmark = pytest.mark.e2e
OFFSET = int(os.environ.get("HERALD_PORT_OFFSET", "0"))

PORTS = {
    "api-gateway": 8000,
    "scheduler": 8001,
    "publisher-linkedin": 8002,
    "publisher-twitter": 8003,
    "publisher-meta": 8004,
}
EVERYWHERE = [
    "herald_http_request_duration_seconds",
    "herald_db_query_duration_seconds",
    "herald_dead_lettered_events_total",
    "faststream_received_processed_messages_total",
    "faststream_received_processed_messages_duration_seconds",
]
EXPECTED = {
    "api-gateway": [
        "herald_posts_accepted_total",
        "herald_outbox_backlog_events",
        "herald_outbox_relay_lag_seconds",
        "herald_kafka_consumer_lag",
    ],
    "scheduler": ["herald_scheduler_lateness_seconds", "herald_scheduler_due_events_emitted_total"],
    "publisher-linkedin": ["herald_publish_attempts_total", "herald_platform_request_duration_seconds"],
    "publisher-twitter": ["herald_publish_attempts_total", "herald_platform_request_duration_seconds"],
    "publisher-meta": ["herald_publish_attempts_total"],
}


def exposes(text: str, name: str) -> bool:
    """A family is exposed when its TYPE line is (with or without _total, as client versions differ)."""
    family = re.escape(name.removesuffix("_total"))
    return re.search(rf"^# TYPE {family}(_total)? ", text, re.M) is not None


async def test_every_service_exports_its_metrics(api: httpx.AsyncClient, emulator: httpx.AsyncClient) -> None:
    response = await api.post(
        "/api/v2/publish", json={"content": "Counted", "platforms": ["linkedin", "twitter"]}
    )
    assert response.status_code == 202, response.text
    await wait_for_status(api, response.json()["id"])

    missing: dict[str, list[str]] = {}
    async with httpx.AsyncClient(timeout=5) as client:
        for _ in range(40):  # the gateway measures consumer lag every HERALD_KAFKA_LAG_INTERVAL_SECONDS
            missing = {}
            texts = {}
            for service, port in PORTS.items():
                texts[service] = (await client.get(f"http://127.0.0.1:{port + OFFSET}/metrics")).text
                absent = [n for n in EVERYWHERE + EXPECTED[service] if not exposes(texts[service], n)]
                if absent:
                    missing[service] = absent
            lag_sampled = re.search(
                r'^herald_kafka_consumer_lag\{group="scheduler"', texts["api-gateway"], re.M
            )
            if not missing and lag_sampled:
                break
            await asyncio.sleep(0.5)
    assert not missing, missing
    assert lag_sampled, "no consumer lag sample for the scheduler's group"
    assert re.search(r'^herald_posts_accepted_total\{platform="linkedin"\} [1-9]', texts["api-gateway"], re.M)

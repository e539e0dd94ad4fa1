"""End-to-end benchmark: from the publish request to the (emulated) platform receiving the call."""

from __future__ import annotations

import asyncio
import statistics
import time
import uuid
from datetime import datetime

import httpx


async def run(
    gateway: str, emulator: str, token: str, *, rate: float = 50.0, seconds: float = 20.0
) -> dict[str, float]:
    await _warm_up(gateway, token)
    marker = uuid.uuid4().hex[:8]
    sent: dict[str, float] = {}
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=gateway, headers=headers, timeout=10) as api:
        tasks = []
        start = time.perf_counter()
        for i in range(int(rate * seconds)):
            await asyncio.sleep(max(0.0, start + i / rate - time.perf_counter()))
            text = f"e2e {marker} {i}"
            sent[text] = time.time()
            tasks.append(
                asyncio.create_task(
                    api.post("/api/v2/publish", json={"content": text, "platforms": ["twitter"]})
                )
            )
        answers = await asyncio.gather(*tasks)
    assert all(a.status_code == 202 for a in answers), {a.status_code for a in answers}
    received: dict[str, float] = {}
    async with httpx.AsyncClient(base_url=emulator, timeout=30) as emu:
        deadline = time.monotonic() + 60
        while len(received) < len(sent) and time.monotonic() < deadline:
            posts = (await emu.get("/_emulator/twitter/posts")).json()["posts"]
            for p in posts:
                if p["text"] in sent:
                    received[p["text"]] = datetime.fromisoformat(
                        p["created_at"].replace("Z", "+00:00")
                    ).timestamp()
            await asyncio.sleep(0.5)
    latencies = sorted((received[t] - sent[t]) * 1000 for t in received)
    q = statistics.quantiles(latencies, n=100, method="inclusive")
    return {
        "posts": len(sent),
        "received": len(received),
        "rate_per_s": rate,
        "p50_ms": q[49],
        "p99_ms": q[98],
        "max_ms": latencies[-1],
    }


async def _warm_up(gateway: str, token: str, posts: int = 50) -> None:
    """A few posts first, unmeasured: connection pools, caches and the first Kafka fetches of every
    consumer belong to start-up, not to the steady state the figure describes."""
    async with httpx.AsyncClient(
        base_url=gateway, headers={"Authorization": f"Bearer {token}"}, timeout=10
    ) as api:
        for i in range(posts):
            await api.post(
                "/api/v2/publish",
                json={"content": f"warm-up {uuid.uuid4().hex} {i}", "platforms": ["twitter"]},
            )
            await asyncio.sleep(0.02)
    await asyncio.sleep(2)

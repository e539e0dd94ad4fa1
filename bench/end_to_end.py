"""End-to-end benchmark: from the publish request to the (emulated) platform having created the post.

Latency = the time the emulator stored the tweet minus the time the request was sent (one clock).
`platform_latency_ms` makes the emulator hold every X call that long first (its latency fault),
as a real platform API does; it is cleared afterwards.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import datetime

import httpx


async def run(
    gateway: str,
    emulator: str,
    token: str,
    *,
    rate: float = 50.0,
    seconds: float = 20.0,
    platform_latency_ms: int = 0,
    deadline_s: float = 60.0,
) -> dict[str, float]:
    await _warm_up(gateway, token)
    marker = uuid.uuid4().hex[:8]
    sent: dict[str, float] = {}
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=emulator, timeout=30) as emu:
        await emu.delete("/_emulator/faults")
        if platform_latency_ms:
            rule = {
                "platform": "twitter",
                "kind": "latency",
                "latency_ms": platform_latency_ms,
                "count": None,
            }
            (await emu.post("/_emulator/faults", json={"rules": [rule]})).raise_for_status()
        try:
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
            refused = [a.status_code for a in answers if a.status_code != 202]
            received = await _collect(emu, sent, deadline_s)
        finally:
            await emu.delete("/_emulator/faults")
    latencies = sorted((received[t] - sent[t]) * 1000 for t in received)
    return {
        "posts": len(sent),
        "refused": len(refused),
        "received": len(received),
        "rate_per_s": rate,
        "platform_latency_ms": platform_latency_ms,
        "p50_ms": _pct(latencies, 0.50),
        "p99_ms": _pct(latencies, 0.99),
        "max_ms": latencies[-1] if latencies else float("nan"),
    }


async def _collect(emu: httpx.AsyncClient, sent: dict[str, float], deadline_s: float) -> dict[str, float]:
    """Emulator creation times of our posts, until all arrived or `deadline_s` after the last send."""
    received: dict[str, float] = {}
    deadline = time.monotonic() + deadline_s
    while len(received) < len(sent) and time.monotonic() < deadline:
        for p in (await emu.get("/_emulator/twitter/posts")).json()["posts"]:
            if p["text"] in sent and p["text"] not in received:
                received[p["text"]] = datetime.fromisoformat(
                    p["created_at"].replace("Z", "+00:00")
                ).timestamp()
        await asyncio.sleep(0.5)
    return received


def _pct(values: list[float], q: float) -> float:
    """Nearest-rank percentile; NaN when nothing arrived (the table then shows what is missing)."""
    if not values:
        return float("nan")
    return values[min(len(values) - 1, int(q * len(values)))]


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

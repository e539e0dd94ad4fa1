"""One publisher process against a platform that takes 300 ms per call: how many posts a second it
publishes, and how long a due event waits until the platform has the post.

Due events go straight onto publisher-twitter's topic (no gateway, no scheduler), so the figure is
the publisher's own. Two runs:
- backlog: `backlog` due events at once; posts/s = posts / (last creation - first due event sent);
- paced: `rate` due events a second for `seconds`; p50/p99 from sending a due event to the
  emulator creating the post (300 ms of it is the platform).
Both report the publisher's CPU time per post (`cpu_seconds`): on a shared machine the wall
figures measure the machine as much as the publisher.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import time
import uuid
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import httpx
from aiokafka import AIOKafkaProducer

from herald_common.events import encode, topics
from herald_common.platforms import Platform
from herald_common.publishing.testing import due_event

PLATFORM_LATENCY_MS = 300
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def group_cpu_seconds(group: int) -> float:
    """User + system CPU seconds of every live process in a process group (Linux /proc)."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == group:  # pgrp; utime and stime are fields 14 and 15 of stat
            total += int(fields[11]) + int(fields[12])
    return total / CLOCK_TICKS


async def run(
    emulator: str,
    bootstrap: str,
    *,
    backlog: int = 3000,
    rate: float = 300.0,
    seconds: float = 10.0,
    latency_ms: int = PLATFORM_LATENCY_MS,
    cpu_seconds: Callable[[], float] = lambda: 0.0,
) -> dict[str, float]:
    async with httpx.AsyncClient(base_url=emulator, timeout=60) as emu:
        await _reset_with_latency(emu, latency_ms)
        producer = AIOKafkaProducer(bootstrap_servers=bootstrap, linger_ms=5, acks="all")
        await producer.start()
        try:
            warm_up = [f"warm-up {uuid.uuid4().hex[:6]} {i}" for i in range(100)]
            await _send(producer, warm_up, rate=200)
            await _wait_for(emu, warm_up, timeout=60)
            await _reset_with_latency(emu, latency_ms)

            marker = uuid.uuid4().hex[:6]
            texts = [f"backlog {marker} {i}" for i in range(backlog)]
            start, cpu_start = time.time(), cpu_seconds()
            await _send(producer, texts, rate=None)
            created = await _wait_for(emu, texts, timeout=180)
            drained_in = max(created.values()) - start
            backlog_cpu = cpu_seconds() - cpu_start
            await _reset_with_latency(emu, latency_ms)

            paced = [f"paced {marker} {i}" for i in range(int(rate * seconds))]
            cpu_start = cpu_seconds()
            sent = await _send(producer, paced, rate=rate)
            created = await _wait_for(emu, paced, timeout=180)
            paced_cpu = cpu_seconds() - cpu_start
        finally:
            await producer.stop()
    latencies = sorted((created[t] - sent[t]) * 1000 for t in paced)
    q = statistics.quantiles(latencies, n=100, method="inclusive")
    return {
        "backlog": backlog,
        "backlog_posts_per_s": backlog / drained_in,
        "paced_rate_per_s": rate,
        "paced_posts_per_s": len(paced) / (max(created.values()) - min(sent.values())),
        "p50_ms": q[49],
        "p99_ms": q[98],
        "max_ms": latencies[-1],
        "platform_latency_ms": latency_ms,
        "backlog_cpu_ms_per_post": backlog_cpu * 1000 / backlog,
        "paced_cpu_ms_per_post": paced_cpu * 1000 / len(paced),
    }


async def _reset_with_latency(emu: httpx.AsyncClient, latency_ms: int) -> None:
    """A clean emulator whose every X call takes `latency_ms`, as a real platform call would."""
    await emu.post("/_emulator/reset")
    await emu.post(
        "/_emulator/faults",
        json=[{"platform": "twitter", "kind": "latency", "latency_ms": latency_ms, "count": None}],
    )


async def _send(producer: AIOKafkaProducer, texts: list[str], *, rate: float | None) -> dict[str, float]:
    """Send one due event per text (at `rate` a second, or all at once); when each was sent."""
    sent: dict[str, float] = {}
    topic = topics.post_due_topic(Platform.TWITTER)
    futures = []
    start = time.perf_counter()
    for i, text in enumerate(texts):
        if rate is not None:
            await asyncio.sleep(max(0.0, start + i / rate - time.perf_counter()))
        record = encode(due_event(Platform.TWITTER, text), source="/herald/bench")
        headers = [(k, v.encode()) for k, v in record.headers.items()]
        sent[text] = time.time()
        futures.append(await producer.send(topic, record.value, key=record.key, headers=headers))
    await asyncio.gather(*futures)
    return sent


async def _wait_for(emu: httpx.AsyncClient, texts: list[str], *, timeout: float) -> dict[str, float]:
    """When the emulator created the post of each text (unix seconds), once it has all of them."""
    wanted = set(texts)
    deadline = time.monotonic() + timeout
    while True:
        posts = (await emu.get("/_emulator/twitter/posts")).json()["posts"]
        created = {
            p["text"]: datetime.fromisoformat(p["created_at"].replace("Z", "+00:00")).timestamp()
            for p in posts
            if p["text"] in wanted
        }
        if len(created) == len(wanted):
            return created
        if time.monotonic() > deadline:
            raise RuntimeError(
                f"only {len(created)} of {len(wanted)} posts reached the platform in {timeout:g}s"
            )
        await asyncio.sleep(2)

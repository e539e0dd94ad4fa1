"""The fault plan (seeded) and its execution: process crashes, infrastructure crashes, platform faults.

Each event is recorded with the moment it started and ended, for the timeline in the report.
"""

from __future__ import annotations

import asyncio
import random
import time
from dataclasses import dataclass, field
from typing import Any

import httpx
from target import SERVICES, Target

EMULATOR_PLATFORMS = ("linkedin", "twitter", "facebook")
CREATE_ENDPOINTS = {"linkedin": "create_post", "twitter": "create_tweet", "facebook": "page_feed"}


@dataclass
class FaultEvent:
    at_s: float
    kind: str  # kill | stop | crash-kafka | crash-postgres | restart-redis | platform
    target: str
    down_s: float = 0.0
    rule: dict[str, Any] | None = None
    started_s: float | None = None
    ended_s: float | None = None
    outcome: str = "pending"

    def line(self) -> str:
        what = f"{self.kind} {self.target}"
        if self.rule:
            what += " " + ",".join(
                f"{k}={v}" for k, v in self.rule.items() if k not in ("platform", "endpoint")
            )
        start = f"{self.started_s:7.1f}s" if self.started_s is not None else "    -   "
        end = f"{self.ended_s:7.1f}s" if self.ended_s is not None else "    -   "
        return f"{start} → {end}  {what}  [{self.outcome}]"


@dataclass
class FaultPlan:
    events: list[FaultEvent] = field(default_factory=list)

    @property
    def service_kills(self) -> int:
        return sum(1 for e in self.events if e.kind == "kill")


def plan_faults(
    rng: random.Random, duration_s: float, kills_per_service: int, infra: bool, stops_per_service: int = 1
) -> FaultPlan:
    events: list[FaultEvent] = []
    window = (3.0, max(4.0, duration_s - 8.0))
    for service in SERVICES:
        # Spread each service's crashes over the window so they do not pile up at one moment.
        slots = _spread(rng, window, kills_per_service)
        events += [FaultEvent(at, "kill", service, down_s=rng.uniform(0.2, 3.0)) for at in slots]
    # Polite stops (SIGTERM, as in a rolling deploy) come from a stream of their own, so a seed
    # keeps its crash plan whatever their number.
    polite = random.Random(rng.random())
    for service in SERVICES:
        events += [FaultEvent(at, "stop", service) for at in _spread(polite, window, stops_per_service)]
    if infra:
        third = (window[1] - window[0]) / 3
        kinds = [("crash-kafka", "kafka"), ("crash-postgres", "postgres"), ("restart-redis", "redis")]
        rng.shuffle(kinds)
        for n, (kind, name) in enumerate(kinds):
            at = rng.uniform(window[0] + n * third, window[0] + (n + 0.6) * third)
            events.append(FaultEvent(at, kind, name, down_s=rng.uniform(1.0, 4.0)))
    at = window[0]
    while at < window[1]:
        events.append(FaultEvent(at, "platform", "emulator", rule=_platform_rule(rng)))
        at += rng.uniform(1.5, 4.0)
    return FaultPlan(sorted(events, key=lambda e: e.at_s))


def _spread(rng: random.Random, window: tuple[float, float], n: int) -> list[float]:
    width = (window[1] - window[0]) / max(n, 1)
    return [rng.uniform(window[0] + i * width, window[0] + (i + 0.8) * width) for i in range(n)]


def _platform_rule(rng: random.Random) -> dict[str, Any]:
    platform = rng.choice(EMULATOR_PLATFORMS)
    rule: dict[str, Any] = {"platform": platform, "endpoint": CREATE_ENDPOINTS[platform]}
    kinds = ["drop_after_create", "drop_after_create", "status", "rate_limit"]
    if platform == "linkedin":
        # LinkedIn's 429 is its daily cap (no reset header): Herald rightly waits for UTC midnight,
        # which no run can wait for.
        kinds.remove("rate_limit")
    kind = rng.choice(kinds)
    rule["kind"] = kind
    rule["count"] = rng.randint(1, 3)
    if kind == "drop_after_create":  # the post is created, the answer never arrives
        rule["mode"] = rng.choice(["504", "reset"])
        rule["latency_ms"] = rng.randint(500, 4000)
    elif kind == "status":
        rule["status"] = rng.choice([500, 502, 503])
    else:
        rule["reset_in_s"] = 2
        rule["retry_after_s"] = 2
    return rule


class FaultRunner:
    """Runs the plan against the target. Crashes of one service or one server never overlap;
    different ones may."""

    def __init__(self, target: Target, plan: FaultPlan, emulator: httpx.AsyncClient, started: float) -> None:
        self.target, self.plan, self.emulator, self.started = target, plan, emulator, started
        self._locks: dict[str, asyncio.Lock] = {}

    def now(self) -> float:
        return time.monotonic() - self.started

    async def run(self) -> None:
        tasks = []
        for event in self.plan.events:
            await asyncio.sleep(max(0.0, event.at_s - self.now()))
            tasks.append(asyncio.create_task(self._guarded(event)))
        await asyncio.gather(*tasks)

    async def _guarded(self, event: FaultEvent) -> None:
        lock = self._locks.setdefault(event.target, asyncio.Lock())
        async with lock:
            event.started_s = self.now()
            try:
                event.outcome = await self._apply(event)
            except Exception as exc:  # a fault that could not be applied is reported, not fatal
                event.outcome = f"error: {exc}"
            event.ended_s = self.now()
            if event.kind != "platform":  # as it happens: a run that never ends still shows how far it got
                print(f"chaos: {event.line()}", flush=True)

    async def _apply(self, event: FaultEvent) -> str:
        t = self.target
        if event.kind == "kill":
            code, out = await t.stack("kill", event.target)
            if code:
                return f"kill failed: {out.strip()[-300:]}"
            await asyncio.sleep(event.down_s)
            code, out = await t.stack("start", event.target)
            return "restarted" if code == 0 else f"start failed: {out.strip()[-300:]}"
        if event.kind == "stop":  # SIGTERM: in-flight work finishes and is committed
            code, out = await t.stack("restart", event.target)
            return "restarted" if code == 0 else f"restart failed: {out.strip()[-300:]}"
        if event.kind in ("crash-kafka", "crash-postgres", "restart-redis"):
            await t.crash_infra(event.target)
            await asyncio.sleep(event.down_s)
            code, out = await t.infra(event.target, "start")
            return "restarted" if code == 0 else f"start failed: {out.strip()[-300:]}"
        answer = await self.emulator.post("/_emulator/faults", json=event.rule)
        return "injected" if answer.status_code == 201 else f"refused {answer.status_code}"

"""`make chaos`: create many posts through the gateway while services, Kafka, PostgreSQL and Redis
crash and the platforms misbehave, then count every part on the emulator and compare with the
status store. Exits non-zero on any loss, duplicate, stuck target or wrong status.

    python tools/chaos/run.py --posts 1000 --seed 42          # the environment names the stack
    python tools/chaos/run.py --posts 200 --kills-per-service 1 --chaos-seconds 30

Uses the running stack at the environment's ports if its gateway answers, otherwise starts one
(`tools/dev/stack.py up`) and stops its services afterwards. See docs/reliability.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).parent))
from emulator import clear_faults, holdings, prepare
from faults import FaultPlan, FaultRunner, plan_faults
from target import Target
from verdict import FINAL, Verdict, judge
from workload import ANSWERS, Deadline, PlannedPost, plan_posts, submit

SETTLE_BOUND_S = 120.0  # every accepted post must be final this long after the last fault


@dataclass
class Options:
    posts: int = 1000
    seed: int | None = None
    chaos_seconds: float = 90.0
    kills_per_service: int = 3
    stops_per_service: int = 1
    infra_faults: bool = True
    due_within_s: float = 70.0
    concurrency: int = 12
    keep: bool = False


@dataclass
class Outcome:
    seed: int
    options: Options
    verdict: Verdict
    plan: FaultPlan
    timings: dict[str, float] = field(default_factory=dict)
    answers: str = ""
    lag: dict[str, float] = field(default_factory=dict)

    def report(self) -> str:
        v = self.verdict
        lines = [
            f"chaos run: seed {self.seed}, {self.options.posts} posts, {self.plan.service_kills} service kills "
            f"(SIGKILL), {sum(1 for e in self.plan.events if e.kind == 'stop')} polite restarts (SIGTERM)"
        ]
        lines += ["", "fault timeline (seconds from start):"]
        lines += [
            "  " + e.line() for e in self.plan.events if e.kind != "platform" or e.outcome != "injected"
        ]
        platform = [e for e in self.plan.events if e.kind == "platform"]
        lines.append(f"  + {len(platform)} platform faults injected (drop_after_create, 5xx, 429) on creates")
        lines += ["", "gateway answers (creates and previews, retries included): " + self.answers]
        lines += ["", "timings:"] + [f"  {k}: {val:.1f}s" for k, val in self.timings.items()]
        if self.lag:
            lines += [
                "",
                "consumer lag when the wait ended (events not yet handled, from the gateway's metrics):",
            ]
            lines += [f"  {k}: {n:g}" for k, n in self.lag.items()]
        lines += ["", "result:"] + [f"  {k:<20} {n}" for k, n in v.summary().items()]
        for title, items in (
            ("lost", v.lost),
            ("duplicated", v.duplicated),
            ("stuck", v.stuck),
            ("wrong-status", v.wrong_status),
            ("refused", v.refused),
            ("unaccounted", v.unaccounted),
            ("accepted, retry refused", v.replay_refused),
        ):
            if items:
                lines += ["", f"{title} ({len(items)}):"] + [f"  {i}" for i in items[:25]]
                if len(items) > 25:
                    lines.append(f"  … {len(items) - 25} more")
        lines += ["", "PASS: every accepted post reached each platform exactly once" if v.ok else "FAIL"]
        return "\n".join(lines)


async def run_chaos(target: Target, options: Options) -> Outcome:
    seed = options.seed if options.seed is not None else random.SystemRandom().randrange(1, 10**6)
    print(f"chaos: seed {seed} (replay with --seed {seed})", flush=True)
    rng = random.Random(seed)
    run_id = f"{seed:06d}{int(time.time()) % 100000:05d}"
    posts = plan_posts(rng, run_id, options.posts, options.chaos_seconds * 0.6, options.due_within_s)
    plan = plan_faults(
        rng, options.chaos_seconds, options.kills_per_service, options.infra_faults, options.stops_per_service
    )
    infra_was_up = (await target.infra("kafka", "status"))[0] == 0
    started_stack = await _ensure_stack(target)
    try:
        return await _drive(target, options, seed, run_id, posts, plan)
    finally:
        if started_stack and not options.keep:
            # Leave what was running before as it was: infrastructure someone else started stays.
            await target.stack("down", *(["--services-only"] if infra_was_up else []))


async def _ensure_stack(target: Target) -> bool:
    async with httpx.AsyncClient(timeout=3) as probe:
        try:
            if (await probe.get(target.gateway + "/health/ready")).status_code == 200:
                print(f"chaos: using the running stack at {target.gateway}", flush=True)
                return False
        except httpx.HTTPError:
            pass
    print("chaos: starting the stack", flush=True)
    began = time.monotonic()
    code, out = await target.stack("up", timeout=420)
    if code != 0:
        raise RuntimeError(f"the stack did not come up:\n{out}")
    print(f"chaos: the stack is up after {time.monotonic() - began:.1f}s", flush=True)
    return True


async def _drive(
    target: Target, options: Options, seed: int, run_id: str, posts: list[PlannedPost], plan: FaultPlan
) -> Outcome:
    code, token = await target.stack("token", "--business-id", "1")
    if code:
        raise RuntimeError(f"no token: {token}")
    headers = {"Authorization": f"Bearer {token.strip()}"}
    limits = httpx.Limits(max_connections=options.concurrency * 2)
    async with (
        httpx.AsyncClient(base_url=target.gateway, headers=headers, timeout=10, limits=limits) as api,
        httpx.AsyncClient(base_url=target.emulator, timeout=10) as emulator,
    ):
        await prepare(emulator)
        started = time.monotonic()
        loop = asyncio.get_running_loop()
        # Creates are retried for as long as faults go on, and up to the settle bound after them.
        submit_deadline = Deadline()
        gate = asyncio.Semaphore(options.concurrency)

        async def one(post: PlannedPost) -> None:
            await asyncio.sleep(max(0.0, post.submit_at_s - (time.monotonic() - started)))
            async with gate:
                try:
                    await submit(api, post, run_id, submit_deadline)
                except TimeoutError as exc:
                    post.refused = f"not accepted: {exc}"

        runner = FaultRunner(target, plan, emulator, started)

        async def faults() -> None:
            await runner.run()
            submit_deadline.at = loop.time() + SETTLE_BOUND_S

        await asyncio.gather(faults(), *(one(p) for p in posts))
        last_fault = time.monotonic()
        await clear_faults(emulator)  # from here on, only what already happened must heal
        timings = {"faults and submissions": last_fault - started}
        statuses = await _wait_final(api, posts, last_fault + SETTLE_BOUND_S)
        timings["until every post was final"] = time.monotonic() - last_fault
        lag = await _consumer_lag(api)
        await asyncio.sleep(3)  # a late duplicate, if any, lands now
        held = await holdings(emulator, f"chaos{run_id}p")
    verdict = judge(posts, statuses, held)
    answers = ", ".join(f"{k}: {n}" for k, n in sorted(ANSWERS.items()))
    ANSWERS.clear()
    return Outcome(seed, options, verdict, plan, timings, answers, lag)


async def _wait_final(
    api: httpx.AsyncClient, posts: list[PlannedPost], deadline: float
) -> dict[str, dict[str, Any]]:
    """Polls each accepted post until every platform of it is final, or the deadline passes."""
    statuses: dict[str, dict[str, Any]] = {}
    pending = [p.post_id for p in posts if p.post_id]
    gate = asyncio.Semaphore(16)

    async def look(post_id: str) -> None:
        async with gate:
            try:
                answer = await api.get(f"/api/v2/posts/{post_id}")
            except httpx.HTTPError:
                return
            if answer.status_code == 200:
                statuses[post_id] = answer.json()

    while pending:
        await asyncio.gather(*(look(i) for i in pending))
        pending = [i for i in pending if not _final(statuses.get(i))]
        if not pending or time.monotonic() > deadline:
            break
        await asyncio.sleep(2)
    return statuses


async def _consumer_lag(api: httpx.AsyncClient) -> dict[str, float]:
    """herald_kafka_consumer_lag as the gateway last measured it: who is behind, by how much."""
    try:
        text = (await api.get("/metrics")).text
    except httpx.HTTPError:
        return {}
    lag = {}
    for line in text.splitlines():
        if line.startswith("herald_kafka_consumer_lag{"):
            labels, value = line.rsplit(" ", 1)
            if float(value) > 0 and "-test-" not in labels:  # groups of tests sharing the broker
                lag[labels.removeprefix("herald_kafka_consumer_lag")] = float(value)
    return lag


def _final(view: dict[str, Any] | None) -> bool:
    return bool(view) and all(t["status"] in FINAL for t in view["platforms"])  # type: ignore[index]


def main() -> int:
    parser = argparse.ArgumentParser(prog="chaos", description=__doc__.split("\n\n")[0])
    d = Options()
    parser.add_argument("--posts", type=int, default=d.posts)
    parser.add_argument("--seed", type=int, default=None, help="replay a run")
    parser.add_argument("--chaos-seconds", type=float, default=d.chaos_seconds)
    parser.add_argument("--kills-per-service", type=int, default=d.kills_per_service)
    parser.add_argument("--stops-per-service", type=int, default=d.stops_per_service, help="SIGTERM restarts")
    parser.add_argument("--no-infra-faults", action="store_true", help="no Kafka/PostgreSQL/Redis crashes")
    parser.add_argument("--due-within", type=float, default=d.due_within_s, dest="due_within_s")
    parser.add_argument("--keep", action="store_true", help="leave a stack this run started running")
    parser.add_argument("--json", type=Path, help="also write the outcome as JSON here")
    args = parser.parse_args()
    options = Options(
        posts=args.posts,
        seed=args.seed,
        chaos_seconds=args.chaos_seconds,
        kills_per_service=args.kills_per_service,
        stops_per_service=args.stops_per_service,
        infra_faults=not args.no_infra_faults,
        due_within_s=args.due_within_s,
        keep=args.keep,
    )
    outcome = asyncio.run(run_chaos(Target.from_environment(), options))
    print(outcome.report(), flush=True)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(asdict(outcome), indent=2, default=str))
    return 0 if outcome.verdict.ok else 1


if __name__ == "__main__":
    sys.exit(main())

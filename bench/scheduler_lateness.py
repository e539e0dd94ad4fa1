"""Scheduler lateness benchmark: how late does a consumer of post.due receive each due event?

Starts the real scheduler service as a subprocess on its own database (herald_bench_scheduler) and
its own consumer group, bulk-loads schedules with COPY (they are claimed by the normal lease sweep),
consumes the due topics from their end and reports lateness = receipt time - scheduled_for.

    uv run python bench/scheduler_lateness.py            # every scenario, about 4 minutes
    uv run python bench/scheduler_lateness.py --only 333/s burst

Uses the HERALD_KAFKA_BOOTSTRAP_SERVERS / HERALD_DATABASE_URL of the environment (dev ports by default).
Every wait is bounded: the script stops by itself even if the scheduler does not deliver.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import statistics
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from herald_common.events import topics
from herald_common.kafka.topics_admin import ensure_topics
from herald_common.platforms import Platform
from herald_common.settings import HeraldSettings
from herald_common.testing import start_groups_at_end

BENCH_DB = "herald_bench_scheduler"
sys.path.insert(0, str(Path(__file__).parent))
HTTP_PORT = 18801 + int(os.environ.get("HERALD_BENCH_SLOT", "0"))  # the scheduler's own
PLATFORMS = [p.value for p in Platform]
DUE_TOPICS = [topics.post_due_topic(p) for p in Platform]
COLUMNS = (
    "post_id",
    "platform",
    "business_id",
    "state",
    "due_at",
    "scheduled_for",
    "late_policy",
    "grace_seconds",
    "thread_numbering",
    "target",
)
LEAD_S = 8.0  # first due time this far ahead: past the lease horizon, so rows are claimed by sweeps


@dataclass
class Result:
    name: str
    sent: int
    received: int
    lateness_ms: list[float]
    drain_per_s: float | None = None

    def row(self) -> str:
        lat = sorted(self.lateness_ms)

        def pct(p: float) -> str:
            return f"{lat[min(len(lat) - 1, int(p * len(lat)))]:8.1f}" if lat else "     n/a"

        drain = f"{self.drain_per_s:10,.0f}" if self.drain_per_s else "         -"
        med = f"{statistics.median(lat):8.1f}" if lat else "     n/a"
        return (
            f"| {self.name:<26} | {self.sent:>9,} | {self.received:>9,} | {med} | {pct(0.99)} |"
            f" {pct(0.999)} | {(max(lat) if lat else float('nan')):8.1f} | {drain} |"
        )


class DueReader:
    """Consumes every due topic from its end; keeps receipt times of this run's replica only."""

    def __init__(self, bootstrap: str, replica: str) -> None:
        self._bootstrap = bootstrap
        self._replica = replica.encode()
        self.received: dict[bytes, float] = {}
        self.duplicates = 0
        self.expected: set[bytes] = set()
        self.hits = 0
        """Receipts of `expected` keys, counted as they arrive: the wait loop must not scan the
        received dict (150k keys, ~10 ms) while records are being time-stamped in the same loop."""
        self._consumer = AIOKafkaConsumer(
            bootstrap_servers=bootstrap,
            enable_auto_commit=False,
            fetch_max_wait_ms=100,
            max_partition_fetch_bytes=4 * 1024 * 1024,
        )
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        admin = AIOKafkaAdminClient(bootstrap_servers=self._bootstrap)
        await admin.start()
        try:
            described = await admin.describe_topics(DUE_TOPICS)
        finally:
            await admin.close()
        parts = [TopicPartition(d["topic"], p["partition"]) for d in described for p in d["partitions"]]
        await self._consumer.start()
        self._consumer.assign(parts)
        for tp, offset in (await self._consumer.end_offsets(parts)).items():
            self._consumer.seek(tp, offset)
        self._task = asyncio.create_task(self._run())

    async def _run(self) -> None:
        replica, received = self._replica, self.received
        while True:
            batch = await self._consumer.getmany(timeout_ms=50, max_records=10_000)
            now = time.time()
            for records in batch.values():
                for r in records:
                    if ("herald_replica", replica) not in r.headers:
                        continue  # another scheduler (a `make dev` stack) on the same topics
                    if r.key in received:
                        self.duplicates += 1
                    else:
                        received[r.key] = now
                        if r.key in self.expected:
                            self.hits += 1

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        await self._consumer.stop()


def _dsn(base: str, db: str) -> str:
    return urlunsplit(urlsplit(base)._replace(path=f"/{db}"))


async def _recreate_database(base_dsn: str) -> str:
    admin = await asyncpg.connect(_dsn(base_dsn, "postgres"))
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')
        await admin.execute(f'CREATE DATABASE "{BENCH_DB}"')
    finally:
        await admin.close()
    return _dsn(base_dsn, BENCH_DB)


async def _drop_database(base_dsn: str) -> None:
    admin = await asyncpg.connect(_dsn(base_dsn, "postgres"))
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')
    finally:
        await admin.close()


def _start_scheduler(dsn: str, bootstrap: str, group: str, replica: str) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "HERALD_DATABASE_URL": dsn,
        "HERALD_KAFKA_BOOTSTRAP_SERVERS": bootstrap,
        "HERALD_HTTP_PORT": str(HTTP_PORT),
        "HERALD_SCHEDULER_CONSUMER_GROUP": group,
        "HERALD_SCHEDULER_OWNER_ID": replica,
        "HERALD_LOG_LEVEL": "WARNING",
        "HERALD_SERVICE_NAME": "scheduler-bench",
    }
    proc = subprocess.Popen([sys.executable, "-m", "herald_scheduler.main"], env=env)
    deadline = time.time() + 60
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the scheduler exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{HTTP_PORT}/health/ready", timeout=1) as resp:
                if resp.status == 200:
                    return proc
        except OSError:
            pass
        time.sleep(0.3)
    proc.kill()
    raise RuntimeError("the scheduler did not become ready within 60 s")


def _emit_side_lateness() -> str:
    """The scheduler's own histogram (produce acknowledged - due_at), to split lateness into its parts."""
    with urllib.request.urlopen(f"http://127.0.0.1:{HTTP_PORT}/metrics", timeout=5) as resp:
        text = resp.read().decode()
    buckets = [line for line in text.splitlines() if line.startswith("herald_scheduler_lateness_seconds_")]
    return "scheduler-side lateness (cumulative, all scenarios):\n  " + "\n  ".join(buckets)


async def _copy(pool: asyncpg.Pool, rows: list[tuple[object, ...]]) -> None:
    async with pool.acquire() as conn:
        await conn.copy_records_to_table("schedules", schema_name="scheduler", columns=COLUMNS, records=rows)


def _rows(prefix: str, due: Callable[[int], datetime], count: int) -> list[tuple[object, ...]]:
    out = []
    for i in range(count):
        platform = PLATFORMS[i % len(PLATFORMS)]
        at = due(i)
        target = f'{{"platform": "{platform}", "content": "bench post {i}"}}'
        out.append((f"{prefix}-{i}", platform, 1, "pending", at, at, "publish", 300, False, target))
    return out


TIMELINE = False
SCHEDULER_PID = 0


def _cpu_pids() -> dict[str, list[int]]:
    """Who spends the CPU of a scenario: on a shared machine lateness follows what else runs, the
    CPU per due event much less. PostgreSQL is the postmaster and its backends; Kafka the broker
    JVM of this state folder; the consumer is this process."""
    from gateway_throughput import pid_in, process_tree

    state = Path(os.environ.get("HERALD_STATE_DIR", Path(__file__).resolve().parents[1] / ".herald" / "dev"))

    return {
        "scheduler": [SCHEDULER_PID],
        "postgres": [
            p for pid in pid_in(state / "postgres" / "data" / "postmaster.pid") for p in process_tree(pid)
        ],
        "kafka": pid_in(state / "run" / "kafka.pid"),
        "bench consumer": [os.getpid()],
    }


def _cpu_now() -> dict[str, float]:
    from gateway_throughput import cpu_seconds

    return {name: cpu_seconds(pids) for name, pids in _cpu_pids().items()}


def _print_timeline(name: str, points: list[tuple[float, float]]) -> None:
    """p50 / max lateness per 1 s of due time: shows whether the tail is periodic (sweeps, flushes)."""
    start = min(t for t, _ in points)
    by_second: dict[int, list[float]] = {}
    for t, ms in points:
        by_second.setdefault(int(t - start), []).append(ms)
    print(f"timeline of {name} (second: n p50 max):", flush=True)
    for sec in sorted(by_second):
        lat = sorted(by_second[sec])
        print(f"  {sec:3d}: {len(lat):6d} {lat[len(lat) // 2]:8.1f} {lat[-1]:8.1f}", flush=True)


async def _scenario(
    name: str, pool: asyncpg.Pool, reader: DueReader, count: int, span_s: float, burst: bool = False
) -> Result:
    prefix = f"b{uuid.uuid4().hex[:6]}"
    t0 = datetime.now(UTC) + timedelta(seconds=LEAD_S)
    step = span_s / count

    def due(i: int) -> datetime:
        return t0 if burst else t0 + timedelta(seconds=i * step)

    rows = _rows(prefix, due, count)
    cpu_before = _cpu_now()
    scheduled = {f"{r[0]}".encode(): r[5].timestamp() for r in rows}  # type: ignore[attr-defined]
    reader.expected, reader.hits = set(scheduled), 0
    await _copy(pool, rows)
    deadline = t0.timestamp() + span_s + 60
    for _ in range(int((deadline - time.time()) / 0.5) + 1):
        if time.time() > deadline or reader.hits >= count:
            break
        await asyncio.sleep(0.5)
    got = {k: reader.received[k] for k in scheduled if k in reader.received}
    cpu = {n: (v - cpu_before[n]) * 1e6 / max(1, len(got)) for n, v in _cpu_now().items()}
    print(
        f"CPU per due event received, {name}: "
        + ", ".join(f"{n} {us:.0f} µs" for n, us in cpu.items())
        + f"; total {sum(cpu.values()):.0f} µs = {1e6 / max(1.0, sum(cpu.values())):,.0f} due/s per core",
        flush=True,
    )
    lateness = [(got[k] - scheduled[k]) * 1000 for k in got]
    if TIMELINE and got:
        _print_timeline(name, [(scheduled[k], (got[k] - scheduled[k]) * 1000) for k in got])
    drain = None
    if burst and got:
        drain = len(got) / max(1e-9, max(got.values()) - t0.timestamp())
    await pool.execute("DELETE FROM scheduler.schedules WHERE post_id LIKE $1", f"{prefix}-%")
    return Result(name, count, len(got), lateness, drain)


async def main(only: list[str]) -> None:
    base = HeraldSettings()
    bootstrap = base.kafka_bootstrap_servers
    await ensure_topics(bootstrap, base.kafka_topic_partitions)
    dsn = await _recreate_database(base.database_url)
    replica = f"bench-{uuid.uuid4().hex[:8]}"
    group = f"scheduler-bench-{uuid.uuid4().hex[:8]}"
    await start_groups_at_end(bootstrap, [group], topics.POST_REQUESTS)
    proc = _start_scheduler(dsn, bootstrap, group, replica)
    global SCHEDULER_PID
    SCHEDULER_PID = proc.pid
    reader = DueReader(bootstrap, replica)
    pool = await asyncpg.create_pool(dsn, min_size=1, max_size=2)
    results: list[Result] = []
    try:
        await reader.start()
        scenarios: list[tuple[str, Callable[[], object]]] = [
            ("333/s (10k over 30 s)", lambda: _scenario("333/s (10k over 30 s)", pool, reader, 10_000, 30)),
            (
                "5000/s (150k over 30 s)",
                lambda: _scenario("5000/s (150k over 30 s)", pool, reader, 150_000, 30),
            ),
            (
                "burst (50k in one instant)",
                lambda: _scenario("burst (50k in one instant)", pool, reader, 50_000, 0, burst=True),
            ),
        ]
        for key, run in scenarios:
            if not only or any(o in key for o in only):
                results.append(await run())  # type: ignore[misc]
                print(results[-1].row(), flush=True)
        if not only or any(o in "backlog" for o in only):
            started = time.time()
            far = datetime.now(UTC) + timedelta(days=30)
            for chunk in range(10):
                await _copy(pool, _rows(f"far{chunk}", lambda i: far + timedelta(seconds=i), 100_000))
            await pool.execute("VACUUM ANALYZE scheduler.schedules")
            print(f"(loaded 1,000,000 far-future schedules in {time.time() - started:.1f} s)", flush=True)
            for name, count in (("333/s + 1M backlog", 10_000), ("5000/s + 1M backlog", 150_000)):
                if not only or any(o in name for o in only):
                    results.append(await _scenario(name, pool, reader, count, 30))
                    print(results[-1].row(), flush=True)
        print(_emit_side_lateness(), flush=True)
    finally:
        await reader.stop()
        await pool.close()
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
        await _drop_database(base.database_url)
    print()
    print("lateness = receipt by a post.due consumer - scheduled_for, in ms")
    print(
        "| scenario                   |      sent |  received |      p50 |      p99 |    p99.9 |      max |"
        "   drain/s |"
    )
    print(
        "|----------------------------|-----------|-----------|----------|----------|----------|----------|"
        "-----------|"
    )
    for r in results:
        print(r.row())
    print(f"duplicate due events received: {reader.duplicates}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--timeline", action="store_true", help="print lateness per second of due time")
    parser.add_argument(
        "--only", nargs="*", default=[], help="run only scenarios whose name contains one of these"
    )
    args = parser.parse_args()
    TIMELINE = args.timeline
    asyncio.run(main(args.only))

"""A calibration line: what this machine, at this moment, gives to PostgreSQL, Kafka and Python.

Benchmark figures depend on the machine (core speed, disk flush time) and, on a shared machine,
on what else runs. Each figure is printed with its ratio to these references, taken in the same
run on the same stack, so figures from different machines or hours compare as ratios:

- pgbench write: committed TPC-B-like transactions/s (`-N`, 4 clients, fsync as configured) —
  commit and WAL flush cost, the gateway's and publishers' floor;
- pgbench read: select-only transactions/s (`-S`, 4 clients) — CPU available to PostgreSQL;
- kafka produce: 20,000 records of 300 bytes, acks=all, idempotent, one aiokafka producer;
- python: a fixed pure-Python loop, runs/s on one core (the services are single-threaded).
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import subprocess
import time
from pathlib import Path
from urllib.parse import urlsplit

import asyncpg
from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

CAL_DB = "herald_calibration"
CAL_TOPIC = "herald.bench.calibration"


def pg_bin(name: str) -> str:
    """pgbench ships beside pg_ctl, in the same folder tools/infra/postgres.sh uses."""
    for folder in (
        os.environ.get("HERALD_PG_BIN", ""),
        *(f"/usr/lib/postgresql/{v}/bin" for v in (15, 16, 17)),
    ):
        if folder and Path(folder, name).exists():
            return str(Path(folder, name))
    found = shutil.which(name)
    if not found:
        raise RuntimeError(f"{name} not found beside PostgreSQL's binaries (set HERALD_PG_BIN)")
    return found


async def _recreate(dsn: str) -> None:
    parts = urlsplit(dsn)
    admin = await asyncpg.connect(parts._replace(path="/postgres").geturl())
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{CAL_DB}" WITH (FORCE)')
        await admin.execute(f'CREATE DATABASE "{CAL_DB}"')
    finally:
        await admin.close()


def _fresh_calibration_db(dsn: str) -> list[str]:
    """Recreates the calibration database; returns the connection options for psql and pgbench."""
    asyncio.run(_recreate(dsn))
    parts = urlsplit(dsn)
    return [
        "-h",
        parts.hostname or "127.0.0.1",
        "-p",
        str(parts.port or 5432),
        "-U",
        parts.username or "postgres",
    ]


def pgbench(dsn: str, seconds: int = 5) -> dict[str, float]:
    conn = _fresh_calibration_db(dsn)
    tool = pg_bin("pgbench")
    subprocess.run([tool, *conn, "-i", "-q", "-s", "4", CAL_DB], check=True, capture_output=True)
    out: dict[str, float] = {}
    for name, mode in (("pgbench_write_tps", "-N"), ("pgbench_read_tps", "-S")):
        done = subprocess.run(
            [tool, *conn, mode, "-n", "-c", "4", "-j", "2", "-T", str(seconds), CAL_DB],
            check=True,
            capture_output=True,
            text=True,
        )
        match = re.search(r"tps = ([0-9.]+)", done.stdout)
        out[name] = float(match.group(1)) if match else float("nan")
    return out


NOTIFY_SCRIPTS = {
    "with_notify": "WITH e AS (INSERT INTO ob (v) VALUES (repeat('x', 300)) RETURNING id)"
    " SELECT pg_notify('herald_outbox', '') FROM e;\n",
    "without_notify": "WITH e AS (INSERT INTO ob (v) VALUES (repeat('x', 300)) RETURNING id) SELECT id FROM e;\n",
}


def notify_cost(dsn: str, seconds: int = 5, clients: int = 16) -> dict[str, float]:
    """Commits/s of an accept-shaped statement (one INSERT, autocommit) with and without a NOTIFY,
    16 clients: a notifying commit holds the notify-queue lock until its WAL flush, so notifying
    commits cannot share a flush (why the accept path no longer notifies)."""
    import tempfile

    conn = _fresh_calibration_db(dsn)
    subprocess.run(
        [pg_bin("psql"), *conn, "-qc", "CREATE TABLE ob (id bigserial PRIMARY KEY, v text)", CAL_DB],
        check=True,
        capture_output=True,
    )
    out: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, sql in NOTIFY_SCRIPTS.items():
            script = Path(tmp, f"{name}.sql")
            script.write_text(sql)
            done = subprocess.run(
                [
                    pg_bin("pgbench"),
                    *conn,
                    "-n",
                    "-f",
                    str(script),
                    "-c",
                    str(clients),
                    "-j",
                    "2",
                    "-T",
                    str(seconds),
                    CAL_DB,
                ],
                check=True,
                capture_output=True,
                text=True,
            )
            match = re.search(r"tps = ([0-9.]+)", done.stdout)
            out[f"commits_per_s_{name}"] = float(match.group(1)) if match else float("nan")
    return out


async def kafka_produce(bootstrap: str, records: int = 20_000) -> dict[str, float]:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        if CAL_TOPIC not in await admin.list_topics():
            await admin.create_topics([NewTopic(CAL_TOPIC, num_partitions=3, replication_factor=1)])
    finally:
        await admin.close()
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap,
        acks="all",
        enable_idempotence=True,
        linger_ms=1,
        max_batch_size=256 * 1024,
    )
    await producer.start()
    try:
        value = b"x" * 300
        for partition in range(3):  # every partition's leader known before the clock starts
            await (await producer.send(CAL_TOPIC, value, partition=partition))
        started = time.perf_counter()
        futures = [await producer.send(CAL_TOPIC, value, key=str(i).encode()) for i in range(records)]
        await asyncio.gather(*futures)
        return {"kafka_produce_per_s": records / (time.perf_counter() - started)}
    finally:
        await producer.stop()


def python_loop(seconds: float = 1.0) -> dict[str, float]:
    def work() -> int:
        total = 0
        for i in range(20_000):
            total += len(str(i)) * (i % 7)
        return total

    runs, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        work()
        runs += 1
    return {"python_loops_per_s": runs / (time.perf_counter() - started)}


def measure(dsn: str, bootstrap: str) -> dict[str, float]:
    return {
        **pgbench(dsn),
        **asyncio.run(kafka_produce(bootstrap)),
        **python_loop(),
        "load_average_1m": os.getloadavg()[0],
    }


def describe(cal: dict[str, float]) -> str:
    return (
        f"pgbench write {cal['pgbench_write_tps']:,.0f} tps, read {cal['pgbench_read_tps']:,.0f} tps;"
        f" kafka produce {cal['kafka_produce_per_s']:,.0f}/s; python {cal['python_loops_per_s']:,.0f} loops/s;"
        f" load {cal['load_average_1m']:.1f}"
    )


def machine() -> str:
    model = "unknown CPU"
    try:
        done = subprocess.run(["lscpu"], capture_output=True, text=True, check=True)
        model = next(
            (
                line.split(":", 1)[1].strip()
                for line in done.stdout.splitlines()
                if line.startswith("Model name")
            ),
            model,
        )
    except (OSError, subprocess.CalledProcessError):
        pass
    return f"{model}, nproc {os.cpu_count()}"

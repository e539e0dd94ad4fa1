"""`make bench`: start a private stack with rate limits off, run every benchmark, print tables.

The stack runs on its own state folder and ports (like the tests), so a running `make dev`
is left alone. Results are printed with the target each figure is held to, and saved to
.herald/bench/results.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools" / "dev"))
sys.path.insert(0, str(Path(__file__).parent))

# HERALD_BENCH_SLOT (0-9) shifts every port, so benches of several checkouts can run side by side
# (like TEST_SLOT for `make test`; bench ports stay clear of the test ports at every slot).
SLOT = int(os.environ.get("HERALD_BENCH_SLOT", "0"))
KAFKA_PORT, PG_PORT, REDIS_PORT = 32092 + SLOT * 10, 24732 + SLOT, 24679 + SLOT
BENCH_ENV = {
    "HERALD_STATE_DIR": str(ROOT / ".herald" / "bench"),
    "HERALD_KAFKA_PORT": str(KAFKA_PORT),
    "HERALD_KAFKA_CONTROLLER_PORT": str(KAFKA_PORT + 1),
    "HERALD_PG_PORT": str(PG_PORT),
    "HERALD_REDIS_PORT": str(REDIS_PORT),
    "HERALD_KAFKA_BOOTSTRAP_SERVERS": f"127.0.0.1:{KAFKA_PORT}",
    "HERALD_DATABASE_URL": f"postgresql://postgres@127.0.0.1:{PG_PORT}/herald",
    "HERALD_REDIS_URL": f"redis://127.0.0.1:{REDIS_PORT}/0",
    # Test stacks use offsets 100 + 200 * slot; the bench's are 200 + 200 * slot: never the same.
    "HERALD_PORT_OFFSET": str(200 + SLOT * 200),
    "HERALD_BENCH_SLOT": str(SLOT),
    "HERALD_ENVIRONMENT": "dev",  # the dev signing key and emulator credentials
    # Benchmarks measure Herald, not the quotas: our own limits and the emulator's are off.
    "HERALD_RATE_LIMITS_ENABLED": "false",
    "HERALD_EMULATOR_RATE_LIMITS": "off",
    "HERALD_LOG_LEVEL": "WARNING",
}
STACK = [sys.executable, str(ROOT / "tools" / "dev" / "stack.py")]


def table(title: str, rows: list[tuple[str, ...]]) -> str:
    head = ("measure", "value", "target", "ratio", "per calibration")
    rows = [tuple(r) + ("",) * (len(head) - len(r)) for r in rows]
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]
    line = lambda r: "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()  # noqa: E731
    return "\n".join([f"\n{title}", line(head), line(tuple("-" * w for w in widths)), *map(line, rows)])


def ratio(value: float, target: float, higher_is_better: bool) -> str:
    r = value / target if higher_is_better else target / value if value else float("inf")
    return f"{r:.2f}x {'ok' if r >= 1 else 'MISSED'}"


def per(value: float, reference: float, unit: str) -> str:
    """A figure as a share of the machine's calibration figure: comparable across machines."""
    return f"{value / reference:.3f} x {unit}" if reference else ""


def fresh_stack() -> None:
    """A stack on an empty state folder: no backlog left from an earlier run (or an earlier bench)."""
    subprocess.run([*STACK, "down"], check=True)
    shutil.rmtree(BENCH_ENV["HERALD_STATE_DIR"], ignore_errors=True)
    subprocess.run([*STACK, "up"], check=True)


def published_count() -> int:
    """Posts the X publisher has finished (its ledger), for 'every accepted post published'."""
    import asyncpg

    async def count() -> int:
        conn = await asyncpg.connect(BENCH_ENV["HERALD_DATABASE_URL"])
        try:
            n: int = await conn.fetchval(
                "SELECT count(*) FROM publisher_twitter.publish_ledger WHERE state = 'succeeded'"
            )
            return n
        finally:
            await conn.close()

    return asyncio.run(count())


def wait_published(expected: int, seconds: float) -> tuple[int, float]:
    """Waits (bounded) until `expected` posts are published; returns (published, seconds waited)."""
    started = time.monotonic()
    done = published_count()
    while done < expected and time.monotonic() - started < seconds:
        time.sleep(2)
        done = published_count()
    return done, time.monotonic() - started


def cpu_sources() -> dict[str, Callable[[], list[int]]]:
    """The gateway process, and PostgreSQL's postmaster with every backend (children)."""
    import gateway_throughput

    state = Path(BENCH_ENV["HERALD_STATE_DIR"])

    return {
        "gateway": lambda: gateway_throughput.pid_in(state / "run" / "api-gateway.pid"),
        "postgres": lambda: [
            p
            for pid in gateway_throughput.pid_in(state / "postgres" / "data" / "postmaster.pid")
            for p in gateway_throughput.process_tree(pid)
        ],
    }


def gateway_rows(g: dict[str, float], cal: dict[str, float], published: str = "") -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = [
        (
            "accepted posts/s",
            f"{g['accepted_per_s']:.0f}",
            ">= 1500" if not published else ">= 800",
            ratio(g["accepted_per_s"], 1500 if not published else 800, True),
            per(g["accepted_per_s"], cal["pgbench_write_tps"], "pgbench write tps"),
        ),
        ("p50 latency", f"{g['p50_ms']:.1f} ms"),
        ("p99 latency", f"{g['p99_ms']:.1f} ms", "<= 50 ms", ratio(g["p99_ms"], 50, False)),
        ("errors", f"{g['errors']:.0f}", "0"),
        # Throughput per core: what the figures above would be with a core to itself.
        (
            "gateway CPU per post",
            f"{g['cpu_ms_per_post_gateway']:.2f} ms",
            "<= 0.67 ms",
            ratio(g["cpu_ms_per_post_gateway"], 1000 / 1500, False),
            f"= {1000 / max(g['cpu_ms_per_post_gateway'], 1e-9):,.0f} posts/s per core",
        ),
        ("PostgreSQL CPU per post", f"{g['cpu_ms_per_post_postgres']:.2f} ms"),
    ]
    if published:
        rows.append(("published after the load", published, "all"))
    return rows


def e2e_rows(e: dict[str, float], target_ms: float | None) -> list[tuple[str, ...]]:
    p99 = e["p99_ms"]
    return [
        (
            "received",
            f"{e['received']:.0f}/{e['posts']:.0f}",
            "all",
            "ok" if e["received"] == e["posts"] else "MISSED",
        ),
        ("p50", f"{e['p50_ms']:.1f} ms"),
        (
            "p99",
            f"{p99:.1f} ms",
            f"<= {target_ms:.0f} ms" if target_ms else "",
            ratio(p99, target_ms, False) if target_ms else "",
        ),
        ("max", f"{e['max_ms']:.1f} ms"),
    ]


def main() -> int:
    parser = argparse.ArgumentParser()
    every = ["text", "gateway", "e2e", "webhooks", "bulk", "publisher", "scheduler", "dashboard"]
    parser.add_argument("--only", nargs="*", choices=every, default=None)
    parser.add_argument("--keep", action="store_true", help="leave the bench stack running")
    args = parser.parse_args()
    wanted = set(args.only or every)
    os.environ.update(BENCH_ENV)
    import calibration
    from devauth import dev_token

    results: dict[str, object] = {"machine": calibration.machine(), "slot": SLOT}
    print(f"machine: {results['machine']}", flush=True)
    offset = int(BENCH_ENV["HERALD_PORT_OFFSET"])
    gateway, emulator = f"http://127.0.0.1:{8000 + offset}", f"http://127.0.0.1:{8090 + offset}"
    try:
        fresh_stack()
        cal = calibration.measure(
            BENCH_ENV["HERALD_DATABASE_URL"], BENCH_ENV["HERALD_KAFKA_BOOTSTRAP_SERVERS"]
        )
        results["calibration_before"] = cal
        print(f"calibration: {calibration.describe(cal)}", flush=True)
        token = dev_token(Path(BENCH_ENV["HERALD_STATE_DIR"]), 1)
        if "text" in wanted:
            text_bench(gateway, token, results)
        if "gateway" in wanted:
            import gateway_throughput

            n = calibration.notify_cost(BENCH_ENV["HERALD_DATABASE_URL"])
            results["notify_cost"] = n
            print(
                table(
                    "PostgreSQL: accept-shaped autocommit INSERTs, 16 clients (pgbench)",
                    [
                        (
                            "commits/s without NOTIFY (accept today)",
                            f"{n['commits_per_s_without_notify']:,.0f}",
                        ),
                        ("commits/s with NOTIFY (accept before)", f"{n['commits_per_s_with_notify']:,.0f}"),
                    ],
                ),
                flush=True,
            )

            downstream = ["scheduler", "publisher-linkedin", "publisher-twitter", "publisher-meta"]
            # Twice: with the whole pipeline publishing what is accepted (all on the same 2 cores),
            # and the gateway alone (downstream stopped; the events wait in Kafka).
            for label, stop in (("whole stack running", False), ("gateway alone", True)):
                if stop:
                    subprocess.run([*STACK, "stop", *downstream], check=True)
                before = published_count() if not stop else 0
                g = gateway_throughput.run(gateway, token, cpu_of=cpu_sources())
                published = ""
                if not stop:
                    accepted = int(g["accepted_total"])
                    done, waited = wait_published(before + accepted, 60)
                    g["published_after_load"], g["published_wait_s"] = done - before, waited
                    published = f"{done - before}/{accepted} within {waited:.0f} s"
                results[f"gateway ({label})"] = g
                title = f"Gateway, {label}: POST /api/v2/publish, {g['connections']} connections, 20 s (wrk)"
                print(table(title, gateway_rows(g, cal, published)), flush=True)
            fresh_stack()  # end to end starts with no backlog left from the load above
            token = dev_token(Path(BENCH_ENV["HERALD_STATE_DIR"]), 1)  # the fresh stack's key
        if "e2e" in wanted:
            import end_to_end

            runs = (
                ("e2e", 50.0, 20.0, 0, 100.0),
                # A platform that answers in ~250 ms, as the real APIs often do: the publishers'
                # concurrency, not the pipeline, then sets what a rate of 50 posts/s costs.
                ("e2e (platform latency 250 ms)", 50.0, 10.0, 250, None),
            )
            for key, rate, seconds, latency_ms, target in runs:
                e = asyncio.run(
                    end_to_end.run(
                        gateway, emulator, token, rate=rate, seconds=seconds, platform_latency_ms=latency_ms
                    )
                )
                results[key] = e
                title = f"End to end: request -> platform call, {rate:.0f} posts/s for {seconds:.0f} s"
                if latency_ms:
                    title += f", platform latency {latency_ms} ms"
                print(table(title, e2e_rows(e, target)), flush=True)
        if "webhooks" in wanted:
            webhooks_bench(gateway, token, results)
        if "bulk" in wanted:
            import bulk_upload

            b = bulk_upload.run(gateway, token)
            results["bulk_upload"] = b
            rows = [
                (
                    f"{b['rows']:.0f} CSV rows accepted",
                    f"{b['seconds']:.2f} s ({b['created']:.0f} created)",
                    "<= 10 s",
                    ratio(b["seconds"], 10, False),
                ),
                ("rows per second", f"{b['rows'] / b['seconds']:.0f}"),
                ("same file again", f"{b['resend_seconds']:.2f} s ({b['resend_existing']:.0f} existing)"),
            ]
            print(table(f"Bulk upload: POST /api/v2/posts/bulk, {b['bytes'] / 1e6:.1f} MB", rows), flush=True)
        subprocess.run([*STACK, "down", "--services-only"], check=True)
        if "publisher" in wanted:
            results["publisher"] = publisher_bench()
        if "dashboard" in wanted:
            dashboard_bench(results)
        if "scheduler" in wanted:
            print("\nScheduler lateness (bench/scheduler_lateness.py):", flush=True)
            subprocess.run([sys.executable, str(ROOT / "bench" / "scheduler_lateness.py")], check=True)
        cal_after = calibration.measure(
            BENCH_ENV["HERALD_DATABASE_URL"], BENCH_ENV["HERALD_KAFKA_BOOTSTRAP_SERVERS"]
        )
        results["calibration_after"] = cal_after
        print(f"\ncalibration after: {calibration.describe(cal_after)}", flush=True)
    finally:
        if not args.keep:
            subprocess.run([*STACK, "down"], check=False)
    out = Path(BENCH_ENV["HERALD_STATE_DIR"]) / "results.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2))
    print(f"results: {out}")
    return 0


def text_bench(gateway: str, token: str, results: dict[str, object]) -> None:
    """Adversarial 256 KiB bodies: CPU per request, and /health/live while they run."""
    import adversarial_text

    rows, cpu = adversarial_text.cpu_table_rows()
    results["adversarial text: CPU per request"] = cpu
    print(
        table(
            "Adversarial 256 KiB bodies: CPU per request (preview of 4 platforms / publish checks)",
            rows,
        ),
        flush=True,
    )
    rows, health = adversarial_text.health_rows(gateway, token)
    results["adversarial text: /health/live under load"] = health
    print(
        table("/health/live while 4 connections send those bodies to /api/v2/preview, 10 s", rows),
        flush=True,
    )


def webhooks_bench(gateway: str, token: str, results: dict[str, object]) -> None:
    """Lifecycle event -> signed POST at a local receiver."""
    import webhook_latency

    w = asyncio.run(webhook_latency.run(gateway, token, BENCH_ENV["HERALD_KAFKA_BOOTSTRAP_SERVERS"]))
    results["webhooks"] = w
    print(
        table(
            f"Webhooks: lifecycle event -> signed POST at a receiver, {w['rate_per_s']:.0f} events/s"
            " for 20 s",
            [
                ("received", f"{w['received']:.0f}/{w['events']:.0f}", "all", ""),
                ("p50", f"{w['p50_ms']:.1f} ms", "", ""),
                ("p99", f"{w['p99_ms']:.1f} ms", "<= 1000 ms", ratio(w["p99_ms"], 1000, False)),
                ("max", f"{w['max_ms']:.1f} ms", "", ""),
            ],
        ),
        flush=True,
    )


def dashboard_bench(results: dict[str, object]) -> None:
    """The dashboard's first-page JS and the calendar with 1,000 posts, in headless Chromium."""
    import dashboard

    d = dashboard.run()
    results["dashboard"] = d
    first, cal = d["first_page"], d["calendar"]
    rows = [
        (
            "first page JS, gzipped",
            f"{first['gzip_kb']:.1f} KB",
            "<= 200 KB",
            ratio(first["gzip_kb"], 200, False),
        ),
        ("all JS, gzipped", f"{first['all_js_gzip_kb']:.1f} KB", "", ""),
        (
            f"month of {cal['posts']} posts, median",
            f"{cal['median_ms']:.0f} ms",
            "<= 200 ms",
            ratio(cal["median_ms"], 200, False),
        ),
        ("same, slowest run", f"{cal['max_ms']:.0f} ms", "", ""),
    ]
    print(table("Dashboard: headless Chromium (web/bench/run.mjs)", rows), flush=True)


def publisher_bench() -> dict[str, float]:
    """publisher-twitter alone (the other publishers stopped; the scheduler stays for retries)."""
    import publisher_throughput

    subprocess.run([*STACK, "up"], check=True)
    subprocess.run([*STACK, "stop", "publisher-linkedin", "publisher-meta"], check=True)
    emulator = f"http://127.0.0.1:{8090 + int(BENCH_ENV['HERALD_PORT_OFFSET'])}"
    pidfile = Path(BENCH_ENV["HERALD_STATE_DIR"]) / "run" / "publisher-twitter.pid"
    group = int(pidfile.read_text().strip())
    p = asyncio.run(
        publisher_throughput.run(
            emulator,
            BENCH_ENV["HERALD_KAFKA_BOOTSTRAP_SERVERS"],
            cpu_seconds=lambda: publisher_throughput.group_cpu_seconds(group),
        )
    )
    print(
        table(
            f"One publisher process (publisher-twitter), platform latency {p['platform_latency_ms']:.0f} ms",
            [
                (
                    f"posts/s, backlog of {p['backlog']:.0f}",
                    f"{p['backlog_posts_per_s']:.0f}",
                    ">= 300",
                    ratio(p["backlog_posts_per_s"], 300, True),
                ),
                (
                    f"posts/s, {p['paced_rate_per_s']:.0f} due/s offered",
                    f"{p['paced_posts_per_s']:.0f}",
                    "",
                    "",
                ),
                ("p50 due event -> platform post", f"{p['p50_ms']:.0f} ms", "", ""),
                ("p99 due event -> platform post", f"{p['p99_ms']:.0f} ms", "", ""),
                ("max", f"{p['max_ms']:.0f} ms", "", ""),
                (
                    "publisher CPU per post, backlog",
                    f"{p['backlog_cpu_ms_per_post']:.2f} ms",
                    "<= 3.3 ms",
                    ratio(p["backlog_cpu_ms_per_post"], 3.3, False),
                ),
                ("publisher CPU per post, paced", f"{p['paced_cpu_ms_per_post']:.2f} ms", "", ""),
                ("load average (1 min) at the end", f"{os.getloadavg()[0]:.1f}", "", ""),
            ],
        ),
        flush=True,
    )
    subprocess.run([*STACK, "down", "--services-only"], check=True)
    return p


if __name__ == "__main__":
    sys.exit(main())

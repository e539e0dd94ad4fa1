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
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools" / "dev"))
sys.path.insert(0, str(Path(__file__).parent))

BENCH_ENV = {
    "HERALD_STATE_DIR": str(ROOT / ".herald" / "bench"),
    "HERALD_KAFKA_PORT": "39392",
    "HERALD_KAFKA_CONTROLLER_PORT": "39393",
    "HERALD_PG_PORT": "35732",
    "HERALD_REDIS_PORT": "36679",
    "HERALD_KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:39392",
    "HERALD_DATABASE_URL": "postgresql://postgres@127.0.0.1:35732/herald",
    "HERALD_REDIS_URL": "redis://127.0.0.1:36679/0",
    "HERALD_PORT_OFFSET": "200",
    # Benchmarks measure Herald, not the quotas: our own limits and the emulator's are off.
    "HERALD_RATE_LIMITS_ENABLED": "false",
    "HERALD_EMULATOR_RATE_LIMITS": "off",
    "HERALD_LOG_LEVEL": "WARNING",
}
STACK = [sys.executable, str(ROOT / "tools" / "dev" / "stack.py")]


def table(title: str, rows: list[tuple[str, str, str, str]]) -> str:
    head = ("measure", "value", "target", "ratio")
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(4)]
    line = lambda r: "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True))  # noqa: E731
    return "\n".join([f"\n{title}", line(head), line(tuple("-" * w for w in widths)), *map(line, rows)])


def ratio(value: float, target: float, higher_is_better: bool) -> str:
    r = value / target if higher_is_better else target / value if value else float("inf")
    return f"{r:.2f}x {'ok' if r >= 1 else 'MISSED'}"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--only",
        nargs="*",
        choices=["gateway", "e2e", "bulk", "publisher", "scheduler", "dashboard"],
        default=None,
    )
    parser.add_argument("--keep", action="store_true", help="leave the bench stack running")
    args = parser.parse_args()
    wanted = set(args.only or ["gateway", "e2e", "bulk", "publisher", "scheduler", "dashboard"])
    os.environ.update(BENCH_ENV)
    from devauth import dev_token

    results: dict[str, object] = {"machine": f"{os.cpu_count()} cores"}
    try:
        if wanted & {"gateway", "e2e", "bulk"}:
            subprocess.run([*STACK, "up"], check=True)
            offset = int(BENCH_ENV["HERALD_PORT_OFFSET"])
            gateway, emulator = f"http://127.0.0.1:{8000 + offset}", f"http://127.0.0.1:{8090 + offset}"
            token = dev_token(Path(BENCH_ENV["HERALD_STATE_DIR"]), 1)
            if "gateway" in wanted:
                import gateway_throughput

                downstream = ["scheduler", "publisher-linkedin", "publisher-twitter", "publisher-meta"]
                # Twice: with the whole pipeline publishing what is accepted (all on the same 2 cores),
                # and the gateway alone (downstream stopped; the events wait in Kafka).
                for label, stop in (("whole stack running", False), ("gateway alone", True)):
                    if stop:
                        subprocess.run([*STACK, "stop", *downstream], check=True)
                    g = gateway_throughput.run(gateway, token)
                    results[f"gateway ({label})"] = g
                    rows = [
                        (
                            "accepted posts/s",
                            f"{g['accepted_per_s']:.0f}",
                            ">= 1500",
                            ratio(g["accepted_per_s"], 1500, True),
                        ),
                        ("p50 latency", f"{g['p50_ms']:.1f} ms", "", ""),
                        ("p99 latency", f"{g['p99_ms']:.1f} ms", "<= 50 ms", ratio(g["p99_ms"], 50, False)),
                        ("errors", f"{g['errors']:.0f}", "0", ""),
                    ]
                    title = (
                        f"Gateway, {label}: POST /api/v2/publish, {g['connections']} connections, 20 s (wrk)"
                    )
                    print(table(title, rows), flush=True)
                # End to end runs on a fresh stack: no backlog left from the load above.
                subprocess.run([*STACK, "down"], check=True)
                shutil.rmtree(BENCH_ENV["HERALD_STATE_DIR"], ignore_errors=True)
                subprocess.run([*STACK, "up"], check=True)
                token = dev_token(Path(BENCH_ENV["HERALD_STATE_DIR"]), 1)  # the fresh stack's key
            if "e2e" in wanted:
                import end_to_end

                e = asyncio.run(end_to_end.run(gateway, emulator, token))
                results["end_to_end"] = e
                print(
                    table(
                        f"End to end: request -> platform call, {e['rate_per_s']:.0f} posts/s for 20 s",
                        [
                            ("received", f"{e['received']:.0f}/{e['posts']:.0f}", "all", ""),
                            ("p50", f"{e['p50_ms']:.1f} ms", "", ""),
                            ("p99", f"{e['p99_ms']:.1f} ms", "<= 100 ms", ratio(e["p99_ms"], 100, False)),
                            ("max", f"{e['max_ms']:.1f} ms", "", ""),
                        ],
                    ),
                    flush=True,
                )
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
                    ("rows per second", f"{b['rows'] / b['seconds']:.0f}", "", ""),
                    (
                        "same file again",
                        f"{b['resend_seconds']:.2f} s ({b['resend_existing']:.0f} existing)",
                        "",
                        "",
                    ),
                ]
                print(
                    table(f"Bulk upload: POST /api/v2/posts/bulk, {b['bytes'] / 1e6:.1f} MB", rows),
                    flush=True,
                )
            subprocess.run([*STACK, "down", "--services-only"], check=True)
        if "publisher" in wanted:
            results["publisher"] = publisher_bench()
        if "dashboard" in wanted:
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
        if "scheduler" in wanted:
            for s in ("kafka", "postgres", "redis"):
                subprocess.run([str(ROOT / "tools" / "infra" / f"{s}.sh"), "start"], check=True)
            print("\nScheduler lateness (bench/scheduler_lateness.py):", flush=True)
            subprocess.run([sys.executable, str(ROOT / "bench" / "scheduler_lateness.py")], check=True)
    finally:
        if not args.keep:
            subprocess.run([*STACK, "down"], check=False)
    out = Path(BENCH_ENV["HERALD_STATE_DIR"]) / "results.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2))
    return 0


def publisher_bench() -> dict[str, float]:
    """publisher-twitter alone (the other publishers stopped; the scheduler stays for retries)."""
    import publisher_throughput

    subprocess.run([*STACK, "up"], check=True)
    subprocess.run([*STACK, "stop", "publisher-linkedin", "publisher-meta"], check=True)
    emulator = f"http://127.0.0.1:{8090 + int(BENCH_ENV['HERALD_PORT_OFFSET'])}"
    p = asyncio.run(publisher_throughput.run(emulator, BENCH_ENV["HERALD_KAFKA_BOOTSTRAP_SERVERS"]))
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
            ],
        ),
        flush=True,
    )
    subprocess.run([*STACK, "down", "--services-only"], check=True)
    return p


if __name__ == "__main__":
    sys.exit(main())

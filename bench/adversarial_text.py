"""Adversarial request bodies against the text rules: CPU per request, and /health/live meanwhile.

Each body is as large as the gateway takes (256 KiB): one unbroken word, emoji and ZWJ-sequence
floods, thousands of URLs, an unbroken run of URL-like dots, mixed scripts, Chinese without
spaces. Two measures, each held to 50 ms:

* CPU per request, in process: what the gateway does with the body (JSON, validation, the
  preview of every platform, and the publish checks), timed with the thread's CPU clock;
* the latency of /health/live on the running gateway while those bodies are sent to
  /api/v2/preview back to back from several connections (the text rules run off the event loop).
"""

from __future__ import annotations

import contextlib
import statistics
import time
from typing import Any

import httpx
import orjson

BODY_BYTES = 256 * 1024 - 1024  # under the gateway's cap, with room for the JSON around the texts
MAX_CHARS = 100_000  # the API's longest content
FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466"
UNITS: dict[str, str] = {
    "one long word": "a",
    "emoji flood": "\U0001f600",
    "ZWJ flood": FAMILY,
    "thousands of URLs": "https://example{i}.com/path?q={i} ",
    "dotted run": "a.",
    "mixed scripts": "hello мир 世界 مرحبا नमस्ते 😀 a.co/x #tag @who. ",
    "Chinese, no spaces": "今日はいい天気です。",
}
PLATFORMS = ["twitter", "linkedin", "facebook", "instagram"]


def fill(unit: str, max_bytes: int) -> str:
    parts, size, chars, index = [], 0, 0, 0
    while True:
        piece = unit.format(i=index) if "{i}" in unit else unit
        cost = len(piece.encode())
        if size + cost > max_bytes or chars + len(piece) > MAX_CHARS:
            return "".join(parts)
        parts.append(piece)
        size, chars, index = size + cost, chars + len(piece), index + 1


def body(unit: str) -> bytes:
    """Two texts of half the body each: the main content and LinkedIn's override."""
    half = BODY_BYTES // 2
    document = {
        "content": fill(unit, half),
        "platforms": PLATFORMS,
        "thread_numbering": True,
        "overrides": {"linkedin": {"content": fill(unit[::-1] if len(unit) > 1 else unit, half)}},
    }
    return orjson.dumps(document)


def cpu_per_request(raw: bytes, repeat: int = 5) -> dict[str, float]:
    """CPU ms of the preview and of the publish checks for one body (median of `repeat`)."""
    from herald_gateway.posts.preview import plan_preview
    from herald_gateway.posts.schemas import PublishRequest
    from herald_gateway.posts.validation import build_targets
    from herald_gateway.problems import Unprocessable

    def preview() -> None:
        plan_preview(PublishRequest.model_validate(orjson.loads(raw)))

    def publish() -> None:
        request = PublishRequest.model_validate(orjson.loads(raw))
        with contextlib.suppress(Unprocessable):  # refused: what counts is how long saying so took
            build_targets(request)

    out = {}
    for name, work in (("preview", preview), ("publish", publish)):
        times = []
        for _ in range(repeat):
            start = time.thread_time()
            work()
            times.append((time.thread_time() - start) * 1000)
        out[name] = statistics.median(times)
    return out


def _load(gateway: str, token: str, seconds: float, connections: int, answers: Any) -> None:
    """In its own process (so the probe's timings are not the load generator's): post every
    adversarial body to /api/v2/preview from `connections` threads, back to back."""
    from concurrent.futures import ThreadPoolExecutor

    bodies = [body(unit) for unit in UNITS.values()]
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    stop = time.monotonic() + seconds

    def post_all(offset: int) -> list[int]:
        statuses, index = [], offset
        with httpx.Client(base_url=gateway, timeout=60) as client:
            while time.monotonic() < stop:
                response = client.post(
                    "/api/v2/preview", content=bodies[index % len(bodies)], headers=headers
                )
                statuses.append(response.status_code)
                index += 1
        return statuses

    with ThreadPoolExecutor(connections) as pool:
        for statuses in pool.map(post_all, range(connections)):
            answers.extend(statuses)


def health_while_loaded(
    gateway: str, token: str, seconds: float = 10, connections: int = 4
) -> dict[str, Any]:
    """/health/live latencies (ms) while `connections` clients post the bodies to /api/v2/preview."""
    import multiprocessing

    idle = _probe(gateway, seconds / 2)  # the same probe without load: what the machine gives
    manager = multiprocessing.Manager()
    answers = manager.list()
    loader = multiprocessing.Process(target=_load, args=(gateway, token, seconds, connections, answers))
    loader.start()
    time.sleep(1.0)  # let the load start
    loaded = _probe(gateway, seconds - 1.5)
    loader.join()
    statuses = list(answers)
    manager.shutdown()
    return {
        **{f"idle_{k}": v for k, v in idle.items()},
        **loaded,
        "previews": len(statuses),
        "non_200": sum(1 for s in statuses if s != 200),
    }


def _probe(gateway: str, seconds: float) -> dict[str, float]:
    latencies = []
    with httpx.Client(base_url=gateway, timeout=30) as prober:
        stop = time.monotonic() + seconds
        while time.monotonic() < stop:
            start = time.perf_counter()
            response = prober.get("/health/live")
            latencies.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200
            time.sleep(0.02)
    latencies.sort()
    return {
        "probes": len(latencies),
        "p50_ms": statistics.median(latencies),
        "p99_ms": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))],
        "max_ms": latencies[-1],
    }


def cpu_table_rows() -> tuple[list[tuple[str, str, str, str]], dict[str, Any]]:
    from run import ratio

    rows, results = [], {}
    for name, unit in UNITS.items():
        raw = body(unit)
        cpu = cpu_per_request(raw)
        results[name] = {"bytes": len(raw), **cpu}
        worst = max(cpu.values())
        rows.append(
            (
                f"{name} ({len(raw) // 1024} KiB)",
                f"preview {cpu['preview']:.1f} / publish {cpu['publish']:.1f} ms",
                "<= 50 ms CPU",
                ratio(worst, 50, False),
            )
        )
    return rows, results


def health_rows(gateway: str, token: str) -> tuple[list[tuple[str, str, str, str]], dict[str, Any]]:
    from run import ratio

    h = health_while_loaded(gateway, token)
    rows = [
        ("previews answered", f"{h['previews']} ({h['non_200']} not 200)", "all 200", ""),
        ("/health/live p50, p99 idle", f"{h['idle_p50_ms']:.1f}, {h['idle_p99_ms']:.1f} ms", "", ""),
        ("/health/live p50", f"{h['p50_ms']:.1f} ms", "", ""),
        ("/health/live p99", f"{h['p99_ms']:.1f} ms", "<= 50 ms", ratio(h["p99_ms"], 50, False)),
        ("/health/live max", f"{h['max_ms']:.1f} ms", "", ""),
    ]
    return rows, h

"""Webhook delivery latency on the running bench stack: lifecycle events produced to Kafka at a
steady rate, a receiver on 127.0.0.1 answering 200 at once; the latency of each message is its
arrival at the receiver minus the lifecycle event's time (`occurred_at`, the payload's timestamp).

Run by `make bench` (bench/run.py) with the stack up; alone: `python bench/webhook_latency.py` with a
`make dev` stack and its HERALD_* environment."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import socket
import statistics
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import httpx
import uvicorn
from aiokafka import AIOKafkaProducer
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from herald_common.events import PostPublished, PublishedPart, encode
from herald_common.platforms import Platform

RATE_PER_S = 50
SECONDS = 20


def _quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def run(gateway: str, token: str, bootstrap: str, business_id: int = 1) -> dict[str, float]:
    latencies: dict[str, float] = {}
    expected = RATE_PER_S * SECONDS
    all_in = asyncio.Event()

    async def receive(request: Request) -> Response:
        arrived = time.time()
        payload = json.loads(await request.body())
        occurred = datetime.fromisoformat(payload["timestamp"].replace("Z", "+00:00")).timestamp()
        latencies.setdefault(payload["data"]["post_id"], arrived - occurred)
        if len(latencies) >= expected:
            all_in.set()
        return Response(status_code=200)

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    url = f"http://127.0.0.1:{sock.getsockname()[1]}/hooks"
    server = uvicorn.Server(
        uvicorn.Config(Starlette(routes=[Route("/hooks", receive, methods=["POST"])]), log_level="warning")
    )
    serving = asyncio.create_task(server.serve(sockets=[sock]))
    headers = {"Authorization": f"Bearer {token}"}
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=0)
    async with httpx.AsyncClient(base_url=gateway, headers=headers, timeout=15) as api:
        created = await api.post(
            "/api/v2/webhooks", json={"url": url, "events": ["post.published"], "business_id": business_id}
        )
        created.raise_for_status()
        hook_id = created.json()["id"]
        await producer.start()
        try:
            posts = [f"bench-webhook-{uuid.uuid4().hex[:12]}" for _ in range(expected)]
            started = time.monotonic()
            for n, post_id in enumerate(posts):
                await asyncio.sleep(max(0.0, started + n / RATE_PER_S - time.monotonic()))
                event = PostPublished(
                    post_id=post_id,
                    business_id=business_id,
                    occurred_at=datetime.now(UTC),
                    platform=Platform.TWITTER,
                    attempt=1,
                    parts=(PublishedPart(index=0, platform_post_id=str(n)),),
                )
                record = encode(event, source="bench")
                await producer.send(
                    record.topic,
                    record.value,
                    key=record.key,
                    headers=[(k, v.encode()) for k, v in record.headers.items()],
                )
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(all_in.wait(), 30)
        finally:
            await producer.stop()
            await api.delete(f"/api/v2/webhooks/{hook_id}")
            server.should_exit = True
            await serving
    values = [v * 1000 for v in latencies.values()]
    return {
        "rate_per_s": RATE_PER_S,
        "events": len(posts),
        "received": len(values),
        "p50_ms": statistics.median(values) if values else float("nan"),
        "p99_ms": _quantile(values, 0.99) if values else float("nan"),
        "max_ms": max(values) if values else float("nan"),
    }


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools" / "dev"))
    from devauth import dev_token

    offset = int(os.environ.get("HERALD_PORT_OFFSET", "0"))
    state = Path(os.environ.get("HERALD_STATE_DIR", Path(__file__).resolve().parents[1] / ".herald" / "dev"))
    result = asyncio.run(
        run(
            f"http://127.0.0.1:{8000 + offset}",
            dev_token(state, 1),
            os.environ.get("HERALD_KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092"),
        )
    )
    print(json.dumps(result, indent=2))

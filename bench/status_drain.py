"""How fast the gateway's status consumer applies a backlog of lifecycle events (events/s).

Needs Kafka, PostgreSQL and Redis of the environment (HERALD_DATABASE_URL, ...), with a fresh
database: the gateway runs in this process; `posts` rows are written straight to the status store,
their lifecycle events (dispatched, then published) produced to Kafka while the gateway is stopped,
then the gateway starts and the time until every change is in the status-change log is measured.

    .venv/bin/python bench/status_drain.py --posts 3000
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import time
import uuid

import asyncpg
from asgi_lifespan import LifespanManager

from herald_common.events import PostDispatched, PostPublished, PublishedPart, encode, utcnow
from herald_common.kafka.producer import Producer
from herald_common.platforms import Platform
from herald_gateway.main import create_app
from herald_gateway.settings import Settings

X = Platform.TWITTER


async def run(posts: int) -> dict[str, float]:
    dsn, bootstrap = os.environ["HERALD_DATABASE_URL"], os.environ["HERALD_KAFKA_BOOTSTRAP_SERVERS"]
    settings = Settings(
        database_url=dsn, kafka_bootstrap_servers=bootstrap, redis_url=os.environ["HERALD_REDIS_URL"]
    )
    async with LifespanManager(create_app(settings), startup_timeout=60):
        pass  # the schema, the topics and the consumer groups exist from here on
    ids = [str(uuid.uuid4()) for _ in range(posts)]
    conn = await asyncpg.connect(dsn, server_settings={"search_path": "gateway"})
    try:
        await conn.executemany(
            "INSERT INTO posts (id, business_id, status, content, late_policy, origin)"
            " VALUES ($1, 1, 'publishing', 'drain', 'publish', 'api')",
            [(i,) for i in ids],
        )
        await conn.executemany(
            "INSERT INTO post_targets (post_id, platform, status, content) VALUES ($1, 'twitter', 'publishing', 'drain')",
            [(i,) for i in ids],
        )
        before = await conn.fetchval("SELECT count(*) FROM status_changes")
        producer = Producer(bootstrap, "status-drain-bench")
        await producer.start()
        try:
            records = []
            for post_id in ids:
                common = {"post_id": post_id, "business_id": 1, "occurred_at": utcnow()}
                part = PublishedPart(index=0, platform_post_id="1", url="https://x.com/i/web/status/1")
                records.append(
                    encode(PostDispatched(platform=X, attempt=1, due_at=utcnow(), **common), source="/bench")
                )
                records.append(
                    encode(PostPublished(platform=X, attempt=1, parts=(part,), **common), source="/bench")
                )
            await producer.send_all(records)
        finally:
            await producer.stop()
        events = 2 * posts
        async with LifespanManager(create_app(settings), startup_timeout=60, shutdown_timeout=30):
            started = time.monotonic()
            while await conn.fetchval("SELECT count(*) FROM status_changes") - before < events:
                if time.monotonic() - started > 600:
                    raise TimeoutError("the backlog was not applied within 10 minutes")
                await asyncio.sleep(0.05)
            seconds = time.monotonic() - started
        return {"events": events, "seconds": seconds, "events_per_s": events / seconds}
    finally:
        await conn.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--posts", type=int, default=3000)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(run(args.posts))))


if __name__ == "__main__":
    main()

"""Publish a post without the HTTP API: produce one `post.requested` event straight onto Kafka.

This is what another team's service does. It needs only aiokafka; the contract it follows is
docs/events.md (and GET /asyncapi.json on the gateway):
- topic `herald.post.requests.v1`, key = the post id (all of a post's events stay in order);
- CloudEvents 1.0 binary mode: attributes as `ce_*` headers, the event data as JSON in the value;
- `ce_source` + `ce_id` identify the event: producing the same pair twice is harmless.

    python examples/produce_post.py --bootstrap 127.0.0.1:19092 --business-id 1 \
        --platform linkedin --content "Hello from another service"

It prints the post id; follow it with `GET /api/v2/posts/{id}` or the lifecycle topic.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import uuid
from datetime import UTC, datetime, timedelta

from aiokafka import AIOKafkaProducer

TOPIC = "herald.post.requests.v1"
TYPE = "com.herald.post.requested.v1"


def post_requested(args: argparse.Namespace, post_id: str) -> dict[str, object]:
    now = datetime.now(UTC)
    scheduled = now + timedelta(seconds=args.in_seconds) if args.in_seconds else None
    return {
        "post_id": post_id,
        "business_id": args.business_id,
        "targets": [{"platform": p, "content": args.content} for p in args.platform],
        "scheduled_for": scheduled.isoformat() if scheduled else None,
        "requested_at": now.isoformat(),
    }


def headers(source: str, post_id: str) -> list[tuple[str, bytes]]:
    attributes = {
        "ce_specversion": "1.0",
        "ce_id": str(uuid.uuid4()),
        "ce_source": source,
        "ce_type": TYPE,
        "ce_time": datetime.now(UTC).isoformat(),
        "ce_subject": post_id,
        "content-type": "application/json",
    }
    return [(k, v.encode()) for k, v in attributes.items()]


async def produce(args: argparse.Namespace) -> str:
    post_id = args.post_id or str(uuid.uuid4())
    # acks=all + idempotence: a retried send never duplicates the event in the partition.
    producer = AIOKafkaProducer(bootstrap_servers=args.bootstrap, acks="all", enable_idempotence=True)
    await producer.start()
    try:
        await producer.send_and_wait(
            TOPIC,
            key=post_id.encode(),
            value=json.dumps(post_requested(args, post_id)).encode(),
            headers=headers(args.source, post_id),
        )
    finally:
        await producer.stop()
    return post_id


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--bootstrap", default="127.0.0.1:19092", help="Kafka bootstrap servers")
    parser.add_argument("--business-id", type=int, required=True)
    parser.add_argument("--platform", action="append", required=True, help="repeat for several platforms")
    parser.add_argument("--content", required=True)
    parser.add_argument("--in-seconds", type=float, default=0, help="schedule this far ahead (0: now)")
    parser.add_argument("--post-id", help="your own id (1-64 characters); a fresh UUID by default")
    parser.add_argument(
        "--source", default="/example/produce-post", help="the CloudEvents source (who you are)"
    )
    print(asyncio.run(produce(parser.parse_args())))


if __name__ == "__main__":
    main()

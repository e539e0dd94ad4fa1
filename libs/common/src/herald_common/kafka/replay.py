"""`herald-dlq-replay`: send dead-lettered records back to the topic they came from.

Each record goes back with its original key, value and headers (minus the dead-letter ones), so
consumers treat it as the event it was: a due event given up after its last retry is published
again (the publish ledger still prevents a second post), a malformed record fixed at its source
can be replayed from its producer instead. It keeps no state: each run scans the topic (30 days)
and replays what its filters select, so narrow them (`--post-id`, `--type`, `--since`) and use
`--dry-run` first. Replaying twice is harmless for Herald's consumers (same event ids, the ledger).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import datetime

from aiokafka import AIOKafkaConsumer

from herald_common.events import topics
from herald_common.events.envelope import KafkaRecord
from herald_common.kafka.deadletter import ORIGIN_TOPIC_HEADER, REASON_HEADER
from herald_common.kafka.producer import Producer
from herald_common.kafka.security import client_security
from herald_common.kafka.topics_admin import topic_partitions
from herald_common.settings import HeraldSettings, load_settings

_DLQ_HEADERS = {REASON_HEADER, ORIGIN_TOPIC_HEADER, "herald_dlq_partition", "herald_dlq_offset"}


def _wanted(headers: dict[str, str], args: argparse.Namespace, timestamp_ms: int) -> bool:
    if args.type and headers.get("ce_type") != args.type:
        return False
    if args.reason_contains and args.reason_contains not in headers.get(REASON_HEADER, ""):
        return False
    if args.since and timestamp_ms < args.since.timestamp() * 1000:
        return False
    return not args.post_id or headers.get("ce_subject") == args.post_id


async def replay(settings: HeraldSettings, args: argparse.Namespace) -> int:
    security = client_security(settings)
    partitions = await topic_partitions(settings.kafka_bootstrap_servers, topics.DEAD_LETTER, security)
    consumer = AIOKafkaConsumer(
        bootstrap_servers=settings.kafka_bootstrap_servers, enable_auto_commit=False, **security
    )
    producer = Producer(settings.kafka_bootstrap_servers, "herald-dlq-replay", security)
    await consumer.start()
    await producer.start()
    replayed = skipped = 0
    try:
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        # Replay what is there now, not what keeps arriving: stop at the current end.
        ends = await consumer.end_offsets(partitions)
        while any([await consumer.position(tp) < end for tp, end in ends.items()]):
            batch = await consumer.getmany(timeout_ms=1000, max_records=500)
            for records in batch.values():
                for record in records:
                    headers = {k: v.decode() for k, v in record.headers}
                    origin = headers.get(ORIGIN_TOPIC_HEADER)
                    if not origin or not _wanted(headers, args, record.timestamp):
                        skipped += 1
                        continue
                    print(
                        f"{'would replay' if args.dry_run else 'replaying'} {headers.get('ce_type', '?')} "
                        f"{headers.get('ce_id', '?')} -> {origin}: {headers.get(REASON_HEADER, '')[:120]}"
                    )
                    if not args.dry_run:
                        kept = {k: v for k, v in headers.items() if k not in _DLQ_HEADERS}
                        await producer.send_all([KafkaRecord(origin, record.key, record.value, kept)])
                    replayed += 1
    finally:
        await producer.stop()
        await consumer.stop()
    print(f"{'would replay' if args.dry_run else 'replayed'} {replayed}, skipped {skipped}")
    return replayed


def main() -> None:
    parser = argparse.ArgumentParser(prog="herald-dlq-replay", description=__doc__.split("\n")[0])
    parser.add_argument("--type", help="only this CloudEvents type, e.g. com.herald.post.due.v1")
    parser.add_argument("--post-id", help="only this post's records")
    parser.add_argument("--reason-contains", help="only records whose dead-letter reason contains this")
    parser.add_argument(
        "--since", type=datetime.fromisoformat, help="only records dead-lettered since (ISO 8601)"
    )
    parser.add_argument("--dry-run", action="store_true", help="list what would be replayed; change nothing")
    args = parser.parse_args()
    asyncio.run(replay(load_settings(HeraldSettings), args))
    sys.exit(0)


if __name__ == "__main__":
    main()

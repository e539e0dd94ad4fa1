"""The one way services build their FastStream Kafka broker.

Every record is decoded from CloudEvents into an `Envelope` before a handler sees it, and
handlers are called without FastDepends (`apply_types=False`): the envelope is already
validated, and skipping a second validation keeps the per-message cost low.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from faststream import AckPolicy
from faststream.kafka import KafkaBroker
from faststream.kafka.prometheus import KafkaPrometheusMiddleware
from faststream.message import StreamMessage
from prometheus_client import REGISTRY

from herald_common.events.envelope import Envelope, decode
from herald_common.kafka.deadletter import DeadLetterMiddleware, attach_producer
from herald_common.kafka.producer import Producer
from herald_common.kafka.security import broker_security, client_security
from herald_common.kafka.tracing import TracingMiddleware
from herald_common.logs import get_logger
from herald_common.settings import HeraldSettings

log = get_logger(__name__)


async def decode_cloudevent(msg: StreamMessage[Any]) -> Envelope[Any]:
    return decode(msg.body, msg.headers)


def create_broker(
    settings: HeraldSettings,
    *,
    producer: Producer | None = None,
    middlewares: Sequence[Any] = (),
    **kwargs: Any,
) -> KafkaBroker:
    """A broker with CloudEvents decoding and dead-lettering, and Kafka-in RED metrics
    (faststream_received_*) and CONSUMER spans on every subscriber.

    `producer` is what the service produces with, dead letters included (`open_infra` starts it and
    hands it to the service as `infra.producer`); one with the defaults if none is given. The
    broker's own producer is left unused. The first middleware is the outermost: the span and the
    metrics include dead-lettering."""
    # FastStream reuses metrics already in the registry, so many brokers in one process (tests) are fine.
    prometheus = KafkaPrometheusMiddleware(registry=REGISTRY, app_name=settings.service_name)
    broker = KafkaBroker(
        settings.kafka_bootstrap_servers,
        client_id=settings.service_name,
        security=broker_security(settings),
        # Idempotence + acks=all: a retried produce never duplicates or reorders within a partition.
        enable_idempotence=True,
        acks="all",
        linger_ms=kwargs.pop("linger_ms", 1),
        allow_auto_create_topics=False,
        decoder=decode_cloudevent,
        middlewares=(TracingMiddleware, prometheus, DeadLetterMiddleware, *middlewares),
        apply_types=False,
        # Commit after the handler succeeded; on an error seek back so the record comes again.
        ack_policy=AckPolicy.NACK_ON_ERROR,
        graceful_timeout=settings.shutdown_grace_seconds,
        logger=get_logger("herald.broker"),
        # "Received"/"Processed" per message at DEBUG: thousands a second would drown the logs.
        log_level=logging.DEBUG,
        **kwargs,
    )
    attach_producer(
        broker,
        producer
        or Producer(settings.kafka_bootstrap_servers, settings.service_name, client_security(settings)),
    )
    return broker

"""Gets outbox events to Kafka: produced right after their commit (producer.DirectProducer), the
relay sweeps what was not (relay.OutboxRelay); repository holds the SQL.

The accept path commits a post with its outbox row, then produces the event itself and, once
Kafka acknowledged it, deletes the row (in batches). The relay produces what is left, in id order.
"""

from herald_gateway.outbox.producer import DirectProducer
from herald_gateway.outbox.relay import OutboxRelay
from herald_gateway.outbox.repository import OUTBOX_CHANNEL, delete_produced

__all__ = ["OUTBOX_CHANNEL", "DirectProducer", "OutboxRelay", "delete_produced"]

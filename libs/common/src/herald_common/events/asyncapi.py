"""The AsyncAPI 3.0 document of Herald's topics, generated from the event models, so it cannot drift.

Channels are the topics; each message is one event type with its JSON Schema, the CloudEvents
binary-mode headers and the Kafka key rule (the post id). Operations are written from the point of
view of Herald as a whole: it receives requests and sends lifecycle events and dead letters.
"""

from __future__ import annotations

from typing import Any

from pydantic.json_schema import models_json_schema

from herald_common.events import topics
from herald_common.events.base import Event
from herald_common.events.envelope import CONTENT_TYPE, SPEC_VERSION
from herald_common.events.registry import all_event_types
from herald_common.events.schemas import LifecycleEvent, PostDue
from herald_common.events.topics import (
    ORIGIN_OFFSET_HEADER,
    ORIGIN_PARTITION_HEADER,
    ORIGIN_TOPIC_HEADER,
    REASON_HEADER,
)
from herald_common.platforms import Platform

VERSION = "1.0.0"
REF = "#/components/schemas/{model}"
KAFKA_BINDING = "0.5.0"
KEY_RULE = {
    "bindings": {
        "kafka": {
            "key": {"type": "string", "description": "the post id: every event of a post keeps its order"},
            "bindingVersion": KAFKA_BINDING,
        }
    }
}
_CHANNEL_DOCS = {
    topics.POST_REQUESTS: (
        "postRequests",
        "Commands for the scheduler: post.requested (from the gateway or any internal producer), "
        "post.cancel-requested and post.retry-requested.",
    ),
    topics.POST_LIFECYCLE: (
        "postLifecycle",
        "What happened to each post and platform: scheduled, dispatched, published, failed, missed, cancelled.",
    ),
}


def _headers(ce_type: str) -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["ce_specversion", "ce_id", "ce_source", "ce_type"],
        "properties": {
            "ce_specversion": {"type": "string", "const": SPEC_VERSION},
            "ce_id": {"type": "string", "description": "unique per source; source + id is the dedupe key"},
            "ce_source": {"type": "string", "description": "the producer, e.g. /herald/api-gateway"},
            "ce_type": {"type": "string", "const": ce_type},
            "ce_time": {"type": "string", "format": "date-time"},
            "ce_subject": {"type": "string", "description": "the post id"},
            "content-type": {"type": "string", "const": CONTENT_TYPE},
            "traceparent": {"type": "string", "description": "W3C trace context (optional)"},
        },
    }


def _message_name(cls: type[Event]) -> str:
    return cls.__name__


def _message(cls: type[Event]) -> dict[str, Any]:
    doc = (cls.__doc__ or "").strip()
    return {
        "name": cls.ce_type,
        "title": cls.__name__,
        **({"summary": doc.splitlines()[0]} if doc else {}),
        "contentType": CONTENT_TYPE,
        "headers": _headers(cls.ce_type),
        "payload": {"$ref": REF.format(model=cls.__name__)},
        **KEY_RULE,
    }


def _channel(address: str, description: str, events: list[type[Event]]) -> dict[str, Any]:
    return {
        "address": address,
        "description": description,
        "messages": {_message_name(c): {"$ref": f"#/components/messages/{_message_name(c)}"} for c in events},
        "bindings": {"kafka": {"topic": address, "bindingVersion": KAFKA_BINDING}},
    }


def _operation(action: str, channel: str, events: list[str], summary: str) -> dict[str, Any]:
    return {
        "action": action,
        "channel": {"$ref": f"#/channels/{channel}"},
        "summary": summary,
        "messages": [{"$ref": f"#/channels/{channel}/messages/{name}"} for name in events],
    }


def _dead_letter() -> dict[str, Any]:
    return {
        "name": "dead-letter",
        "title": "DeadLetter",
        "summary": "A record that could not be processed, copied unchanged with the reason in a header.",
        "headers": {
            "type": "object",
            "required": [REASON_HEADER, ORIGIN_TOPIC_HEADER],
            "properties": {
                REASON_HEADER: {"type": "string", "description": "why it could not be processed"},
                ORIGIN_TOPIC_HEADER: {"type": "string"},
                ORIGIN_PARTITION_HEADER: {"type": "string"},
                ORIGIN_OFFSET_HEADER: {"type": "string"},
            },
        },
        "payload": {"description": "the original record's value, byte for byte"},
    }


def build_document(bootstrap_servers: str = "127.0.0.1:19092") -> dict[str, Any]:
    events = sorted(all_event_types().values(), key=lambda c: c.ce_type)
    _, defs = models_json_schema([(c, "validation") for c in events], ref_template=REF)
    by_topic: dict[str, list[type[Event]]] = {}
    for cls in events:
        if cls.topic is not None:
            by_topic.setdefault(cls.topic, []).append(cls)

    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    for address, (name, description) in _CHANNEL_DOCS.items():
        channels[name] = _channel(address, description, by_topic.get(address, []))
    requests = [_message_name(c) for c in by_topic.get(topics.POST_REQUESTS, [])]
    lifecycle = [_message_name(c) for c in by_topic.get(topics.POST_LIFECYCLE, [])]
    operations["receivePostRequests"] = _operation(
        "receive", "postRequests", requests, "The scheduler takes requests in (anyone allowed may produce)."
    )
    operations["sendLifecycle"] = _operation(
        "send", "postLifecycle", lifecycle, "Herald reports what happened to each post."
    )
    for platform in Platform:
        name = f"postDue{platform.value.capitalize()}"
        channels[name] = _channel(
            topics.post_due_topic(platform),
            f"Due work for the {platform.value} publisher (internal: produced by the scheduler only).",
            [PostDue],
        )
        operations[f"send{name[0].upper()}{name[1:]}"] = _operation(
            "send", name, [_message_name(PostDue)], f"The scheduler hands due {platform.value} work over."
        )
    channels["deadLetters"] = {
        "address": topics.DEAD_LETTER,
        "description": "Records any consumer could not process, with the reason.",
        "messages": {"DeadLetter": {"$ref": "#/components/messages/DeadLetter"}},
        "bindings": {"kafka": {"topic": topics.DEAD_LETTER, "bindingVersion": KAFKA_BINDING}},
    }
    operations["sendDeadLetters"] = _operation(
        "send", "deadLetters", ["DeadLetter"], "Consumers set aside what they cannot process."
    )
    messages = {_message_name(c): _message(c) for c in events}
    messages["DeadLetter"] = _dead_letter()
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "Herald events",
            "version": VERSION,
            "description": "CloudEvents 1.0 in Kafka binary mode: attributes as ce_* headers, the data as "
            "JSON in the value, the post id as the key. Lifecycle events are "
            f"{', '.join(sorted(c.ce_type for c in events if issubclass(c, LifecycleEvent)))}.",
        },
        "servers": {
            "local": {
                "host": bootstrap_servers,
                "protocol": "kafka",
                "description": "the development broker (make dev)",
            }
        },
        "defaultContentType": CONTENT_TYPE,
        "channels": channels,
        "operations": operations,
        "components": {"schemas": defs.get("$defs", {}), "messages": messages},
    }

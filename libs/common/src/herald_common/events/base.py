"""The base of every event: a pydantic model that knows its CloudEvents type and topic."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import ClassVar

from pydantic import BaseModel, ConfigDict


def utcnow() -> datetime:
    return datetime.now(UTC)


class Event(BaseModel):
    """Event data. Subclasses set `ce_type` (versioned) and, when fixed, `topic`.

    `extra="forbid"` keeps producers honest: an unknown field is a malformed event,
    not something silently dropped.
    """

    # Field docstrings become descriptions in the published JSON Schemas (AsyncAPI, docs/events.md).
    model_config = ConfigDict(frozen=True, extra="forbid", use_attribute_docstrings=True)

    ce_type: ClassVar[str]
    topic: ClassVar[str | None] = None

    post_id: str
    business_id: int

    def partition_key(self) -> bytes:
        """Every event of one post shares a partition, so its events stay in order."""
        return self.post_id.encode()

    def topic_name(self) -> str:
        if self.topic is None:
            raise NotImplementedError(f"{type(self).__name__} has no fixed topic")
        return self.topic

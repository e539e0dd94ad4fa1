"""Bodies of the posting-queue API."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


class SlotIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    weekday: Weekday
    time: Annotated[str, Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$", description="HH:MM, 24 h")]


class QueueSchedule(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"timezone": "Europe/Paris", "slots": [{"weekday": "mon", "time": "09:00"}]}]
        },
    )
    timezone: str = Field(description="IANA name")
    slots: Annotated[list[SlotIn], Field(max_length=168)]


class QueueEntry(BaseModel):
    at: datetime
    post_id: str | None = Field(None, description="the post holding the slot; null: free")


class QueueView(BaseModel):
    account_id: str
    timezone: str
    slots: list[SlotIn]
    upcoming: list[QueueEntry]

"""Bodies of the posting-queue API."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from herald_gateway.request_model import RequestModel

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


class SlotIn(RequestModel):
    model_config = ConfigDict(extra="forbid")
    weekday: Weekday
    time: Annotated[str, Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$", description="HH:MM, 24 h")]


class QueueSchedule(RequestModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"timezone": "Europe/Paris", "slots": [{"weekday": "mon", "time": "09:00"}]}]
        },
    )
    timezone: str = Field(max_length=64, description="IANA name")
    slots: Annotated[list[SlotIn], Field(max_length=168)]


class QueueEntry(BaseModel):
    at: datetime
    post_id: str | None = Field(None, description="the post holding the slot; null: free")


class QueueView(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "account_id": "acc_3f1c2d",
                    "timezone": "Europe/Paris",
                    "slots": [{"weekday": "mon", "time": "09:00"}],
                    "upcoming": [
                        {"at": "2030-01-07T08:00:00Z", "post_id": "0b6f5c1e-4f1a-4f0e-9a55-2d1f3c9b7a10"},
                        {"at": "2030-01-14T08:00:00Z"},
                    ],
                }
            ]
        }
    )
    account_id: str
    timezone: str
    slots: list[SlotIn]
    upcoming: list[QueueEntry]

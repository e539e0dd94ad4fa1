"""Request and response bodies of the API key routes."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, StrictInt
from pydantic.config import JsonDict

from herald_gateway.request_model import RequestModel

_KEY_EXAMPLE: JsonDict = {
    "id": "3f9a1c2b7d4e5f60",
    "name": "nightly import",
    "business_id": 1,
    "created_at": "2030-01-01T09:00:00Z",
    "last_used_at": "2030-01-02T09:00:00Z",
}


class ApiKeyView(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [_KEY_EXAMPLE]})

    id: str
    name: str
    business_id: int
    created_at: datetime
    last_used_at: datetime | None = None


class ApiKeyCreated(ApiKeyView):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{**_KEY_EXAMPLE, "key": "hk_3f9a1c2b7d4e5f60_kVb3…"}]}
    )

    key: str = Field(description="the secret key; shown only in this response")


class ApiKeyCreate(RequestModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"name": "nightly import", "business_id": 1}]})

    name: str = Field(min_length=1, max_length=100)
    business_id: StrictInt | None = None

"""Base of every request body: no control character in any string field.

PostgreSQL refuses NUL in text, and no post, key name or zone name needs C0/C1 controls or
an unpaired surrogate (which cannot be encoded). Tab, line feed and carriage return stay
allowed. A refused field is named in the 422 problem (RFC 9457), like any invalid field.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, GetJsonSchemaHandler, field_validator
from pydantic.json_schema import JsonSchemaValue

CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
TEXT_PATTERN = "^[^\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f-\\x9f]*$"


def control_character_in(value: Any) -> str | None:
    """The first control character in ``value`` (a string, or strings in lists and dicts)."""
    if isinstance(value, str):
        found = CONTROL_CHARACTERS.search(value)
        return found.group() if found else None
    if isinstance(value, dict):
        return next(filter(None, map(control_character_in, [*value.keys(), *value.values()])), None)
    if isinstance(value, list | tuple | set | frozenset):
        return next(filter(None, map(control_character_in, value)), None)
    return None


def _state_the_rule(schema: dict[str, Any]) -> None:
    """Every plain string field says in the JSON Schema what the validator below enforces."""
    for prop in schema.get("properties", {}).values():
        for node in [prop, *prop.get("anyOf", []), prop.get("items", {})]:
            if node.get("type") == "string" and not {"pattern", "format", "enum", "const"} & set(node):
                node["pattern"] = TEXT_PATTERN
            if node.get("type") == "array" and node.get("items", {}).get("type") == "string":
                items = node["items"]
                if not {"pattern", "format", "enum", "const"} & set(items):
                    items["pattern"] = TEXT_PATTERN


class RequestModel(BaseModel):
    @classmethod
    def __get_pydantic_json_schema__(cls, core_schema: Any, handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        # Here rather than in json_schema_extra, which a subclass's own examples would replace.
        schema = handler(core_schema)
        _state_the_rule(handler.resolve_ref_schema(schema))
        return schema

    @field_validator("*", mode="after")
    @classmethod
    def _no_control_characters(cls, value: Any) -> Any:
        if (character := control_character_in(value)) is not None:
            raise ValueError(
                f"contains the control character U+{ord(character):04X}; "
                "only tab, line feed and carriage return are allowed"
            )
        return value

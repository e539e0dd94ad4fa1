"""Times as the API documents them: RFC 3339 text, nothing else.

pydantic's lax datetime parsing also takes numbers as Unix times and a bare date as midnight, so
`?to=0.5` would mean 1970. Those are refused here, with the same pattern the document shows.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any

from pydantic import BeforeValidator, WithJsonSchema

_DATE = r"[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
_TIME = r"([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]+)?"
_OFFSET = r"(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])"
RFC3339 = re.compile(f"^{_DATE}[Tt]{_TIME}({_OFFSET.replace('Z', '[Zz]')})$")
LOCAL_OR_RFC3339 = re.compile(f"^{_DATE}T{_TIME}{_OFFSET}?$")


def _only(pattern: re.Pattern[str], wanted: str) -> BeforeValidator:
    def check(value: Any) -> Any:
        if isinstance(value, datetime):
            return value
        if not isinstance(value, str) or not pattern.match(value):
            raise ValueError(f"expected {wanted}, e.g. 2030-01-01T09:00:00Z")
        return value.upper()

    return BeforeValidator(check)


Rfc3339 = Annotated[
    datetime,
    _only(RFC3339, "an RFC 3339 date-time with an offset"),
    WithJsonSchema({"type": "string", "format": "date-time", "examples": ["2030-01-01T09:00:00Z"]}),
]
"""A moment: date, time and offset."""

LocalOrRfc3339 = Annotated[
    datetime,
    _only(LOCAL_OR_RFC3339, "a date-time, with an offset or a separate time zone"),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": LOCAL_OR_RFC3339.pattern,
            "description": "RFC 3339; the offset may be left out when `timezone` names the zone",
            "examples": ["2030-01-01T09:00:00Z", "2030-01-01T09:00:00"],
        }
    ),
]
"""A moment, or a wall-clock time read in the request's `timezone`."""

"""Reading a bulk upload: CSV or JSON lines into one dict per row, in the shape of a single post.

CSV cells that hold lists (`platforms`, `media_urls`, `targets`) separate items with `|`, spaces
or commas; a `targets` item is `platform` or `platform:account_id`."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import orjson

from herald_gateway.problems import Unprocessable

CSV_TYPES = ("text/csv",)
NDJSON_TYPES = ("application/x-ndjson", "application/jsonl", "application/json-lines")
EXTERNAL_ID = "external_id"
_SPLIT = re.compile(r"[|,\s]+")
_LIST_COLUMNS = ("platforms", "media_urls")


def media_type(content_type: str) -> str:
    kind = content_type.split(";", 1)[0].strip().lower()
    if kind in CSV_TYPES or kind in NDJSON_TYPES:
        return kind
    raise Unprocessable(
        f"a bulk upload is text/csv or application/x-ndjson, not {kind or 'nothing'}", field="Content-Type"
    )


def read_rows(body: bytes, kind: str) -> list[dict[str, Any] | str]:
    """One entry per row: the row as a dict, or why it could not be read (a string)."""
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise Unprocessable("the upload is not UTF-8 text") from None
    rows = _csv(text) if kind in CSV_TYPES else _ndjson(text)
    if not rows:  # (a lone CSV line is a header): an empty upload is a mistake, not "0 created"
        raise Unprocessable("the upload has no rows: a CSV header and at least one row, or a JSON line")
    return rows


def _ndjson(text: str) -> list[dict[str, Any] | str]:
    rows: list[dict[str, Any] | str] = []
    for line in text.splitlines():
        if not line.strip():
            continue
        try:
            value = orjson.loads(line)
        except orjson.JSONDecodeError as exc:
            rows.append(f"not JSON: {exc}")
            continue
        rows.append(value if isinstance(value, dict) else "each line must be a JSON object")
    return rows


def _csv(text: str) -> list[dict[str, Any] | str]:
    reader = csv.DictReader(io.StringIO(text))
    rows: list[dict[str, Any] | str] = []
    try:
        for raw in reader:
            rows.append(_csv_row(raw))
    except csv.Error as exc:  # the file cannot be read on past this point
        raise Unprocessable(f"CSV line {reader.line_num}: {exc}") from None
    return [r for r in rows if r != {}]


def _csv_row(raw: dict[Any, Any]) -> dict[str, Any] | str:
    """The row as a post's fields ({} for an empty line), or why it cannot be one."""
    if None in raw:
        return "the row has more cells than the header"
    row: dict[str, Any] = {k.strip(): v for k, v in raw.items() if k and v is not None and v.strip() != ""}
    for column in _LIST_COLUMNS:
        if column in row:
            row[column] = [item for item in _SPLIT.split(row[column]) if item]
    if "targets" in row:
        row["targets"] = [_target(item) for item in _SPLIT.split(row["targets"]) if item]
    if "thread_numbering" in row:
        row["thread_numbering"] = row["thread_numbering"].strip().lower() in ("1", "true", "yes")
    if "grace_seconds" in row and row["grace_seconds"].strip().isdigit():
        row["grace_seconds"] = int(row["grace_seconds"])  # CSV cells are text; the request model is strict
    return row


def _target(item: str) -> dict[str, str]:
    platform, _, account = item.partition(":")
    return {"platform": platform, "account_id": account} if account else {"platform": platform}

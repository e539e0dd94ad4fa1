"""Renders the AsyncAPI document as the reference part of docs/events.md.

`python -m herald_common.events.asyncapi_docs docs/events.md` rewrites the text between the markers;
a test fails when the page and the models disagree.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from herald_common.events.asyncapi import build_document

BEGIN, END = "<!-- asyncapi:begin (generated: do not edit) -->", "<!-- asyncapi:end -->"


def _type_of(prop: dict[str, Any]) -> str:
    if "$ref" in prop:
        return prop["$ref"].rsplit("/", 1)[-1]
    if "anyOf" in prop:
        return " or ".join(_type_of(p) for p in prop["anyOf"])
    if prop.get("type") == "array":
        return f"list of {_type_of(prop.get('items', {}))}"
    if "enum" in prop:
        return " \\| ".join(f"`{v}`" for v in prop["enum"])
    kind = str(prop.get("type", "any"))
    return f"{kind} ({prop['format']})" if "format" in prop else kind


def _fields(schema: dict[str, Any]) -> list[str]:
    required = set(schema.get("required", []))
    rows = ["| field | type | required | notes |", "|---|---|---|---|"]
    for name, prop in schema.get("properties", {}).items():
        notes = prop.get("description", "").replace("|", "\\|").replace("\n", " ")
        rows.append(f"| `{name}` | {_type_of(prop)} | {'yes' if name in required else ''} | {notes} |")
    return rows


def render(doc: dict[str, Any]) -> str:
    out = [BEGIN, "", "### Topics", "", "| channel | topic | messages |", "|---|---|---|"]
    for name, channel in doc["channels"].items():
        messages = ", ".join(f"`{m}`" for m in channel["messages"])
        out.append(f"| {name} | `{channel['address']}` | {messages} |")
    out += ["", "### Messages", ""]
    schemas = doc["components"]["schemas"]
    for title, message in doc["components"]["messages"].items():
        out += [f"#### {title} (`{message['name']}`)", ""]
        if message.get("summary"):
            out += [message["summary"], ""]
        payload = message["payload"]
        if "$ref" in payload:
            out += _fields(schemas[payload["$ref"].rsplit("/", 1)[-1]])
        else:
            out.append(payload.get("description", ""))
        out.append("")
    out += ["### Shared types", ""]
    for name, schema in schemas.items():
        if name in doc["components"]["messages"]:
            continue
        out += [f"#### {name}", ""]
        out += _fields(schema) if "properties" in schema else [f"One of: {_type_of(schema)}"]
        out.append("")
    out.append(END)
    return "\n".join(out)


def rewrite(page: str, section: str) -> str:
    head, _, rest = page.partition(BEGIN)
    _, _, tail = rest.partition(END)
    return f"{head}{section}{tail}"


def main() -> None:
    path = Path(sys.argv[1])
    path.write_text(rewrite(path.read_text(), render(build_document())))


if __name__ == "__main__":
    main()

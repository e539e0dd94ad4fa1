"""The emulator's side of a run: set it up (duplicates visible, creates slowed down) and read back
every object it holds, grouped by the chaos post it belongs to."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import httpx
from faults import CREATE_ENDPOINTS

CREATE_LATENCY_MS = 80


async def prepare(emulator: httpx.AsyncClient) -> None:
    """Fresh state; a second create of the same text shows up as a second object instead of being
    refused as a duplicate; every create takes a little longer, as a real platform's does."""
    (await emulator.post("/_emulator/reset")).raise_for_status()
    window_off = {"duplicate_window_s": 0}
    config = {
        "rate_limits_enabled": False,
        "linkedin": window_off,
        "twitter": window_off,
        "facebook": window_off,
    }
    (await emulator.post("/_emulator/config", json=config)).raise_for_status()
    await slow_creates(emulator)


async def slow_creates(emulator: httpx.AsyncClient) -> None:
    rules = [
        {"platform": p, "kind": "latency", "endpoint": e, "latency_ms": CREATE_LATENCY_MS, "count": None}
        for p, e in CREATE_ENDPOINTS.items()
    ]
    (await emulator.post("/_emulator/faults", json=rules)).raise_for_status()


async def clear_faults(emulator: httpx.AsyncClient) -> None:
    (await emulator.delete("/_emulator/faults")).raise_for_status()


@dataclass
class Holdings:
    """What the emulator holds: per (marker, platform), the ids of the objects at each thread depth."""

    parts: dict[tuple[str, str], dict[int, list[str]]] = field(default_factory=dict)
    unaccounted: list[dict[str, Any]] = field(default_factory=list)

    def at(self, marker: str, platform: str) -> dict[int, list[str]]:
        return self.parts.get((marker, platform), {})


async def holdings(emulator: httpx.AsyncClient, run_marker: str) -> Holdings:
    result = Holdings()
    for platform in ("linkedin", "twitter", "facebook"):
        answer = await emulator.get(f"/_emulator/{platform}/posts")
        answer.raise_for_status()
        objects = [o for o in answer.json()["posts"] if not o.get("deleted")]
        by_id = {o["id"]: o for o in objects}
        grouped: dict[tuple[str, str], dict[int, list[str]]] = defaultdict(lambda: defaultdict(list))
        for obj in objects:
            root, depth = _root_of(obj, by_id)
            text = root.get("raw_text") or root.get("text") or ""
            if run_marker not in text:
                continue  # another run's object (or a test's): not ours to judge
            marker = text.split()[0]
            if root is obj and obj.get("in_reply_to") and obj["in_reply_to"] not in by_id:
                result.unaccounted.append(obj)  # a reply to something that does not exist
                continue
            grouped[(marker, platform)][depth].append(obj["id"])
        result.parts.update({k: dict(v) for k, v in grouped.items()})
    return result


def _root_of(obj: dict[str, Any], by_id: dict[str, dict[str, Any]]) -> tuple[dict[str, Any], int]:
    depth, node = 0, obj
    while node.get("in_reply_to") and node["in_reply_to"] in by_id:
        node = by_id[node["in_reply_to"]]
        depth += 1
    return node, depth

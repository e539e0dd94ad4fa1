"""Maps a CloudEvents `type` to its event class (every subclass of Event that declares one)."""

from __future__ import annotations

from functools import cache

from herald_common.events.base import Event


@cache
def _by_type() -> dict[str, type[Event]]:
    from herald_common.events import schemas  # noqa: F401  (importing registers every event class)

    found: dict[str, type[Event]] = {}
    stack: list[type[Event]] = [Event]
    while stack:
        cls = stack.pop()
        stack.extend(cls.__subclasses__())
        ce_type = cls.__dict__.get("ce_type")
        if ce_type:
            if ce_type in found and found[ce_type] is not cls:
                raise RuntimeError(f"two event classes claim {ce_type}")
            found[ce_type] = cls
    return found


def event_class(ce_type: str) -> type[Event] | None:
    return _by_type().get(ce_type)


def all_event_types() -> dict[str, type[Event]]:
    return dict(_by_type())

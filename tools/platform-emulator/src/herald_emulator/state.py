"""The emulator's whole in-memory world, one instance per app (tests get a fresh one each)."""

from dataclasses import dataclass, field
from typing import Any

from fastapi import Request

from herald_emulator.clock import Clock
from herald_emulator.config import EmulatorConfig
from herald_emulator.faults import FaultRegistry
from herald_emulator.ids import IdFactory
from herald_emulator.ratelimits import RateLimiter
from herald_emulator.store import IgContainer, ObjectStore, UploadedMedia
from herald_emulator.tokens import TokenRegistry


@dataclass
class CallRecord:
    platform: str
    endpoint: str
    method: str
    path: str
    status: int
    at: float

    def to_json(self) -> dict[str, Any]:
        return vars(self).copy()


class EmulatorState:
    def __init__(self, config: EmulatorConfig) -> None:
        self.config = config
        self.clock = Clock()
        self.ids = IdFactory(self.clock)
        self.objects = ObjectStore()
        self.tokens = TokenRegistry(self.clock)
        self.faults = FaultRegistry()
        self.limits = RateLimiter()
        self.uploads: dict[str, UploadedMedia] = {}  # LinkedIn images and X media, by id/URN
        self.ig_containers: dict[str, IgContainer] = {}
        self.calls: list[CallRecord] = []
        self.extra: PlatformExtras = PlatformExtras()

    def reset(self) -> None:
        """Forget posts, uploads, tokens, faults, counters and the clock shift; keep config."""
        self.clock.reset()
        self.objects.clear()
        self.tokens.clear()
        self.faults.clear()
        self.limits.clear()
        self.uploads.clear()
        self.ig_containers.clear()
        self.calls.clear()
        self.extra = PlatformExtras()

    @property
    def rate_limits_on(self) -> bool:
        return self.config.rate_limits_enabled


@dataclass
class PlatformExtras:
    """Small per-platform relations that are not objects of their own."""

    linkedin_activity_of_share: dict[str, str] = field(default_factory=dict)  # share URN -> activity URN
    facebook_unpublished_photos: dict[str, str] = field(default_factory=dict)  # photo id -> page id


def get_state(request: Request) -> EmulatorState:
    state: EmulatorState = request.app.state.emulator
    return state

"""What a publisher service provides: a client that speaks one platform's real API."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

import httpx

from herald_common.events import PostTarget
from herald_common.platforms import Platform
from herald_common.publishing.accounts import Account
from herald_common.publishing.budget import Budgets
from herald_common.publishing.outcomes import CreatedObject


@dataclass(frozen=True)
class PartRequest:
    """One platform call's worth of a post: a thread part, a continuation comment, a first comment."""

    post_id: str
    business_id: int
    target: PostTarget
    index: int
    text: str
    media_urls: tuple[str, ...]
    parent: CreatedObject | None
    """The object this part continues (previous tweet, the LinkedIn post for comments); None for the first."""
    root: CreatedObject | None
    """The first part of the post, once published."""
    account: Account
    """Whose tokens and ids the call uses (clients never read them from settings)."""
    kind: str = "post"
    """'post' for the first part, 'continuation' for thread parts, 'comment' for a first comment."""


class PlatformClient(Protocol):
    platform: Platform

    def split(self, target: PostTarget, numbering: bool) -> list[str]:
        """The texts of the parts this platform will receive, in order."""
        ...

    async def publish(self, part: PartRequest) -> CreatedObject:
        """Create the part; raise RetryableError / PermanentError / ReauthRequired otherwise."""
        ...

    async def find(self, part: PartRequest, since: datetime) -> CreatedObject | None:
        """Look for a part an earlier attempt may have created (its answer was lost)."""
        ...


ClientFactory = Callable[[httpx.AsyncClient, Budgets], Mapping[Platform, PlatformClient]]
"""How a service builds its clients from the shared HTTP client and the per-account budgets."""

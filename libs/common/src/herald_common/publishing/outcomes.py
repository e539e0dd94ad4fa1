"""How a platform call ended, as the publisher needs to know it: done, try later, or give up."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CreatedObject:
    platform_post_id: str
    url: str | None = None


class PlatformError(Exception):
    def __init__(self, reason: str, *, code: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.code = code


class RetryableError(PlatformError):
    """Transient (429, 5xx, timeouts). `retry_after` is the wait the platform asked for, if it said.

    `maybe_created` is True when the platform may have created the object anyway (timeouts, 5xx,
    dropped connections): the next attempt looks it up before posting again.
    """

    def __init__(
        self,
        reason: str,
        *,
        code: str | None = None,
        retry_after: float | None = None,
        maybe_created: bool = False,
        rate_limited: bool = False,
    ) -> None:
        super().__init__(reason, code=code)
        self.retry_after = retry_after
        self.maybe_created = maybe_created
        self.rate_limited = rate_limited
        """The platform throttled us (429 and kin), or we held back before it would."""


class PermanentError(PlatformError):
    """The platform refused the request; sending it again cannot help."""


class ReauthRequired(PermanentError):
    """The account's token is revoked or expired beyond refresh; the user must connect it again."""


class DuplicateContent(PermanentError):
    """The platform says this text was already posted. It may be ours from an attempt whose answer
    was lost, so the publisher looks it up before calling it a failure. `existing` is the object
    the platform named, when it names one (LinkedIn does, X does not)."""

    def __init__(
        self, reason: str, *, code: str | None = None, existing: CreatedObject | None = None
    ) -> None:
        super().__init__(reason, code=code)
        self.existing = existing

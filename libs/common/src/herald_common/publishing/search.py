"""How far a lost-answer search may read before it gives up proving absence.

Reconciliation must read everything the account created since the lost call started: a post
missed because it sits on page two is a post published twice. Every client pages back to the
call's start; when that takes more than MAX_PAGES pages the search cannot prove the part is
absent, so the attempt is retried later instead of publishing again.
"""

from __future__ import annotations

from herald_common.publishing.outcomes import RetryableError

MAX_PAGES = 50
PAGE_SIZE = 100


def inconclusive(platform: str, pages: int) -> RetryableError:
    return RetryableError(
        f"{platform}: could not confirm whether a lost call created the part "
        f"({pages} pages read without reaching the call's start); not sending it again",
        code="reconcile_inconclusive",
    )

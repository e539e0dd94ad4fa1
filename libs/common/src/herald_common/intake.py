"""What a request on herald.post.requests.v1 must be, besides a valid event, before it is scheduled.

The gateway checks its own requests, but other producers write the topic too (internal services,
the publishers' retries). So the scheduler checks every request as it takes it in:
- its producer (the CloudEvents `source`) may act for the request's business
  (HERALD_KAFKA_REQUEST_PRODUCERS), and
- a post.requested keeps the same post rules as the gateway's (herald_common.post_rules): each
  platform's text and media rules. Media addresses are left to the publisher's SSRF guard, which
  resolves and checks them when it fetches (the scheduler has no allow-list of test hosts).
What fails is dead-lettered with the reason. The `source` is what the producer says it is: Kafka
ACLs decide who may write the topic at all (docs/security.md#kafka).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from herald_common.events import Envelope, MalformedEvent, PostRequested
from herald_common.post_rules import post_requested_problems
from herald_common.settings import HeraldSettings

ANY_BUSINESS = "*"


@dataclass(frozen=True)
class IntakeRules:
    producers: Mapping[str, Collection[int] | str] | None = None
    """source -> business ids, or "*"; None: every producer may act for every business."""

    @classmethod
    def from_settings(cls, settings: HeraldSettings) -> IntakeRules:
        return cls(settings.kafka_request_producers)

    def check(self, envelope: Envelope[Any]) -> None:
        """Raises MalformedEvent with the reason when the request may not be scheduled."""
        self._authorise(envelope.source, envelope.data.business_id)
        if isinstance(envelope.data, PostRequested):
            problems = post_requested_problems(envelope.data, allow_media_hosts=None)
            if problems:
                raise MalformedEvent("the post breaks the post rules: " + "; ".join(problems))

    def _authorise(self, source: str, business_id: int) -> None:
        if self.producers is None:
            return
        granted = self.producers.get(source)
        if granted is None:
            raise MalformedEvent(
                f"producer {source!r} may not write requests (not in HERALD_KAFKA_REQUEST_PRODUCERS)"
            )
        if granted != ANY_BUSINESS and business_id not in granted:
            raise MalformedEvent(f"producer {source!r} may not act for business {business_id}")


OPEN = IntakeRules()
"""Checks the post rules only: every producer may act for every business."""

"""The pure timing rules: due time, publish-by deadline, grace, lease terms."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from herald_common.events import LatePolicy
from herald_scheduler.model import LeaseTerms, due_time, is_missed, publish_deadline, resolve_grace

NOW = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)


def test_no_scheduled_time_means_now_and_a_past_time_stays_as_it_was() -> None:
    assert due_time(None, NOW) == NOW
    past = NOW - timedelta(hours=1)
    assert due_time(past, NOW) == past


def test_publish_by_is_due_plus_grace_for_skip_and_none_for_publish() -> None:
    assert publish_deadline(NOW, LatePolicy.SKIP, 300) == NOW + timedelta(seconds=300)
    assert publish_deadline(NOW, LatePolicy.PUBLISH, 300) is None


def test_per_post_grace_overrides_the_default_even_when_zero() -> None:
    assert resolve_grace(None, 300) == 300
    assert resolve_grace(0, 300) == 0
    assert resolve_grace(60, 300) == 60


def test_missed_only_strictly_after_the_deadline() -> None:
    deadline = NOW + timedelta(seconds=10)
    assert not is_missed(None, NOW + timedelta(days=1))
    assert not is_missed(deadline, deadline)
    assert is_missed(deadline, deadline + timedelta(microseconds=1))


def test_lease_terms() -> None:
    lease = LeaseTerms("me", ttl_seconds=30, horizon_seconds=5).at(NOW)
    assert lease.owner == "me"
    assert lease.until == NOW + timedelta(seconds=30)
    assert lease.horizon_end == NOW + timedelta(seconds=5)

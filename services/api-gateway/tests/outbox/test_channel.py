"""Writers that wake the relay (a cancel's outbox row) must notify the channel the relay listens on."""

from __future__ import annotations

from herald_gateway.outbox import repository as outbox_repository
from herald_gateway.posts import repository as posts_repository


def test_the_posts_repository_notifies_the_channel_the_relay_listens_on() -> None:
    assert posts_repository.OUTBOX_CHANNEL == outbox_repository.OUTBOX_CHANNEL

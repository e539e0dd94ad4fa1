"""The composition root: OAuth 2.0 or OAuth 1.0a accounts from settings."""

from __future__ import annotations

import pytest

from herald_common.platforms import Platform
from herald_common.publishing.outcomes import ReauthRequired
from herald_publisher_twitter.main import create_app, settings_accounts
from herald_publisher_twitter.settings import Settings


async def test_accounts_from_settings() -> None:
    bearer = await settings_accounts(Settings(twitter_user_token="dev-x")).resolve(1, Platform.TWITTER, None)
    assert bearer.access_token == "dev-x" and bearer.token_secret is None
    oauth1 = await settings_accounts(
        Settings(
            twitter_consumer_key="ck",
            twitter_consumer_secret="cs",
            twitter_access_token="t",
            twitter_access_token_secret="ts",
            twitter_user_id="42",
        )
    ).resolve(1, Platform.TWITTER, "42")
    assert (oauth1.account_id, oauth1.token_secret, dict(oauth1.extra)) == (
        "42",
        "ts",
        {"consumer_key": "ck", "consumer_secret": "cs"},
    )
    with pytest.raises(ReauthRequired, match="HERALD_TWITTER_USER_TOKEN"):
        await settings_accounts(Settings()).resolve(1, Platform.TWITTER, None)
    with pytest.raises(ValueError, match="all four"):
        Settings(twitter_consumer_key="ck")
    assert create_app(Settings(accounts_source="settings")).title == "Herald publisher-twitter"

"""Composition root of the X publisher: its platform clients and the account the environment names
(everything else is herald_common.publishing.app)."""

from __future__ import annotations

from herald_common.platforms import Platform
from herald_common.publishing.accounts import Account, SettingsAccounts
from herald_common.publishing.app import publisher_main
from herald_common.publishing.client import ClientFactory
from herald_publisher_twitter.client import XClient
from herald_publisher_twitter.settings import Settings


def clients_for(settings: Settings) -> ClientFactory:
    return lambda http, budgets: {Platform.TWITTER: XClient(http, settings, budgets)}


def settings_accounts(settings: Settings) -> SettingsAccounts:
    """The account from the environment: OAuth 1.0a keys when set, else the OAuth 2.0 user token.
    An empty account id is looked up with GET /2/users/me."""
    s = settings
    account: Account | None = None
    user_id = s.twitter_user_id or ""
    if s.uses_oauth1:
        assert s.twitter_access_token and s.twitter_consumer_key and s.twitter_consumer_secret
        account = Account(
            Platform.TWITTER,
            user_id,
            s.twitter_access_token,
            token_secret=s.twitter_access_token_secret,
            extra={"consumer_key": s.twitter_consumer_key, "consumer_secret": s.twitter_consumer_secret},
        )
    elif s.twitter_user_token:
        account = Account(Platform.TWITTER, user_id, s.twitter_user_token)
    return SettingsAccounts(
        {Platform.TWITTER: account},
        {Platform.TWITTER: "set HERALD_TWITTER_USER_TOKEN or the four OAuth 1.0a settings"},
    )


publisher = publisher_main(
    Settings, title="Herald publisher-twitter", clients=clients_for, env_accounts=settings_accounts
)
create_app = publisher.create_app
run = publisher.run


if __name__ == "__main__":
    run()

"""Composition root of the X publisher."""

from __future__ import annotations

from fastapi import FastAPI

from herald_common.accounts.wiring import publisher_accounts
from herald_common.platforms import Platform
from herald_common.publishing.accounts import Account, SettingsAccounts
from herald_common.publishing.app import ResolverFactory, create_publisher_app, run_publisher
from herald_common.publishing.client import ClientFactory
from herald_common.settings import load_settings
from herald_publisher_twitter.client import XClient
from herald_publisher_twitter.settings import Settings

TITLE = "Herald publisher-twitter"


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


def accounts_for(settings: Settings) -> ResolverFactory:
    """Connected accounts from PostgreSQL (default), or the one from the environment."""
    return publisher_accounts(settings, lambda: settings_accounts(settings))


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or load_settings(Settings)
    return create_publisher_app(settings, clients_for(settings), accounts_for(settings), title=TITLE)


def run() -> None:
    settings = load_settings(Settings)
    run_publisher(settings, clients_for(settings), accounts_for(settings), title=TITLE)


if __name__ == "__main__":
    run()

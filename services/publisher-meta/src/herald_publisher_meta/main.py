"""Composition root of the Meta publisher (Facebook Pages and Instagram)."""

from __future__ import annotations

from fastapi import FastAPI

from herald_common.accounts.wiring import publisher_accounts
from herald_common.platforms import Platform
from herald_common.publishing.accounts import Account, SettingsAccounts
from herald_common.publishing.app import ResolverFactory, create_publisher_app, run_publisher
from herald_common.publishing.client import ClientFactory
from herald_common.settings import load_settings
from herald_publisher_meta.facebook import FacebookClient
from herald_publisher_meta.instagram import InstagramClient
from herald_publisher_meta.settings import Settings

TITLE = "Herald publisher-meta"


def clients_for(settings: Settings) -> ClientFactory:
    return lambda http, budgets: {
        Platform.FACEBOOK: FacebookClient(http, settings, budgets),
        Platform.INSTAGRAM: InstagramClient(http, settings, budgets),
    }


def settings_accounts(settings: Settings) -> SettingsAccounts:
    """The Page and its Instagram account, both used with the Page token."""
    token = settings.facebook_page_token
    hint = "set HERALD_FACEBOOK_PAGE_TOKEN"
    return SettingsAccounts(
        {
            Platform.FACEBOOK: Account(Platform.FACEBOOK, settings.facebook_page_id, token)
            if token
            else None,
            Platform.INSTAGRAM: Account(Platform.INSTAGRAM, settings.instagram_user_id, token)
            if token
            else None,
        },
        {Platform.FACEBOOK: hint, Platform.INSTAGRAM: hint},
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

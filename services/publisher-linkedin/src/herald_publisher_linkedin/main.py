"""Composition root of the LinkedIn publisher."""

from __future__ import annotations

from fastapi import FastAPI

from herald_common.accounts.wiring import publisher_accounts
from herald_common.platforms import Platform
from herald_common.publishing.accounts import Account, SettingsAccounts
from herald_common.publishing.app import ResolverFactory, create_publisher_app, run_publisher
from herald_common.publishing.client import ClientFactory
from herald_common.settings import load_settings
from herald_publisher_linkedin.client import LinkedInClient
from herald_publisher_linkedin.settings import Settings

TITLE = "Herald publisher-linkedin"


def clients_for(settings: Settings) -> ClientFactory:
    return lambda http, budgets: {Platform.LINKEDIN: LinkedInClient(http, settings, budgets)}


def settings_accounts(settings: Settings) -> SettingsAccounts:
    token = settings.linkedin_access_token
    account = Account(Platform.LINKEDIN, settings.linkedin_author_urn, token) if token else None
    return SettingsAccounts(
        {Platform.LINKEDIN: account}, {Platform.LINKEDIN: "set HERALD_LINKEDIN_ACCESS_TOKEN"}
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

"""Composition root of the LinkedIn publisher: its platform clients and the account the environment names
(everything else is herald_common.publishing.app)."""

from __future__ import annotations

from herald_common.platforms import Platform
from herald_common.publishing.accounts import Account, SettingsAccounts
from herald_common.publishing.app import publisher_main
from herald_common.publishing.client import ClientFactory
from herald_publisher_linkedin.client import LinkedInClient
from herald_publisher_linkedin.settings import Settings


def clients_for(settings: Settings) -> ClientFactory:
    return lambda http, budgets: {Platform.LINKEDIN: LinkedInClient(http, settings, budgets)}


def settings_accounts(settings: Settings) -> SettingsAccounts:
    token = settings.linkedin_access_token
    account = Account(Platform.LINKEDIN, settings.linkedin_author_urn, token) if token else None
    return SettingsAccounts(
        {Platform.LINKEDIN: account}, {Platform.LINKEDIN: "set HERALD_LINKEDIN_ACCESS_TOKEN"}
    )


publisher = publisher_main(
    Settings, title="Herald publisher-linkedin", clients=clients_for, env_accounts=settings_accounts
)
create_app = publisher.create_app
run = publisher.run


if __name__ == "__main__":
    run()

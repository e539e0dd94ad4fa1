"""Composition root of the Meta publisher (Facebook Pages and Instagram): its platform clients and
the accounts the environment names (everything else is herald_common.publishing.app)."""

from __future__ import annotations

from herald_common.platforms import Platform
from herald_common.publishing.accounts import Account, SettingsAccounts
from herald_common.publishing.app import publisher_main
from herald_common.publishing.client import ClientFactory
from herald_publisher_meta.facebook import FacebookClient
from herald_publisher_meta.instagram import InstagramClient
from herald_publisher_meta.settings import Settings


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


publisher = publisher_main(
    Settings, title="Herald publisher-meta", clients=clients_for, env_accounts=settings_accounts
)
create_app = publisher.create_app
run = publisher.run


if __name__ == "__main__":
    run()

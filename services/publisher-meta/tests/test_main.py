"""The composition root: the Page and its Instagram account from settings, one Page token."""

from __future__ import annotations

import pytest

from herald_common.platforms import Platform
from herald_common.publishing.outcomes import ReauthRequired
from herald_publisher_meta.main import create_app, settings_accounts
from herald_publisher_meta.settings import Settings


async def test_accounts_from_settings() -> None:
    accounts = settings_accounts(
        Settings(facebook_page_token="dev-meta-page", facebook_page_id="5", instagram_user_id="6")
    )
    page = await accounts.resolve(1, Platform.FACEBOOK, None)
    ig = await accounts.resolve(1, Platform.INSTAGRAM, None)
    assert (page.account_id, ig.account_id, ig.access_token) == ("5", "6", "dev-meta-page")
    with pytest.raises(ReauthRequired, match="HERALD_FACEBOOK_PAGE_TOKEN"):
        await settings_accounts(Settings()).resolve(1, Platform.INSTAGRAM, None)
    assert create_app(Settings(accounts_source="settings")).title == "Herald publisher-meta"

"""Operator commands: `herald-api-gateway rotate-token-key` (re-encrypts account tokens and webhook
signing secrets with the active key) and (dev only) `seed-dev-accounts`."""

from __future__ import annotations

import sys

import httpx

from herald_common.accounts.crypto import TokenCipher
from herald_common.accounts.model import TokenSet
from herald_common.accounts.store import AccountStore
from herald_common.db.pool import create_pool
from herald_common.platforms import Platform
from herald_common.webhooks.store import WebhookStore
from herald_gateway.settings import Settings

# The platform emulator's demo identities (its `dev-` tokens), one set per demo business.
DEV_TOKENS = {
    1: {Platform.LINKEDIN: "dev-linkedin", Platform.TWITTER: "dev-x", Platform.FACEBOOK: "dev-meta-page"},
    2: {
        Platform.LINKEDIN: "dev-linkedin-demo2",
        Platform.TWITTER: "dev-x-demo2",
        Platform.FACEBOOK: "dev-meta-page-2",
    },
}


async def run(command: str, settings: Settings) -> None:
    if settings.token_encryption_keys is None:
        sys.exit("HERALD_TOKEN_ENCRYPTION_KEYS is not set")
    cipher = TokenCipher.from_setting(settings.token_encryption_keys.get_secret_value())
    pool = await create_pool(settings.database_url, min_size=1, max_size=2)
    try:
        store = AccountStore(pool, cipher)
        if command == "rotate-token-key":
            accounts = await store.reseal_all()
            endpoints = await WebhookStore(pool, cipher).reseal_all()
            print(
                f"re-encrypted with key {cipher.active!r}: the tokens of {accounts} account(s) and the"
                f" signing secrets of {endpoints} webhook endpoint(s)"
            )
        elif settings.environment == "prod":
            sys.exit("seed-dev-accounts connects the emulator's demo accounts; it refuses to run in prod")
        else:
            async with httpx.AsyncClient(timeout=10) as http:
                for business_id, tokens in DEV_TOKENS.items():
                    for platform, token in tokens.items():
                        for account_id, name, plat in await _identities(http, settings, platform, token):
                            await store.save(
                                business_id=business_id,
                                platform=plat,
                                account_id=account_id,
                                display_name=name,
                                tokens=TokenSet(access_token=token),
                                connected_by="seed-dev-accounts",
                            )
            print("connected the emulator's demo accounts for businesses 1 and 2")
    finally:
        await pool.close()


async def _identities(
    http: httpx.AsyncClient, s: Settings, platform: Platform, token: str
) -> list[tuple[str, str, Platform]]:
    """Who a demo token is, asked of the (emulated) platform with the same calls the OAuth callback makes."""
    auth = {"Authorization": f"Bearer {token}"}
    if platform is Platform.LINKEDIN:
        me = (
            (await http.get(f"{s.linkedin_api_base_url}/v2/userinfo", headers=auth)).raise_for_status().json()
        )
        return [(f"urn:li:person:{me['sub']}", str(me.get("name") or me["sub"]), platform)]
    if platform is Platform.TWITTER:
        me = (
            (await http.get(f"{s.twitter_api_base_url}/2/users/me", headers=auth))
            .raise_for_status()
            .json()["data"]
        )
        return [(str(me["id"]), f"@{me['username']}", platform)]
    # Pages are listed with the emulator's demo *user* token; the stored token is the stable demo
    # page token (tokens the emulator issues live only as long as its process).
    listing = await http.get(
        f"{s.graph_api_base_url}/{s.graph_api_version}/me/accounts",
        params={"fields": "id,name,instagram_business_account", "access_token": "dev-meta-user"},
    )
    found = []
    for page in listing.raise_for_status().json().get("data", [])[:1]:
        found.append((str(page["id"]), str(page["name"]), Platform.FACEBOOK))
        if ig := page.get("instagram_business_account"):
            found.append((str(ig["id"]), f"{page['name']} (Instagram)", Platform.INSTAGRAM))
    return found

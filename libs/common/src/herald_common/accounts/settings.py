"""Settings for connected accounts: where the platforms' OAuth servers are, our client
credentials there, and the token encryption keys. Shared by the gateway and the publishers."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr

from herald_common.settings import HeraldSettings


class AccountSettings(HeraldSettings):
    accounts_source: Literal["database", "settings"] = Field(
        "database",
        description="database: OAuth-connected accounts; settings: one static account per platform",
    )
    token_encryption_keys: SecretStr | None = Field(
        None, description="kid:base64(32 bytes) pairs, comma-separated; the first encrypts"
    )
    oauth_redirect_base_url: str = Field("http://127.0.0.1:8000", description="the gateway's public URL")

    linkedin_client_id: str = ""
    linkedin_client_secret: SecretStr = SecretStr("")
    linkedin_oauth_base_url: str = "https://www.linkedin.com"
    linkedin_api_base_url: str = "https://api.linkedin.com"
    linkedin_scopes: str = "openid profile w_member_social"

    twitter_client_id: str = ""
    twitter_client_secret: SecretStr = SecretStr("")
    twitter_oauth_base_url: str = "https://x.com"
    twitter_api_base_url: str = "https://api.x.com"
    twitter_scopes: str = "tweet.read tweet.write users.read media.write offline.access"

    meta_app_id: str = ""
    meta_app_secret: SecretStr = SecretStr("")
    meta_dialog_base_url: str = "https://www.facebook.com"
    graph_api_base_url: str = "https://graph.facebook.com"
    graph_api_version: str = Field("v25.0", pattern=r"^v\d+\.\d+$")
    meta_scopes: str = (
        "pages_show_list,pages_manage_posts,pages_read_engagement,instagram_basic,instagram_content_publish"
    )

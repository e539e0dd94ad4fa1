"""Settings of the X publisher (HERALD_* environment variables)."""

from __future__ import annotations

from pydantic import Field, model_validator

from herald_common.publishing.settings import PublisherSettings


class Settings(PublisherSettings):
    service_name: str = "publisher-twitter"
    http_port: int = 8003

    # Until accounts are connected through OAuth: an OAuth 2.0 user token, or the four OAuth 1.0a values.
    twitter_user_token: str | None = None
    twitter_consumer_key: str | None = None
    twitter_consumer_secret: str | None = None
    twitter_access_token: str | None = None
    twitter_access_token_secret: str | None = None
    twitter_user_id: str | None = Field(None, description="looked up with GET /2/users/me when unset")

    @model_validator(mode="after")
    def _one_auth_method(self) -> Settings:
        oauth1 = [
            self.twitter_consumer_key,
            self.twitter_consumer_secret,
            self.twitter_access_token,
            self.twitter_access_token_secret,
        ]
        if any(oauth1) and not all(oauth1):
            raise ValueError(
                "OAuth 1.0a needs all four of HERALD_TWITTER_CONSUMER_KEY, _CONSUMER_SECRET, "
                "_ACCESS_TOKEN and _ACCESS_TOKEN_SECRET"
            )
        return self

    @property
    def uses_oauth1(self) -> bool:
        return bool(self.twitter_consumer_key)

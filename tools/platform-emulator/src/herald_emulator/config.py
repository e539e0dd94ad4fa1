"""Run-time configuration: limits and behaviours that tests may change while the emulator runs.

Values tagged [U] in docs/reference are assumptions about the real platforms; they are
configurable precisely because nobody has confirmed them.
"""

from typing import Any, Literal

from pydantic import BaseModel, Field

DAY_S = 86_400


class LinkedInConfig(BaseModel):
    # None means "rolling": every YYYYMM of the last `version_lifetime_months` months is active,
    # which mirrors LinkedIn keeping each monthly version for about a year [U].
    active_versions: list[str] | None = None
    version_lifetime_months: int = 12
    require_restli_protocol_header: bool = True
    daily_posts_per_member: int = 150
    commentary_max_chars: int = 3000
    comment_max_chars: int = 1250
    duplicate_window_s: float = DAY_S  # [U] reports say 24-48 h
    image_processing_s: float = 1.0  # [U] PROCESSING -> AVAILABLE
    reject_unavailable_images: bool = False  # [U] whether a post may reference a PROCESSING image
    access_token_ttl_s: int = 60 * DAY_S
    refresh_token_ttl_s: int = 365 * DAY_S
    issue_refresh_tokens: bool = True
    oauth_member_id: str = "demo"


class TwitterConfig(BaseModel):
    max_weighted_length: int = 280
    post_window_limit: int = 100
    window_s: int = 900
    read_window_limit: int = 900
    user_24h_limit: int = 10_000
    app_24h_limit: int = 10_000
    duplicate_window_s: float = DAY_S  # [U]
    # The brief asks for 400; real X reportedly answers 403 "deleted or not visible" [3P].
    reply_to_unknown: Literal["invalid_request", "forbidden"] = "invalid_request"
    too_long_status: int = 400  # [U]
    oauth1_consumers: dict[str, str] = Field(
        default_factory=lambda: {
            "dev-consumer": "dev-consumer-secret",
            "xvz1evFS4wEEPTGEFPHBog": "kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw",
        }
    )
    # token -> {"secret": ..., "username": ...}
    oauth1_tokens: dict[str, dict[str, str]] = Field(
        default_factory=lambda: {
            "dev-x-token": {"secret": "dev-x-token-secret", "username": "herald_demo"},
            "370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb": {
                "secret": "LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE",
                "username": "herald_demo",
            },
        }
    )
    oauth1_max_clock_skew_s: float | None = None  # None: timestamps are not checked
    # Signatures are also accepted when computed for these canonical hosts, so a client that
    # signs the real URL but is routed to the emulator still verifies.
    oauth1_canonical_origins: list[str] = Field(
        default_factory=lambda: ["https://api.x.com", "https://api.twitter.com", "https://upload.twitter.com"]
    )
    oauth2_clients: dict[str, str | None] = Field(default_factory=dict)  # client_id -> secret (None: public)
    access_token_ttl_s: int = 7200
    default_username: str = "herald_demo"
    media_processing_s: float = 1.0


class MetaPage(BaseModel):
    id: str
    name: str
    instagram_business_account: str | None = None
    instagram_username: str | None = None


class FacebookConfig(BaseModel):
    pages: list[MetaPage] = Field(
        default_factory=lambda: [
            MetaPage(
                id="100000000000001",
                name="Herald Demo Page",
                instagram_business_account="17841400000000001",
                instagram_username="herald.demo",
            )
        ]
    )
    user_id: str = "10000000000000001"
    user_name: str = "Herald Demo"
    page_calls_per_window: int = 4800  # simplified BUC: calls per page per usage window
    app_calls_per_window: int = 2000
    usage_window_s: int = 3600
    throttle_code: int = 80001  # code sent when a Page token runs over (32 for the legacy limit)
    duplicate_window_s: float = DAY_S  # [U]
    duplicate_code: Literal[506, 368] = 506
    message_max_chars: int = 63_206  # [3P] not in Meta's docs
    short_lived_user_token_ttl_s: int = 7200
    long_lived_user_token_ttl_s: int = 5_183_944
    check_image_urls: bool = True


class InstagramConfig(BaseModel):
    quota_total: int = 50  # [U] 25, 50 or 100 depending on the doc's date
    quota_duration_s: int = DAY_S
    containers_per_24h: int = 400
    container_processing_s: float = 1.0
    container_ttl_s: int = DAY_S
    caption_max_chars: int = 2200
    max_hashtags: int = 30
    max_mentions: int = 20
    alt_text_max_chars: int = 1000
    require_jpeg: bool = True


class FaultDefaults(BaseModel):
    hold_s: float = 10.0  # how long "timeout"/"drop_after_create" keep a request hanging


class EmulatorConfig(BaseModel):
    rate_limits_enabled: bool = True
    linkedin: LinkedInConfig = Field(default_factory=LinkedInConfig)
    twitter: TwitterConfig = Field(default_factory=TwitterConfig)
    facebook: FacebookConfig = Field(default_factory=FacebookConfig)
    instagram: InstagramConfig = Field(default_factory=InstagramConfig)
    faults: FaultDefaults = Field(default_factory=FaultDefaults)

    def merged(self, changes: dict[str, Any]) -> "EmulatorConfig":
        """A new config with `changes` deep-merged in; validation errors raise ValueError."""
        return EmulatorConfig.model_validate(_deep_merge(self.model_dump(), changes))


def _deep_merge(base: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged

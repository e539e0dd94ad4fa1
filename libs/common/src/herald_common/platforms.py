"""The social platforms Herald publishes to."""

from __future__ import annotations

from enum import StrEnum


class Platform(StrEnum):
    LINKEDIN = "linkedin"
    TWITTER = "twitter"
    FACEBOOK = "facebook"
    INSTAGRAM = "instagram"

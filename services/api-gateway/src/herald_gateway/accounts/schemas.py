"""Bodies of the accounts API."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from herald_common.platforms import Platform


class AccountView(BaseModel):
    id: str
    business_id: int
    platform: Platform
    account_id: str
    display_name: str
    status: str
    """active, or reauth_required: send the user to /api/oauth/{platform}/authorize again."""
    access_expires_at: datetime | None
    created_at: datetime
    is_default: bool = False
    """Posts that name no account of this platform go out under this one."""


class AuthorizationStart(BaseModel):
    authorization_url: str
    expires_in: int


class Connected(BaseModel):
    accounts: list[AccountView]

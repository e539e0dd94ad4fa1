"""Bodies of the accounts API."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict
from pydantic.config import JsonDict

from herald_common.platforms import Platform

_ACCOUNT_EXAMPLE: JsonDict = {
    "id": "7c0e9d1a-52b4-4d3b-8d8e-0f7f3b1a2c44",
    "business_id": 1,
    "platform": "linkedin",
    "account_id": "urn:li:organization:1234",
    "display_name": "Acme Bakery",
    "status": "active",
    "access_expires_at": "2030-03-01T09:00:00Z",
    "created_at": "2030-01-01T09:00:00Z",
}


class AccountView(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [_ACCOUNT_EXAMPLE]})

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
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "authorization_url": "https://www.linkedin.com/oauth/v2/authorization?response_type=code&state=…",
                    "expires_in": 600,
                }
            ]
        }
    )

    authorization_url: str
    expires_in: int


class Connected(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"accounts": [_ACCOUNT_EXAMPLE]}]})

    accounts: list[AccountView]


class AuthorizationLink(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "url": "https://api.example.com/api/oauth/linkedin/authorize?link=eyJpIjoi….Zk3…",
                    "expires_in": 120,
                }
            ]
        }
    )

    url: str
    """Open it in the browser (window.location.href, a mail, a script): once, within expires_in."""
    expires_in: int

"""Connected accounts as the code sees them. Tokens exist in plaintext only in these objects,
in memory, for as long as a call needs them; their repr never shows them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from herald_common.platforms import Platform


@dataclass(frozen=True)
class TokenSet:
    access_token: str = field(repr=False)
    refresh_token: str | None = field(default=None, repr=False)
    token_secret: str | None = field(default=None, repr=False)
    access_expires_at: datetime | None = None
    refresh_expires_at: datetime | None = None
    scopes: str = ""


@dataclass(frozen=True)
class AccountSummary:
    id: str
    business_id: int
    platform: Platform
    account_id: str
    display_name: str
    status: str
    access_expires_at: datetime | None
    scopes: str
    created_at: datetime
    is_default: bool = False
    """Posts that name no account of this platform go out under this one."""


@dataclass(frozen=True)
class ConnectedAccount:
    summary: AccountSummary
    tokens: TokenSet = field(repr=False)

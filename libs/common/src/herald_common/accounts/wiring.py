"""Where the connected-accounts tables live: the gateway owns them (OAuth connect, API), the
publishers read them (herald_common.publishing.connected_accounts); both apply these migrations."""

from __future__ import annotations

from pathlib import Path

SCHEMA = "accounts"
MIGRATIONS = Path(__file__).parent / "migrations"

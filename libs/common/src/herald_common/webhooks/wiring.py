"""Where the webhook tables live: their own schema, migrated by the gateway and the notifier."""

from __future__ import annotations

from pathlib import Path

SCHEMA = "webhooks"
MIGRATIONS = Path(__file__).parent / "migrations"

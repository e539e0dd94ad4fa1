"""The asyncpg pool factory, and the database the services share (each owns a schema in it)."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

import asyncpg


def _server_settings(schema: str | None) -> dict[str, str]:
    # The service's own schema first: its SQL names its tables without a prefix.
    return {"search_path": f"{schema}, public"} if schema else {}


async def create_pool(
    dsn: str, *, schema: str | None = None, min_size: int = 2, max_size: int = 10
) -> asyncpg.Pool:
    return await asyncpg.create_pool(
        dsn,
        min_size=min_size,
        max_size=max_size,
        command_timeout=30,
        timeout=5,
        server_settings=_server_settings(schema),
    )


async def connect(dsn: str, *, schema: str | None = None) -> asyncpg.Connection:
    """A single connection outside the pool (listeners, advisory-lock holders)."""
    return await asyncpg.connect(dsn, timeout=5, command_timeout=30, server_settings=_server_settings(schema))


async def ensure_database(dsn: str) -> bool:
    """Create the database named in `dsn` when it does not exist yet (dev and test clusters start empty)."""
    parts = urlsplit(dsn)
    name = parts.path.lstrip("/")
    maintenance = urlunsplit(parts._replace(path="/postgres"))
    conn = await asyncpg.connect(maintenance, timeout=5)
    try:
        if await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
            return False
        try:
            await conn.execute(f'CREATE DATABASE "{name}"')
        except asyncpg.DuplicateDatabaseError:
            return False
        return True
    finally:
        await conn.close()

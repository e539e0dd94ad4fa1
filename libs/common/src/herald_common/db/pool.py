"""The asyncpg pool factory, and the database the services share (each owns a schema in it)."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

import asyncpg
from asyncpg.connection import LoggedQuery
from prometheus_client import Histogram

QUERY_DURATION = Histogram(
    "herald_db_query_duration_seconds",
    "Statements sent to PostgreSQL, by outcome (ok | error)",
    ["outcome"],
    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)
_OK, _ERROR = QUERY_DURATION.labels("ok"), QUERY_DURATION.labels("error")


def observe_query(record: LoggedQuery) -> None:
    """asyncpg's query logger: called after every statement with its elapsed time and exception."""
    (_OK if record.exception is None else _ERROR).observe(record.elapsed)


async def _instrument(conn: asyncpg.Connection) -> None:
    conn.add_query_logger(observe_query)


def _server_settings(schema: str | None) -> dict[str, str]:
    # The service's own schema first: its SQL names its tables without a prefix.
    return {"search_path": f"{schema}, public"} if schema else {}


async def _keep_session(conn: asyncpg.Connection) -> None:
    """No reset query on release: for services that keep no session state (locks, LISTEN, SET)."""


async def _release_locks(conn: asyncpg.Connection) -> None:
    """The reset on release when sessions hold state: the only session state our pooled
    connections keep is a session advisory lock (publishers), so only locks are released, in one
    short statement instead of asyncpg's four (locks, cursors, LISTEN, settings). A transaction
    left open is rolled back first; if either fails, asyncpg closes the connection."""
    if conn.is_in_transaction():
        await conn.execute("ROLLBACK")
    await conn.execute("SELECT pg_advisory_unlock_all()")


async def create_pool(
    dsn: str,
    *,
    schema: str | None = None,
    min_size: int = 2,
    max_size: int = 10,
    reset_sessions: bool = True,
) -> asyncpg.Pool:
    """`reset_sessions=False` saves a round trip per query for services whose pooled connections
    never hold session state; publishers keep it (they take session advisory locks). Pooled
    connections never LISTEN, open cursors or SET session settings: those take `connect()`."""
    return await asyncpg.create_pool(
        dsn,
        min_size=min_size,
        max_size=max_size,
        command_timeout=30,
        timeout=5,
        server_settings=_server_settings(schema),
        init=_instrument,
        reset=_release_locks if reset_sessions else _keep_session,
    )


async def connect(dsn: str, *, schema: str | None = None) -> asyncpg.Connection:
    """A single connection outside the pool (listeners, advisory-lock holders)."""
    conn = await asyncpg.connect(dsn, timeout=5, command_timeout=30, server_settings=_server_settings(schema))
    await _instrument(conn)
    return conn


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

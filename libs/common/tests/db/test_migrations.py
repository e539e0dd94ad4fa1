"""The migrations runner against a real, empty PostgreSQL database."""

from __future__ import annotations

import asyncio
from pathlib import Path

import asyncpg
import pytest

from herald_common.db.migrations import MigrationError, apply_migrations

pytestmark = pytest.mark.infra


@pytest.fixture
def migrations_dir(tmp_path: Path) -> Path:
    (tmp_path / "0001_create_widgets.sql").write_text(
        "CREATE TABLE widgets (id bigint PRIMARY KEY, name text NOT NULL);"
    )
    (tmp_path / "0002_add_colour.sql").write_text("ALTER TABLE widgets ADD COLUMN colour text;")
    return tmp_path


async def test_applies_in_order_into_the_schema_and_is_idempotent(
    fresh_database: str, migrations_dir: Path
) -> None:
    conn = await asyncpg.connect(fresh_database)
    try:
        first = await apply_migrations(conn, "svc", migrations_dir)
        again = await apply_migrations(conn, "svc", migrations_dir)
        columns = await conn.fetch(
            "SELECT column_name FROM information_schema.columns WHERE table_schema='svc' AND table_name='widgets'"
            " ORDER BY ordinal_position"
        )
        recorded = await conn.fetch("SELECT version FROM svc.schema_migrations ORDER BY version")
    finally:
        await conn.close()
    assert first == ["0001_create_widgets.sql", "0002_add_colour.sql"]
    assert again == []
    assert [c["column_name"] for c in columns] == ["id", "name", "colour"]
    assert [r["version"] for r in recorded] == ["0001", "0002"]


async def test_concurrent_runners_apply_each_migration_once(
    fresh_database: str, migrations_dir: Path
) -> None:
    conns = [await asyncpg.connect(fresh_database) for _ in range(3)]
    try:
        results = await asyncio.gather(*(apply_migrations(c, "svc", migrations_dir) for c in conns))
    finally:
        for c in conns:
            await c.close()
    assert sorted(len(r) for r in results) == [0, 0, 2]


async def test_an_edited_applied_migration_is_refused(fresh_database: str, migrations_dir: Path) -> None:
    conn = await asyncpg.connect(fresh_database)
    try:
        await apply_migrations(conn, "svc", migrations_dir)
        (migrations_dir / "0002_add_colour.sql").write_text("ALTER TABLE widgets ADD COLUMN color text;")
        with pytest.raises(MigrationError, match="changed after it was applied"):
            await apply_migrations(conn, "svc", migrations_dir)
    finally:
        await conn.close()


async def test_a_failing_migration_leaves_nothing_half_applied(fresh_database: str, tmp_path: Path) -> None:
    (tmp_path / "0001_ok.sql").write_text("CREATE TABLE a (id int);")
    (tmp_path / "0002_broken.sql").write_text("CREATE TABLE b (id int); SELECT no_such_function();")
    conn = await asyncpg.connect(fresh_database)
    try:
        with pytest.raises(asyncpg.UndefinedFunctionError):
            await apply_migrations(conn, "svc", tmp_path)
        schemas = await conn.fetchval(
            "SELECT count(*) FROM information_schema.schemata WHERE schema_name='svc'"
        )
    finally:
        await conn.close()
    assert schemas == 0


def test_badly_named_files_are_refused(tmp_path: Path) -> None:
    from herald_common.db.migrations import load_migrations

    (tmp_path / "create.sql").write_text("SELECT 1;")
    with pytest.raises(MigrationError, match="NNNN_snake_case"):
        load_migrations(tmp_path)

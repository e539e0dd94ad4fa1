"""Every service's entry point: `migrate` applies the migrations against real PostgreSQL and exits."""

from __future__ import annotations

import asyncio
from pathlib import Path

import asyncpg
import pytest

from herald_common.runtime import run_service
from herald_common.settings import HeraldSettings

pytestmark = pytest.mark.infra


def test_migrate_applies_every_schema_and_never_builds_the_app(
    fresh_database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("one", "two"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "0001_create.sql").write_text(f"CREATE TABLE {name}_things (id int);")
    monkeypatch.setattr("sys.argv", ["herald-example", "migrate"])

    def make_app() -> object:
        raise AssertionError("`migrate` must not build or serve the app")

    settings = HeraldSettings(service_name="herald-example", database_url=fresh_database)
    run_service(settings, make_app, [("one", tmp_path / "one"), ("two", tmp_path / "two")])

    async def tables() -> list[str]:
        conn = await asyncpg.connect(fresh_database)
        try:
            rows = await conn.fetch(
                "SELECT table_schema || '.' || table_name AS t FROM information_schema.tables"
                " WHERE table_name LIKE '%_things' ORDER BY 1"
            )
        finally:
            await conn.close()
        return [r["t"] for r in rows]

    assert asyncio.run(tables()) == ["one.one_things", "two.two_things"]

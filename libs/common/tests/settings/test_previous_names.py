"""The previous system's variable names never leave a service silently on its defaults."""

from __future__ import annotations

import pytest

from herald_common.settings import HeraldSettings, load_settings, previous_names_in_use


def test_a_previous_name_without_its_replacement_is_named_with_the_new_one() -> None:
    lines = previous_names_in_use({"DATABASE_URL": "postgresql://db/x", "TWITTER_API_KEY": "k"})
    assert lines == [
        "  DATABASE_URL is not read by Herald: set HERALD_DATABASE_URL",
        "  TWITTER_API_KEY is not read by Herald: set HERALD_TWITTER_CONSUMER_KEY",
    ]


def test_the_new_name_set_too_is_fine() -> None:
    assert previous_names_in_use({"REDIS_URL": "redis://x", "HERALD_REDIS_URL": "redis://y"}) == []


def test_clerk_points_at_the_jwks_setting() -> None:
    (line,) = previous_names_in_use({"CLERK_SECRET_KEY": "sk_live_x"})
    assert "HERALD_AUTH_JWKS_URL" in line and "jwks.json" in line and "sk_live_x" not in line


def test_a_service_refuses_to_start(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://db:5432/herald")
    monkeypatch.delenv("HERALD_DATABASE_URL", raising=False)
    with pytest.raises(SystemExit) as exited:
        load_settings(HeraldSettings)
    assert exited.value.code == 2
    assert "set HERALD_DATABASE_URL" in capsys.readouterr().err

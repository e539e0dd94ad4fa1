"""Production is the default, and production refuses to start with dev conveniences."""

from __future__ import annotations

import base64
import os

import pytest

from herald_common.settings import HeraldSettings
from herald_gateway.main import create_app
from herald_gateway.settings import Settings

KEYS = "k1:" + base64.b64encode(os.urandom(32)).decode()


def test_an_unset_environment_is_production(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HERALD_ENVIRONMENT", raising=False)
    assert HeraldSettings().environment == "prod"


def test_an_unknown_environment_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HERALD_ENVIRONMENT", "production")
    with pytest.raises(ValueError, match="environment"):
        HeraldSettings()


def test_prod_without_a_jwks_url_refuses_to_start(tmp_path) -> None:  # type: ignore[no-untyped-def]
    dev_key = tmp_path / "dev.pem"
    dev_key.write_text("not used")
    settings = Settings(
        environment="prod",
        token_encryption_keys=KEYS,
        auth_dev_public_key_file=dev_key,
    )
    with pytest.raises(SystemExit, match="HERALD_AUTH_JWKS_URL"):
        create_app(settings)


def test_prod_with_a_jwks_url_starts_and_ignores_the_dev_key(tmp_path) -> None:  # type: ignore[no-untyped-def]
    dev_key = tmp_path / "dev.pem"
    dev_key.write_text("not used")
    settings = Settings(
        environment="prod",
        token_encryption_keys=KEYS,
        auth_jwks_url="https://idp.example/.well-known/jwks.json",
        auth_dev_public_key_file=dev_key,
    )
    app = create_app(settings)
    assert app.state.verifier.static_key is None
    assert not any(getattr(route, "path", "") == "/dev/jwks.json" for route in app.routes)

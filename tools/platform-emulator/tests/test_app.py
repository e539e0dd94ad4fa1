import ast
from pathlib import Path

import pytest

from herald_emulator.main import create_app
from herald_emulator.settings import load_settings

SOURCE = Path(__file__).resolve().parents[1] / "src" / "herald_emulator"


def test_emulator_imports_no_other_herald_package() -> None:
    for path in SOURCE.glob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                assert not name.startswith("herald_") or name.startswith("herald_emulator"), (
                    f"{path.name}: {name}"
                )


def test_modules_stay_small() -> None:
    for path in SOURCE.glob("*.py"):
        assert len(path.read_text().splitlines()) < 400, path.name


def test_settings_from_environment() -> None:
    settings = load_settings({"HERALD_EMULATOR_PORT": "9999", "HERALD_EMULATOR_HOST": "0.0.0.0",
                              "HERALD_EMULATOR_RATE_LIMITS": "off"})  # fmt: skip
    assert (settings.host, settings.port, settings.rate_limits_enabled) == ("0.0.0.0", 9999, False)
    assert load_settings({}).port == 8090
    with pytest.raises(ValueError, match="HERALD_EMULATOR_PORT"):
        load_settings({"HERALD_EMULATOR_PORT": "eighty"})


def test_rate_limit_setting_reaches_the_config() -> None:
    app = create_app(load_settings({"HERALD_EMULATOR_RATE_LIMITS": "off"}))
    assert app.state.emulator.config.rate_limits_enabled is False

"""Process settings read from the environment once, at start-up.

Only this module reads ``os.environ``; everything that can change at run time lives in
:mod:`herald_emulator.config` and is changed through ``POST /_emulator/config``.
"""

import os
from dataclasses import dataclass

_OFF_VALUES = {"off", "false", "0", "no", "disabled"}


@dataclass(frozen=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = 8090
    rate_limits_enabled: bool = True


def load_settings(environ: dict[str, str] | None = None) -> Settings:
    env = os.environ if environ is None else environ
    port_text = env.get("HERALD_EMULATOR_PORT", "8090")
    if not port_text.isdigit():
        raise ValueError(f"HERALD_EMULATOR_PORT must be a port number, got {port_text!r}")
    return Settings(
        host=env.get("HERALD_EMULATOR_HOST", "127.0.0.1"),
        port=int(port_text),
        rate_limits_enabled=env.get("HERALD_EMULATOR_RATE_LIMITS", "on").strip().lower() not in _OFF_VALUES,
    )

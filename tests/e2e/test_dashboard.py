"""The dashboard in a real browser against this stack: web/e2e (Vitest + playwright-core driving
Debian's Chromium). Screenshots of every page land in web/test-results/screenshots/."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
WEB = ROOT / "web"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


@pytest.mark.timeout(660)
@pytest.mark.usefixtures("emulator")
async def test_the_dashboard_in_chromium(stack: Any) -> None:
    for needed, hint in (
        (WEB / "node_modules" / "playwright-core", "npm ci in web/ (make install)"),
        (WEB / "dist" / "index.html", "npm run build in web/ (make install)"),
        (Path(CHROMIUM), "apt-get install chromium (make install)"),
    ):
        if not needed.exists():
            pytest.fail(f"{needed} is missing: {hint}", pytrace=False)
    npx = shutil.which("npx")
    assert npx, "node and npm are required"
    try:
        run = await asyncio.to_thread(
            subprocess.run,
            [npx, "vitest", "run", "--config", "vitest.e2e.config.ts"],
            cwd=WEB,
            env={**os.environ, "HERALD_GATEWAY_URL": stack.gateway, "CHROMIUM_PATH": CHROMIUM, "CI": "true"},
            capture_output=True,
            text=True,
            timeout=600,
        )
    finally:
        stack.seed()  # the browser test reconnects an account; the demo tokens come back for later tests
    assert run.returncode == 0, f"browser tests failed:\n{run.stdout[-6000:]}\n{run.stderr[-3000:]}"

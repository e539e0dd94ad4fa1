"""Every package declares what its code imports (deptry): nothing may lean on what another
package happens to bring along, or the service breaks when it is installed alone."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = [
    "libs/common",
    "services/api-gateway",
    "services/scheduler",
    "services/publisher-linkedin",
    "services/publisher-twitter",
    "services/publisher-meta",
    "tools/platform-emulator",
]


@pytest.mark.parametrize("package", PACKAGES)
def test_the_package_declares_every_import(package: str) -> None:
    deptry = Path(sys.executable).parent / "deptry"
    done = subprocess.run(
        [str(deptry), "src"], cwd=ROOT / package, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, (
        f"deptry found undeclared or unused dependencies:\n{done.stdout}{done.stderr}"
    )

"""Fixtures of the deployment tests (tests/deploy): rendered overlays and the base, computed once."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # deploy_support, for the test modules (importlib mode)

from deploy_support import read_base, render_overlays


@pytest.fixture(scope="session")
def rendered() -> dict[str, list[dict[str, Any]]]:
    """Every overlay rendered by kustomize: overlay name -> objects."""
    return render_overlays()


@pytest.fixture(scope="session")
def base_objects() -> list[dict[str, Any]]:
    """The base's objects as written, before any overlay."""
    return read_base()

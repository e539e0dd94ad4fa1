"""The built dashboard served from the API's origin under /app/."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest


@pytest.fixture
def dist(tmp_path: Path) -> Path:
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text("<!doctype html><title>Herald</title>")
    (tmp_path / "assets" / "index-abc123.js").write_text("console.log('herald')")
    (tmp_path / "favicon.svg").write_text("<svg/>")
    return tmp_path


async def test_routes_of_the_app_get_its_page_and_bundles_are_cached(
    gateway_factory: Callable[..., Any], dist: Path
) -> None:
    async with gateway_factory(web_dist_dir=dist) as api:
        for path in ("/app/", "/app/dashboard/scheduled", "/app/posts/123"):
            page = await api.get(path)
            assert page.status_code == 200, path
            assert page.text.startswith("<!doctype html>")
            assert page.headers["cache-control"] == "no-cache"
            csp = page.headers["content-security-policy"]
            assert "script-src 'self'" in csp and "connect-src 'self'" in csp
            assert page.headers.get_list("content-security-policy") == [csp], "one policy, the app's"
        bundle = await api.get("/app/assets/index-abc123.js")
        assert bundle.status_code == 200
        assert "immutable" in bundle.headers["cache-control"]
        assert (await api.get("/app/favicon.svg")).text == "<svg/>"
        missing = await api.get("/app/assets/index-gone.js")
        assert missing.status_code == 404, "a missing bundle is not answered with the page"
        assert (await api.get("/app/../pyproject.toml")).status_code in (200, 404)
        assert "pyproject" not in (await api.get("/app/%2e%2e/%2e%2e/pyproject.toml")).text
        redirect = await api.get("/app", follow_redirects=False)
        assert redirect.status_code == 308 and redirect.headers["location"] == "/app/"
        # The API keeps its own locked-down policy.
        health = await api.get("/api/v2/auth/config")
        assert health.headers["content-security-policy"] == "default-src 'none'; frame-ancestors 'none'"


async def test_no_dashboard_unless_configured(gateway_factory: Callable[..., Any]) -> None:
    async with gateway_factory() as api:
        assert (await api.get("/app/")).status_code == 404


def test_a_dist_folder_without_a_build_stops_the_start(tmp_path: Path) -> None:
    from fastapi import FastAPI

    from herald_gateway.webapp import mount_dashboard

    with pytest.raises(SystemExit, match="npm run build"):
        mount_dashboard(FastAPI(), tmp_path)


async def test_with_oidc_the_page_may_call_the_identity_provider(
    gateway_factory: Callable[..., Any], dist: Path
) -> None:
    async with gateway_factory(
        web_dist_dir=dist, auth_issuer="https://id.example.com/realms/herald", auth_oidc_client_id="dash"
    ) as api:
        csp = (await api.get("/app/")).headers["content-security-policy"]
    assert "connect-src 'self' https://id.example.com;" in csp

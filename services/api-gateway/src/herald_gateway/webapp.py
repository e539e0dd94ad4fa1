"""Serves the built dashboard (web/dist) under /app/ from the API's own origin, so CORS stays closed.

Files under /app/assets/ carry a content hash in their names and are cached for a year; every
other path under /app/ is a route of the single-page app and gets index.html (never cached, so a
new release is picked up at the next load).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from urllib.parse import urlsplit

from fastapi import FastAPI
from fastapi.responses import FileResponse, RedirectResponse
from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from herald_gateway.problems import NotFound

PREFIX = "/app"


def app_csp(connect_sources: Sequence[str] = ()) -> str:
    """Scripts and styles from this origin only, no inline script, no framing; API calls to this
    origin (and the identity provider's, for the sign-in code exchange)."""
    connect = " ".join(["'self'", *connect_sources])
    return (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        f"connect-src {connect}; font-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


class _Assets(StaticFiles):
    def __init__(self, directory: Path, headers: dict[str, str]) -> None:
        super().__init__(directory=directory)
        self.headers = {**headers, "Cache-Control": "public, max-age=31536000, immutable"}

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        response.headers.update(self.headers)
        return response


def mount_dashboard(app: FastAPI, dist: Path, connect_sources: Sequence[str] = ()) -> None:
    headers = {"Content-Security-Policy": app_csp(connect_sources)}
    index = dist / "index.html"
    if not index.is_file():
        raise SystemExit(f"HERALD_WEB_DIST_DIR={dist} has no index.html: run `npm run build` in web/")
    if (dist / "assets").is_dir():
        app.mount(f"{PREFIX}/assets", _Assets(dist / "assets", headers), name="dashboard-assets")

    @app.get(PREFIX, include_in_schema=False)
    async def app_root() -> RedirectResponse:
        return RedirectResponse(f"{PREFIX}/", status_code=308)

    # Top-level files (favicon, robots.txt) are known at start: no path from a request reaches the disk.
    files = {p.name: p for p in dist.iterdir() if p.is_file()}

    @app.get(PREFIX + "/{path:path}", include_in_schema=False)
    async def spa(path: str) -> FileResponse:
        if path in files:
            return FileResponse(files[path], headers={**headers, "Cache-Control": "no-cache"})
        if path.startswith("assets/"):  # a missing bundle is a 404, not the app's page
            raise NotFound(f"{PREFIX}/{path} does not exist")
        return FileResponse(index, headers={**headers, "Cache-Control": "no-cache"})

"""The web console: its page at / (for a browser) and at each of its views' paths, and its
built assets under /assets. The page and the assets hold no data, so they need no token; the
console asks for one when the API answers 401.

`GET /` is also the original Venus's version document, which API clients (python-venusclient,
keystoneauth's discovery) read: they get it unless they ask for HTML first, as browsers do.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, HTMLResponse, Response

from venus.api.responses import JSON
from venus.api.v1.routes import versions_document
from venus.console import DIST
from venus.errors import NotFound

# The paths the console's router knows; each serves the same page.
VIEW_PATHS = ("/overview", "/discover", "/patterns", "/anomalies", "/chain", "/alerts", "/reports", "/settings")
ASSETS = "/assets"
# Everything the page loads comes from this server: nothing from the internet (air-gapped clouds),
# and nothing injected can load anything either. ECharts and the views set inline styles.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
       "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
NOT_BUILT = """<!doctype html><meta charset="utf-8"><title>Venus</title>
<h1>The Venus console is not built</h1>
<p>Run <code>make install</code> in the source tree (it runs <code>npm ci</code> and <code>npm run build</code>
in <code>web/</code>), then restart <code>venus serve</code>. The API works without it: <a href="/docs">/docs</a>.</p>"""


def wants_html(request: Request) -> bool:
    """A browser's request: text/html before any JSON in Accept."""
    accept = request.headers.get("accept", "")
    html, json = accept.find("text/html"), accept.find("application/json")
    return html >= 0 and (json < 0 or html < json)


def mount_console(app: FastAPI, dist: Path = DIST) -> None:
    index = dist / "index.html"
    assets = {p.name: p for p in (dist / "assets").glob("*") if p.is_file()} if (dist / "assets").is_dir() else {}

    def page() -> Response:
        if not index.is_file():
            return HTMLResponse(NOT_BUILT, status_code=503)
        return FileResponse(index, media_type="text/html", headers={
            "Cache-Control": "no-cache", "Content-Security-Policy": CSP, "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "same-origin"})

    @app.get("/", include_in_schema=False, response_model=None, tags=["console"])
    def root(request: Request) -> Response:
        return page() if wants_html(request) else JSON(versions_document(request))

    for path in VIEW_PATHS:
        app.add_api_route(path, page, include_in_schema=False, methods=["GET", "HEAD"], tags=["console"])
        app.add_api_route(f"{path}/{{rest:path}}", page, include_in_schema=False, methods=["GET", "HEAD"],
                          tags=["console"])

    @app.get(f"{ASSETS}/{{name}}", include_in_schema=False, tags=["console"])
    def asset(name: str) -> FileResponse:
        found = assets.get(name)  # only the files the build made: no path reaches elsewhere
        if found is None:
            raise NotFound(f"no console asset {name!r}", field="name")
        # Built names carry a hash of their content: they never change, so browsers keep them.
        return FileResponse(found, headers={"Cache-Control": "public, max-age=31536000, immutable",
                                            "X-Content-Type-Options": "nosniff"})


def is_console_path(path: str) -> bool:
    return path.startswith(f"{ASSETS}/") or any(path == p or path.startswith(f"{p}/") for p in VIEW_PATHS)

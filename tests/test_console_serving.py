"""How `venus serve` serves the web console: the page for browsers at / and at the views' paths,
the version document for API clients at /, the built assets with long caching, nothing else from
the assets folder, and a clear page when the console was not built. The console's own TypeScript
unit tests (vitest) run here too."""

import asyncio
import re
import subprocess
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from venus.api.console import mount_console

WEB = Path(__file__).resolve().parent.parent / "web"
HTML = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


@pytest.mark.server
def test_a_browser_gets_the_console_and_an_api_client_the_version_document(server):
    page = httpx.get(f"{server.url}/", headers=HTML)
    assert page.headers["content-type"].startswith("text/html") and '<div id="app">' in page.text
    assert "default-src 'self'" in page.headers["content-security-policy"]
    assert httpx.get(f"{server.url}/", headers={"Accept": "application/json"}).json()["versions"][0]["id"] == "v1.0"
    assert httpx.get(f"{server.url}/discover", headers=HTML).text == page.text


@pytest.mark.server
def test_built_assets_are_cached_for_good_and_nothing_else_is_served(server):
    page = httpx.get(f"{server.url}/discover", headers=HTML).text
    script = re.search(r'src="(/assets/[^"]+\.js)"', page).group(1)
    asset = httpx.get(f"{server.url}{script}")
    assert asset.status_code == 200 and "immutable" in asset.headers["cache-control"]
    for path in ("/assets/nothing.js", "/assets/..%2F..%2Fpyproject.toml", "/assets/%2e%2e/index.html"):
        missing = httpx.get(f"{server.url}{path}")
        assert missing.status_code == 404 and missing.json()["ok"] is False, path


def test_a_console_that_was_not_built_says_how_to_build_it(tmp_path):
    app = FastAPI()
    mount_console(app, tmp_path / "dist")

    async def get() -> httpx.Response:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://venus") as client:
            return await client.get("/discover")

    page = asyncio.run(get())
    assert page.status_code == 503 and "make install" in page.text


def test_the_console_unit_tests_pass():
    result = subprocess.run(["npm", "test", "--silent"], cwd=WEB, capture_output=True, text=True, timeout=300,
                            check=False)
    assert result.returncode == 0, result.stdout + result.stderr

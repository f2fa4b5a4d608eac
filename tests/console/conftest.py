"""The web console in a real browser: Debian's chromium, driven by Playwright (no browser of its
own downloaded), against one real `venus serve` holding imported demo logs, shared by every
console test (a test that adds something, a rule or a line, leaves the rest as they were).

Each test saves a screenshot under test-output/console/ (CI keeps the folder) and fails on any
error or warning in the browser's console, any page error, any answer of 400 or more and any
failed request. The exceptions: a request the console cancels itself (net::ERR_ABORTED), as it
does when a newer search replaces one still running, and the error answers a test provokes on
purpose and names in `expected_errors`.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import httpx
import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, Response, expect, sync_playwright

from tests.conftest import Server
from venus.demo.generator import DemoCloud

CHROMIUM = "/usr/bin/chromium"
OUTPUT = Path(__file__).resolve().parents[2] / "test-output" / "console"
# As the machine's probe starts it: no sandbox (root), and nothing that calls out to the internet.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-sync",
                 "--disable-background-networking", "--disable-component-update"]
DEMO_LINES = 30_000


@pytest.fixture(scope="session")
def demo(tmp_path_factory) -> Server:
    root = tmp_path_factory.mktemp("console")
    DemoCloud().write_tree(root / "logs", DEMO_LINES)
    server = Server(root / "data")
    server.cli("import", "-q", str(root / "logs"))
    yield server
    server.stop()


# Per test module, not per session: Playwright's sync API keeps an event loop running while it is
# open, and the tests after the console's call asyncio.run().
@pytest.fixture(scope="module")
def browser() -> Browser:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium (make chromium)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def expected_errors() -> set[tuple[int, str]]:
    """(status, path) of the error answers a test provokes on purpose (a form sent with a bad
    field): the browser log may show those, and only those."""
    return set()


@pytest.fixture
def page(browser: Browser, demo: Server, expected_errors: set[tuple[int, str]], request) -> Page:
    context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="en-US", base_url=demo.url)
    opened = context.new_page()
    problems: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        status = re.match(r"Failed to load resource: the server responded with a status of (\d+)", message.text)
        if status and (int(status[1]), urlparse(message.location["url"]).path) in expected_errors:
            return
        if message.type in ("error", "warning"):
            problems.append(f"console {message.type}: {message.text}")

    def on_response(response: Response) -> None:
        if response.status >= 400 and (response.status, urlparse(response.url).path) not in expected_errors:
            problems.append(f"HTTP {response.status}: {response.url}")

    opened.on("console", on_console)
    opened.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    opened.on("requestfailed", lambda r: problems.append(f"failed: {r.url} {r.failure}")
              if r.failure != "net::ERR_ABORTED" else None)
    opened.on("response", on_response)
    yield opened
    OUTPUT.mkdir(parents=True, exist_ok=True)
    opened.screenshot(path=OUTPUT / f"{request.node.name}.png")
    context.close()
    assert problems == [], "\n".join(problems)


def snapshot(page: Page, name: str) -> None:
    """A screenshot of a moment inside a test (the fixture takes one at the end of each)."""
    OUTPUT.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=OUTPUT / f"{name}.png", full_page=True)


def api_ids(demo: Server, query: str, **params) -> list[str]:
    body = httpx.get(f"{demo.url}/api/v1/search", params={"q": query, "limit": 100, **params}).json()
    return [hit["id"] for hit in body["hits"]]


def expect_rows(page: Page, expected: list[str]) -> None:
    """The table comes to show exactly these lines, in this order (a new search replaces the old
    rows when it answers)."""
    expect(page.locator("[data-testid=result-row]")).to_have_count(len(expected))
    page.wait_for_function("ids => [...document.querySelectorAll('[data-testid=result-row]')]"
                           ".map(r => r.dataset.id).join() === ids.join()", arg=expected, timeout=10_000)


def url_params(page: Page) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlparse(page.url).query).items()}

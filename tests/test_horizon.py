"""The original Horizon plugin, venus-dashboard 7.0.0, against Venus: a real Horizon 27
(tests/openstack/horizon_env.py) logs in through the session's real Keystone and finds Venus in the
catalog (cloud_venus: Keystone tokens, tenant scoping on, the lines of cloud_logs.py); Debian's
chromium, driven by Playwright, opens the five Admin → Venus panels.

Checked: Log Search draws its chart and lists the lines, Log Analysis draws its top 5, Log Error
draws chart 1, Configuration shows the retention days, and none of the panels' requests to Venus
failed; a member of the demo project, who has no Admin menu but opens the panels by URL, sees only
the demo project's lines. The plugin's own JavaScript faults (Log Error charts 2 and 3, Log
Detect's missing template) are recorded, not failed on: docs/horizon.md. Screenshots are saved in
test-output/horizon/."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, sync_playwright

from tests.console.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.openstack.cloud_logs import API_LINES, DEMO_WORD, LINES, OTHER_WORD, SYSTEM_WORD
from tests.openstack.horizon_env import PANELS, Horizon
from tests.openstack.keystone_env import ADMIN_PASSWORD

pytestmark = pytest.mark.server
OUTPUT = Path(__file__).resolve().parents[1] / "test-output" / "horizon"
PAGE_SIZE = 20  # Log Search's page


@pytest.fixture(scope="module")
def horizon(keystone, cloud_venus, tmp_path_factory):
    hz = Horizon(tmp_path_factory.mktemp("horizon"), keystone.url)
    yield hz
    hz.stop()


class Visit:
    """One user's browser on Horizon: what each panel asked of Venus (through Horizon's proxy,
    /api/venus/…) and how it was answered, and what the browser's console said."""

    def __init__(self, page: Page, base: str) -> None:
        self.page, self.base = page, base
        self.venus: list[tuple[str, int]] = []
        self.console: list[str] = []
        page.on("response", lambda r: self.venus.append((r.url.removeprefix(base), r.status))
                if "/api/venus/" in r.url else None)
        page.on("console", lambda m: self.console.append(f"{m.type}: {m.text}") if m.type == "error" else None)
        page.on("pageerror", lambda e: self.console.append(f"page error: {e}"))

    def log_in(self, user: str, password: str) -> None:
        self.page.goto(f"{self.base}/auth/login/", timeout=120_000)
        self.page.fill("#id_username", user)
        self.page.fill("#id_password", password)
        self.page.click("#loginBtn")
        self.page.wait_for_load_state("networkidle", timeout=120_000)

    def panel(self, slug: str, name: str) -> int:
        """Open a panel by its URL; its HTTP status. Waits until its requests are answered."""
        self.venus.clear()
        self.console.clear()
        answer = self.page.goto(f"{self.base}/admin/{slug}/", timeout=120_000)
        self.page.wait_for_load_state("networkidle", timeout=120_000)
        self.page.wait_for_timeout(500)  # the charts are drawn after the answers arrive
        OUTPUT.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=OUTPUT / f"{name}.png", full_page=True)
        return answer.status


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def admin(browser, horizon):
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    visit = Visit(context.new_page(), horizon.url)
    visit.log_in("admin", ADMIN_PASSWORD)
    yield visit
    context.close()


def failed(visit: Visit) -> list[tuple[str, int]]:
    return [(url, status) for url, status in visit.venus if status != 200]


def test_log_search_draws_its_chart_and_lists_the_lines(admin):
    assert admin.panel("log_search", "admin-log_search") == 200
    assert admin.venus and failed(admin) == []
    rows = admin.page.locator("tr[ng-repeat='item in tableData']")
    assert rows.count() == PAGE_SIZE
    assert {DEMO_WORD, OTHER_WORD, SYSTEM_WORD} & set(admin.page.locator("tbody").inner_text().split())
    assert admin.page.locator("#svg rect").count() > 0


def test_log_analysis_draws_its_top_5_chart(admin, cloud_venus, keystone):
    assert admin.panel("log_analysis", "admin-log_analysis") == 200
    assert admin.venus and failed(admin) == []
    top = httpx.get(f"{cloud_venus.url}/v1/search/analyse/logs", timeout=30, params={
        "group_name": "program_name", "start_time": int(time.time()) - 86_400, "end_time": int(time.time())},
        headers={"X-Auth-Token": keystone.token("admin", "admin")}).json()["data"]["count"]
    assert [c["doc_count"] for c in top] == [LINES, LINES, API_LINES]  # cinder-volume, nova-compute, nova-api
    labels = admin.page.locator("#bar-container text").all_text_contents()
    assert labels == [str(c["doc_count"]) for c in top]
    heights = [float(h) for h in admin.page.locator("#bar-container rect[fill='#007ede']").evaluate_all(
        "bars => bars.map(b => b.getAttribute('height'))")]
    assert heights[0] > 0  # the plugin scales from the smallest count: the smallest bar is flat (docs/horizon.md)


def test_log_error_draws_chart_1(admin):
    assert admin.panel("log_error", "admin-log_error") == 200
    assert len(admin.venus) == 3 and failed(admin) == []
    assert admin.page.locator("#svg1 rect").count() > 0


def test_configuration_shows_the_retention_days(admin, cloud_venus, keystone):
    kept = httpx.get(f"{cloud_venus.url}/v1/custom_config", timeout=30,
                     headers={"X-Auth-Token": keystone.token("admin", "admin")}).json()
    days = str(kept["log_save_days"])
    assert admin.panel("configuration", "admin-configuration") == 200
    assert admin.venus and failed(admin) == []
    assert admin.page.locator("#logStorageDays").input_value() == days


def test_log_detect_opens_and_asks_nothing_of_venus(admin):
    assert admin.panel("log_detect", "admin-log_detect") == 200
    assert admin.venus == []


def test_a_member_opening_the_panels_by_url_sees_only_its_projects_lines(browser, horizon):
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    member = Visit(context.new_page(), horizon.url)
    try:
        member.log_in("member", "member-password")
        for slug in PANELS:
            assert member.panel(slug, f"member-{slug}") == 200
            assert failed(member) == [], slug
            if slug == "log_search":
                shown = member.page.locator("tbody").inner_text()
                assert member.page.locator("tr[ng-repeat='item in tableData']").count() == PAGE_SIZE
                assert DEMO_WORD in shown and OTHER_WORD not in shown and SYSTEM_WORD not in shown
    finally:
        context.close()

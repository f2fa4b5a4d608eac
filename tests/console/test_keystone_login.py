"""The console on a Venus that uses Keystone (cloud_venus: tenant scoping on): it asks for a
Keystone user, password and project, as Horizon does; the server logs in and the console then
shows that project's lines; the catalog's other regions are a menu in the header. A refused
login says so in the form."""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import run_cli
from tests.console.conftest import OUTPUT
from tests.openstack.cloud_logs import DEMO_WORD, LINES, OTHER_WORD

pytestmark = pytest.mark.server


@pytest.fixture
def console(browser, cloud_venus, request) -> Page:
    context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="en-US", base_url=cloud_venus.url)
    opened = context.new_page()
    problems: list[str] = []
    opened.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    # The first requests are refused until the user signs in, and the refused login is the test's.
    opened.on("response", lambda r: problems.append(f"HTTP {r.status}: {r.url}")
              if r.status >= 400 and r.status != 401 else None)
    yield opened
    OUTPUT.mkdir(parents=True, exist_ok=True)
    opened.screenshot(path=OUTPUT / f"{request.node.name}.png")
    context.close()
    assert problems == [], "\n".join(problems)


def sign_in(page: Page, user: str, password: str, project: str) -> None:
    form = page.get_by_test_id("keystone-login")
    form.get_by_label("User name").fill(user)
    form.get_by_label("Password").fill(password)
    form.get_by_label("Project").fill(project)
    form.get_by_role("button", name="Sign in", exact=True).click()


def test_a_keystone_member_signs_in_and_sees_its_projects_lines(console):
    console.goto("/discover?from=2h&q=level%3AERROR")
    sign_in(console, "member", "member-password", "demo")
    rows = console.get_by_test_id("result-row")
    expect(rows.first).to_be_visible()
    expect(console.get_by_test_id("total")).to_contain_text(f"{LINES} lines")
    messages = " ".join(rows.all_inner_texts())
    assert DEMO_WORD in messages and OTHER_WORD not in messages


def test_the_catalogs_regions_are_a_menu_that_opens_the_other_regions_venus(console, cloud_venus):
    console.goto("/discover?from=2h")
    sign_in(console, "member", "member-password", "demo")
    menu = console.get_by_test_id("region")
    expect(menu).to_have_value(cloud_venus.url)
    menu.select_option(label="RegionTwo")
    expect(console).to_have_url(re.compile(r"^http://localhost:\d+/"))
    expect(console.get_by_test_id("keystone-login")).to_be_visible()  # a token is per address


def test_a_refused_login_says_so_in_the_form(console):
    console.goto("/discover")
    sign_in(console, "member", "wrong", "demo")
    expect(console.get_by_test_id("keystone-login").get_by_role("alert")).to_have_text(
        "Keystone refused this user, password and project")


def test_a_token_pasted_instead_signs_in_too(console, cloud_venus, keystone):
    made = run_cli("tokens", "create", "console-reader", "--role", "member", "--project",
                   keystone.ids["projects"]["other"], "--json", env=cloud_venus.env)
    console.goto("/discover?from=2h&q=level%3AERROR")
    console.get_by_test_id("keystone-login").get_by_role("button", name="Use a token instead").click()
    prompt = console.get_by_test_id("token-prompt")
    prompt.get_by_label("API token").fill(json.loads(made.stdout)["secret"])
    prompt.get_by_role("button", name="Sign in", exact=True).click()
    expect(console.get_by_test_id("total")).to_contain_text(f"{LINES} lines")
    assert OTHER_WORD in " ".join(console.get_by_test_id("result-row").all_inner_texts())

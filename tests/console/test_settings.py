"""The settings view: runtime settings saved (and refused with the API's reason), tasks run."""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.server


def test_a_setting_is_saved_and_read_back_by_the_api(page, demo):
    page.goto("/settings")
    row = page.locator("[data-testid=config-row][data-key=alert_history_days]")
    row.get_by_test_id("config-alert_history_days").fill("120")
    row.get_by_role("button", name="Save").click()
    expect(row.get_by_test_id("config-saved")).to_be_visible()
    try:
        assert httpx.get(f"{demo.url}/api/v1/config/alert_history_days").json()["value"] == "120"
    finally:
        httpx.put(f"{demo.url}/api/v1/config/alert_history_days", json={"value": "90"})


def test_a_bad_setting_is_refused_with_the_apis_reason(page, demo, expected_errors):
    expected_errors.add((400, "/api/v1/config/log_save_days"))
    page.goto("/settings")
    row = page.locator("[data-testid=config-row][data-key=log_save_days]")
    row.get_by_test_id("config-log_save_days").fill("thirty")
    row.get_by_role("button", name="Save").click()
    expect(row.get_by_role("alert")).to_contain_text("value")
    assert httpx.get(f"{demo.url}/api/v1/config/log_save_days").json()["value"] == "30"


def test_a_task_run_from_the_console_shows_its_outcome_and_last_run(page):
    page.goto("/settings")
    row = page.locator("[data-testid=task-row][data-task=cleanup]")
    row.get_by_test_id("run-task").click()
    expect(row.get_by_test_id("task-result")).to_contain_text("ok in")
    expect(row).not_to_contain_text("never run")

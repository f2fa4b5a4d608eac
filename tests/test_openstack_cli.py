"""`openstack log …` (venus.osc) in the real OpenStack client: logged in through the usual OS_*
environment against the session's real Keystone, Venus found through the catalog's log-management
endpoint (cloud_venus, tenant scoping on), output in the usual -f json|value|table."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.conftest import run_cli
from tests.openstack.cloud_logs import API_LINES, DEMO_REQUEST, DEMO_WORD, LINES, OTHER_WORD
from tests.openstack.keystone_env import ADMIN_PASSWORD

pytestmark = pytest.mark.server
OPENSTACK = Path(sys.executable).parent / "openstack"


def openstack(keystone, user: str, project: str, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OS_")}
    env.update({"OS_AUTH_URL": keystone.url, "OS_USERNAME": user, "OS_PROJECT_NAME": project,
                "OS_PASSWORD": ADMIN_PASSWORD if user == "admin" else f"{user}-password",
                "OS_USER_DOMAIN_NAME": "Default", "OS_PROJECT_DOMAIN_NAME": "Default",
                "OS_IDENTITY_API_VERSION": "3", "OS_REGION_NAME": "RegionOne", "OS_INTERFACE": "public"})
    done = subprocess.run([str(OPENSTACK), *args], env=env, capture_output=True, text=True, timeout=120, check=False)
    if check and done.returncode != 0:
        raise AssertionError(f"openstack {' '.join(args)}: {done.returncode}\n{done.stdout}\n{done.stderr}")
    return done


def test_log_search_for_errors_returns_the_projects_error_lines_as_json(keystone, cloud_venus):
    found = json.loads(openstack(keystone, "member", "demo", "log", "search", "level:ERROR", "-f", "json").stdout)
    assert len(found) == LINES
    assert {(line["Level"], line["Service"], line["Request ID"]) for line in found} == {("ERROR", "nova", DEMO_REQUEST.removeprefix("req-"))}
    assert all(DEMO_WORD in line["Message"] for line in found)


def test_log_search_as_admin_returns_every_projects_error_lines(keystone, cloud_venus):
    found = json.loads(openstack(keystone, "admin", "admin", "log", "search", "level:ERROR", "--limit", "500",
                                 "-f", "json").stdout)
    assert sum(OTHER_WORD in line["Message"] for line in found) == LINES
    assert len(found) == 2 * LINES


def test_log_search_prints_the_messages_alone_with_value_and_column(keystone, cloud_venus):
    printed = openstack(keystone, "member", "demo", "log", "search", "level:ERROR", "--limit", "3",
                        "-f", "value", "-c", "Message").stdout.splitlines()
    assert printed == [f"{DEMO_WORD} instance {i} failed to build: No valid host was found" for i in (23, 22, 21)]


def test_log_chain_lists_a_requests_lines_in_time_order(keystone, cloud_venus):
    found = json.loads(openstack(keystone, "member", "demo", "log", "chain", DEMO_REQUEST, "-f", "json").stdout)
    assert [line["Message"].split()[2] for line in found] == [str(i) for i in range(LINES)]


def test_log_stats_counts_lines_by_the_fields_asked(keystone, cloud_venus):
    counted = json.loads(openstack(keystone, "admin", "admin", "log", "stats", "--by", "service", "--by", "level",
                                   "-f", "json").stdout)
    assert sorted(counted, key=lambda c: (c["Service"], c["Level"])) == [
        {"Service": "cinder", "Level": "ERROR", "Count": LINES}, {"Service": "kernel", "Level": "WARNING", "Count": LINES},
        {"Service": "nova", "Level": "ERROR", "Count": LINES}, {"Service": "nova", "Level": "INFO", "Count": API_LINES}]


def test_log_alert_rule_list_and_show_give_the_rules(keystone, cloud_venus):
    token = keystone.token("admin", "admin")
    made = httpx.post(f"{cloud_venus.url}/api/v1/alerts/rules", headers={"X-Auth-Token": token}, timeout=30,
                      json={"name": "nova errors", "query": "service:nova level:ERROR", "threshold": 5})
    assert made.status_code == 201, made.text
    rules = json.loads(openstack(keystone, "admin", "admin", "log", "alert", "rule", "list", "-f", "json").stdout)
    assert [(r["Name"], r["Query"], r["Threshold"]) for r in rules] == [("nova errors", "service:nova level:ERROR", 5)]
    shown = json.loads(openstack(keystone, "admin", "admin", "log", "alert", "rule", "show", "nova errors",
                                 "-f", "json").stdout)
    assert (shown["name"], shown["condition"]) == ("nova errors", "count")
    assert json.loads(openstack(keystone, "admin", "admin", "log", "alert", "list", "-f", "json").stdout) == []


def test_a_refusal_is_a_clear_error_naming_the_field(keystone, cloud_venus):
    done = openstack(keystone, "member", "demo", "log", "alert", "rule", "list", check=False)
    assert done.returncode == 1
    assert "Venus answered 403" in done.stderr and "tenant scoping is on" in done.stderr


def test_a_bad_query_is_a_clear_error(keystone, cloud_venus):
    done = openstack(keystone, "member", "demo", "log", "search", "level:(ERROR", check=False)
    assert done.returncode == 1
    assert "Venus answered 400" in done.stderr and "(q)" in done.stderr


def test_the_venus_cli_finds_venus_through_the_catalog_from_the_os_variables(keystone, cloud_venus):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OS_", "VENUS_"))}
    env.update({"OS_AUTH_URL": keystone.url, "OS_USERNAME": "member", "OS_PASSWORD": "member-password",
                "OS_PROJECT_NAME": "demo", "OS_USER_DOMAIN_NAME": "Default", "OS_PROJECT_DOMAIN_NAME": "Default",
                "OS_REGION_NAME": "RegionOne", "OS_INTERFACE": "public"})
    found = run_cli("search", "level:ERROR", "--since", "2h", "--limit", "100", "--json", env=env).stdout.splitlines()
    assert len(found) == LINES and all(DEMO_WORD in json.loads(line)["message"] for line in found)


def test_the_venus_cli_says_when_keystone_refuses_the_credentials(keystone, cloud_venus):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OS_", "VENUS_"))}
    env.update({"OS_AUTH_URL": keystone.url, "OS_USERNAME": "member", "OS_PASSWORD": "wrong",
                "OS_PROJECT_NAME": "demo", "OS_USER_DOMAIN_NAME": "Default", "OS_PROJECT_DOMAIN_NAME": "Default"})
    done = run_cli("search", "level:ERROR", env=env, check=False)
    assert done.returncode == 2 and "cannot find Venus through Keystone's catalog" in done.stderr

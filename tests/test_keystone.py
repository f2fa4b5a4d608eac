"""`auth_strategy = keystone` against a real Keystone from PyPI (tests/openstack/keystone_env.py,
one per test session): tokens of its users validated by keystonemiddleware, the identity reaching
the handlers; bogus, missing, revoked and expired tokens and spoofed identity headers refused with
401; API tokens still accepted (the agent has no Keystone user); Keystone's roles under the
default policy, with tenant scoping off and on; Keystone gone is a 503, never a 500."""

from __future__ import annotations

import json
import time

import httpx
import pytest

from tests.conftest import Server, free_port, run_cli
from tests.openstack.cloud_logs import API_LINES, DEMO_WORD, LINES, OTHER_WORD, SYSTEM_WORD, cloud_lines
from tests.openstack.keystone_env import Keystone

pytestmark = pytest.mark.server


@pytest.fixture(scope="module")
def cloud(keystone, tmp_path_factory):
    """A Venus on the session's Keystone with tenant scoping off (cloud_venus has it on), holding
    the same lines."""
    server = Server(tmp_path_factory.mktemp("keystone-venus") / "data", env=keystone.venus_settings())
    lines = cloud_lines(keystone.ids["projects"]["demo"], keystone.ids["projects"]["other"])
    headers = {"X-Auth-Token": keystone.token("admin", "admin")}
    sent = httpx.post(f"{server.url}/api/v1/ingest", headers=headers, timeout=60,
                      content="\n".join(json.dumps(line) for line in lines))
    assert sent.json()["accepted"] == len(lines), sent.text
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and lines_seen(keystone, server, "admin", "admin", DEMO_WORD) < LINES + API_LINES:
        time.sleep(0.2)
    yield keystone, server
    server.stop()


def whoami(server: Server, headers: dict) -> httpx.Response:
    return httpx.get(f"{server.url}/api/v1/whoami", headers=headers, timeout=30)


def test_an_admin_token_reaches_the_handlers_with_its_identity(cloud):
    keystone, server = cloud
    answer = whoami(server, {"X-Auth-Token": keystone.token("admin", "admin")})
    identity = answer.json()["identity"]
    assert (answer.status_code, identity["user_name"], identity["project_name"], identity["via"]) == (
        200, "admin", "admin", "keystone")
    assert "admin" in identity["roles"]


@pytest.mark.parametrize(("user", "project", "method", "path", "status"), [
    ("member", "demo", "GET", "/api/v1/count", 200),
    ("member", "demo", "GET", "/api/v1/alerts/rules", 200),  # in Keystone, member implies reader
    ("member", "demo", "POST", "/api/v1/alerts/rules", 403),
    ("reader", "demo", "GET", "/api/v1/alerts/rules", 200),
    ("reader", "demo", "DELETE", "/api/v1/alerts/rules/nothing", 403),
    ("reader", "demo", "GET", "/api/v1/tokens", 403),
    ("admin", "admin", "GET", "/api/v1/tokens", 200),
])
def test_keystone_roles_are_under_the_default_policy(cloud, user, project, method, path, status):
    keystone, server = cloud
    answer = httpx.request(method, f"{server.url}{path}", headers={"X-Auth-Token": keystone.token(user, project)},
                           timeout=30)
    assert answer.status_code == status, answer.text


@pytest.mark.parametrize("headers", [
    {},
    {"X-Auth-Token": "gAAAAAbogus"},
    {"X-Identity-Status": "Confirmed", "X-User-Id": "evil", "X-Roles": "admin", "X-Project-Id": "admin"},
])
def test_bogus_missing_and_spoofed_identities_are_a_401_naming_keystone(cloud, headers):
    keystone, server = cloud
    answer = whoami(server, headers)
    assert (answer.status_code, answer.json()["field"]) == (401, "Authorization")
    assert answer.headers["WWW-Authenticate"] == f'Keystone uri="{keystone.url}"'


def test_a_revoked_token_is_refused(cloud):
    keystone, server = cloud
    token = keystone.token("admin", "admin")
    assert whoami(server, {"X-Auth-Token": token}).status_code == 200
    keystone.revoke(token)
    assert whoami(server, {"X-Auth-Token": token}).status_code == 401


def test_an_api_token_is_still_accepted_for_the_agent(cloud):
    _, server = cloud
    made = json.loads(run_cli("tokens", "create", "agent", "--role", "ingest", "--json", env=server.env).stdout)
    line = {"host": "cmp1", "message": "sent by the agent under Keystone"}
    answer = httpx.post(f"{server.url}/api/v1/ingest", json=line, headers={"X-Auth-Token": made["secret"]})
    assert answer.json()["accepted"] == 1


def test_an_expired_token_is_refused_and_keystone_gone_is_a_503_not_a_500(tmp_path):
    """A Keystone of its own: its tokens last 5 s, and it is stopped at the end."""
    port = free_port()
    keystone = Keystone(tmp_path, f"http://127.0.0.1:{port}", token_expiration=5)
    server = Server(tmp_path / "data", env=keystone.venus_settings(), port=port)
    try:
        token = keystone.token("admin", "admin")
        assert whoami(server, {"X-Auth-Token": token}).status_code == 200
        time.sleep(6)
        answer = whoami(server, {"X-Auth-Token": token})
        assert (answer.status_code, answer.json()["field"]) == (401, "Authorization")
        fresh = keystone.token("admin", "admin")
        keystone.stop()
        answer = whoami(server, {"X-Auth-Token": fresh})
        assert (answer.status_code, answer.json()["field"]) == (503, "Authorization")
        assert "Keystone could not validate the token" in answer.json()["error"]
    finally:
        server.stop()
        keystone.stop()


# -- tenant scoping on (cloud_venus): each project's tokens count their own lines -------------


def lines_seen(keystone, venus: Server, user: str, project: str, q: str = "") -> int:
    answer = httpx.get(f"{venus.url}/api/v1/count", params={"q": q, "since": "2h"}, timeout=30,
                       headers={"X-Auth-Token": keystone.token(user, project)})
    assert answer.status_code == 200, answer.text
    return answer.json()["count"]


@pytest.mark.parametrize(("user", "project", "seen"), [
    ("admin", "admin", 3 * LINES + API_LINES),  # every line: admin has venus:logs:all_projects
    ("member", "demo", LINES + API_LINES),  # the demo project's nova lines
    ("reader", "demo", LINES + API_LINES),
    ("outsider", "other", LINES),   # the other project's
])
def test_with_tenant_scoping_each_keystone_token_counts_its_projects_lines(keystone, cloud_venus, user, project, seen):
    assert lines_seen(keystone, cloud_venus, user, project) == seen


def test_with_tenant_scoping_a_member_finds_nothing_of_another_project_by_asking(keystone, cloud_venus):
    assert lines_seen(keystone, cloud_venus, "member", "demo", f"{OTHER_WORD} OR {SYSTEM_WORD}") == 0


def test_with_tenant_scoping_a_keystone_member_is_refused_the_alerts(keystone, cloud_venus):
    answer = httpx.get(f"{cloud_venus.url}/api/v1/alerts/rules", timeout=30,
                       headers={"X-Auth-Token": keystone.token("member", "demo")})
    assert (answer.status_code, answer.json()["field"]) == (403, "Authorization")


def test_without_tenant_scoping_a_keystone_member_counts_every_projects_lines(cloud):
    keystone, server = cloud
    assert whoami(server, {"X-Auth-Token": keystone.token("member", "demo")}).json()["project_scope"] is None
    every = f"{DEMO_WORD} OR {OTHER_WORD} OR {SYSTEM_WORD}"  # not the agent's line another test sends
    assert lines_seen(keystone, server, "member", "demo", every) == 3 * LINES + API_LINES


# -- the console's Keystone login ---------------------------------------------------------------


def console_login(venus: Server, **body) -> httpx.Response:
    return httpx.post(f"{venus.url}/api/v1/auth/keystone", json=body, timeout=30)


def test_the_console_logs_in_with_a_keystone_user_and_finds_venus_in_the_catalog(keystone, cloud_venus):
    answer = console_login(cloud_venus, username="member", password="member-password", project="demo")
    assert answer.status_code == 200, answer.text
    logged = answer.json()
    assert (logged["user_name"], logged["project_name"], logged["endpoints"]) == ("member", "demo", [
        {"region": "RegionOne", "url": cloud_venus.url},
        {"region": "RegionTwo", "url": cloud_venus.url.replace("127.0.0.1", "localhost")}])
    me = whoami(cloud_venus, {"Authorization": f"Bearer {logged['token']}"}).json()
    assert me["project_scope"] == keystone.ids["projects"]["demo"]


def test_a_console_login_keystone_refuses_is_a_401_naming_the_password(cloud_venus):
    answer = console_login(cloud_venus, username="member", password="wrong", project="demo")
    assert (answer.status_code, answer.json()["field"]) == (401, "password")


def test_a_console_login_without_a_project_is_a_400_naming_it(cloud_venus):
    answer = console_login(cloud_venus, username="member", password="member-password")
    assert (answer.status_code, answer.json()["field"]) == (400, "project")


def test_the_console_learns_that_the_server_uses_keystone(cloud_venus):
    assert httpx.get(f"{cloud_venus.url}/api/v1/auth", timeout=30).json()["strategy"] == "keystone"

"""`auth_strategy = keystone` against a real Keystone from PyPI (tests/openstack/keystone_env.py):
tokens of its users validated by keystonemiddleware, the identity reaching the handlers; bogus,
missing, revoked and expired tokens and spoofed identity headers refused with 401; API tokens still accepted
(the agent has no Keystone user); Keystone's roles under the default policy; Keystone gone is a
503, never a 500."""

from __future__ import annotations

import json
import time

import httpx
import pytest

from tests.conftest import Server, free_port, run_cli
from tests.openstack.keystone_env import Keystone

pytestmark = pytest.mark.server


@pytest.fixture(scope="module")
def cloud(tmp_path_factory):
    root = tmp_path_factory.mktemp("keystone")
    port = free_port()
    keystone = Keystone(root, f"http://127.0.0.1:{port}")
    server = Server(root / "data", env=keystone.venus_settings(), port=port)
    yield keystone, server
    server.stop()
    keystone.stop()


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


def test_an_expired_token_is_refused(tmp_path):
    port = free_port()
    keystone = Keystone(tmp_path, f"http://127.0.0.1:{port}", token_expiration=5)
    server = Server(tmp_path / "data", env=keystone.venus_settings(), port=port)
    try:
        token = keystone.token("admin", "admin")
        assert whoami(server, {"X-Auth-Token": token}).status_code == 200
        time.sleep(6)
        answer = whoami(server, {"X-Auth-Token": token})
        assert (answer.status_code, answer.json()["field"]) == (401, "Authorization")
    finally:
        server.stop()
        keystone.stop()


def test_keystone_gone_is_a_503_not_a_500(cloud):
    keystone, server = cloud
    token = keystone.token("admin", "admin")
    keystone.stop()  # the last test of the module: Keystone does not come back
    answer = whoami(server, {"X-Auth-Token": token})
    assert (answer.status_code, answer.json()["field"]) == (503, "Authorization")
    assert "Keystone could not validate the token" in answer.json()["error"]

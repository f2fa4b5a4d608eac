"""Policy (oslo.policy, defaults in code): every route is under a rule; admin may do everything,
reader read everything and change nothing, member read logs and keep saved searches, ingest send
logs; a policy.yaml changes a rule, and one that does not parse stops the server. Real server,
API tokens of each role."""

from __future__ import annotations

import json
import os

import httpx
import pytest

from tests.conftest import Server, run_cli
from venus.api.app import create_app, route_rules
from venus.auth.policy import PUBLIC, RULES, sample
from venus.config import load_settings

pytestmark = pytest.mark.server
ENV = {"VENUS_API_AUTH_STRATEGY": "token", "VENUS_RECEIVERS_ELASTICSEARCH_PATH": "/elasticsearch"}
RULE = {"name": "errors", "query": "level:ERROR", "threshold": 5}


def token(data_dir, role: str) -> str:
    made = run_cli("tokens", "create", f"{role}-token", "--role", role, "--json",
                   env={**os.environ, "VENUS_DATA_DIR": str(data_dir), **ENV})
    return json.loads(made.stdout)["secret"]


@pytest.fixture(scope="module")
def srv(tmp_path_factory):
    data = tmp_path_factory.mktemp("policy") / "data"
    secrets = {role: token(data, role) for role in ("admin", "reader", "member", "ingest")}
    server = Server(data, env=ENV)
    server.secrets = secrets
    yield server
    server.stop()


def test_every_route_is_under_a_registered_rule(tmp_path):
    rules = route_rules(create_app(load_settings(None, {"VENUS_DATA_DIR": str(tmp_path)})))
    assert len(rules) > 100
    assert set(rules.values()) <= {rule.name for rule in RULES}
    assert rules[("GET", "/api/v1/search")] == "venus:logs:read"
    assert rules[("POST", "/api/v1/alerts/rules")] == "venus:alerts:manage"
    assert rules[("POST", "/api/v1/alerts/rules/preview")] == "venus:alerts:read"
    assert rules[("POST", "/v1/custom_config")] == "venus:config:manage"
    assert rules[("GET", "/discover")] == PUBLIC


ALLOWED = [
    ("reader", "GET", "/api/v1/count", None, 200),
    ("reader", "GET", "/api/v1/alerts/rules", None, 200),
    ("reader", "POST", "/api/v1/alerts/rules/preview", RULE, 200),
    ("reader", "GET", "/api/v1/config", None, 200),
    ("reader", "GET", "/v1/search/params?type=host_name", None, 200),
    ("reader", "POST", "/api/v1/alerts/rules", RULE, 403),
    ("reader", "PUT", "/api/v1/config/log_save_days", {"value": 3}, 403),
    ("reader", "POST", "/v1/custom_config", {"id": "log_save_days", "value": "3"}, 403),
    ("reader", "GET", "/api/v1/tokens", None, 403),
    ("reader", "POST", "/api/v1/ingest", {"message": "x"}, 403),
    ("member", "GET", "/api/v1/count", None, 200),
    ("member", "POST", "/api/v1/searches", {"name": "mine", "query": "level:ERROR"}, 201),
    ("member", "GET", "/api/v1/alerts/rules", None, 403),
    ("member", "GET", "/api/v1/tasks", None, 403),
    ("ingest", "POST", "/api/v1/ingest", {"message": "sent"}, 200),
    ("ingest", "GET", "/api/v1/count", None, 403),
    ("ingest", "GET", "/api/v1/whoami", None, 200),
    ("admin", "POST", "/api/v1/alerts/rules", RULE, 201),
    ("admin", "GET", "/api/v1/tokens", None, 200),
]


@pytest.mark.parametrize(("role", "method", "path", "body", "status"), ALLOWED,
                         ids=[f"{r} {m} {p} {s}" for r, m, p, _, s in ALLOWED])
def test_each_role_may_do_what_the_default_policy_says(srv, role, method, path, body, status):
    answer = httpx.request(method, f"{srv.url}{path}", json=body, headers={"X-Auth-Token": srv.secrets[role]})
    assert answer.status_code == status, answer.text
    if status == 403:
        assert f"{role}-token (roles: {role})" in answer.text


def test_the_elasticsearch_ingest_is_under_the_ingest_rule(srv):
    bulk = b'{"create":{}}\n{"message":"bulk under policy","host":"cmp1"}\n'
    for role, status in (("ingest", 200), ("reader", 403)):
        answer = httpx.post(f"{srv.url}/elasticsearch/_bulk", content=bulk, headers={
            "Authorization": f"ApiKey {srv.secrets[role]}", "Content-Type": "application/x-ndjson"})
        assert answer.status_code == status, answer.text


def test_a_policy_file_changes_a_rule(tmp_path):
    policy_file = tmp_path / "policy.yaml"
    policy_file.write_text('"venus:alerts:read": "role:admin"\n')
    reader = token(tmp_path / "data", "reader")
    server = Server(tmp_path / "data", env={**ENV, "VENUS_API_POLICY_FILE": str(policy_file)})
    try:
        headers = {"X-Auth-Token": reader}
        assert httpx.get(f"{server.url}/api/v1/alerts/rules", headers=headers).status_code == 403
        assert httpx.get(f"{server.url}/api/v1/count", headers=headers).status_code == 200
    finally:
        server.stop()


def test_a_policy_file_that_does_not_parse_stops_the_server(tmp_path):
    policy_file = tmp_path / "policy.yaml"
    policy_file.write_text('"venus:alerts:read": [unclosed\n')
    failed = run_cli("serve", "--port", "1", env={**os.environ, "VENUS_DATA_DIR": str(tmp_path / "data"),
                                                   "VENUS_API_POLICY_FILE": str(policy_file)}, check=False)
    assert failed.returncode != 0 and "policy" in (failed.stderr + failed.stdout).lower()


def test_the_sample_policy_in_the_docs_is_current():
    from pathlib import Path

    assert (Path(__file__).resolve().parents[1] / "docs" / "policy.yaml.sample").read_text() == sample()


def test_the_keystone_login_is_a_404_naming_the_strategy_on_a_server_without_keystone(srv):
    answer = httpx.post(f"{srv.url}/api/v1/auth/keystone", json={"username": "a", "password": "b", "project": "c"})
    assert (answer.status_code, answer.json()["field"]) == (404, "auth_strategy")
    assert httpx.get(f"{srv.url}/api/v1/auth").json()["strategy"] == "token"

"""Static API tokens on a real server with `auth_strategy = token`: made by the CLI (before any
token exists) or the API, only their SHA-256 kept, accepted as Bearer, X-Auth-Token or an
Elasticsearch ApiKey; unknown, revoked and expired tokens refused with 401; a token with only the
ingest role may send logs and nothing else."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import time

import httpx
import pytest

from tests.conftest import Server, run_cli

pytestmark = pytest.mark.server
STRATEGY = {"VENUS_API_AUTH_STRATEGY": "token", "VENUS_RECEIVERS_ELASTICSEARCH_PATH": "/elasticsearch"}


def bearer(secret: str) -> dict:
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture(scope="module")
def srv(tmp_path_factory):
    data = tmp_path_factory.mktemp("tokens") / "data"
    env = {"VENUS_DATA_DIR": str(data), **STRATEGY}
    made = json.loads(run_cli("tokens", "create", "ops", "--role", "admin", "--json",
                              env={**os.environ, **env}).stdout)
    server = Server(data, env=STRATEGY)
    server.admin = made["secret"]
    yield server
    server.stop()


def make(srv, name: str, roles: list[str], **more) -> str:
    answer = httpx.post(f"{srv.url}/api/v1/tokens", json={"name": name, "roles": roles, **more},
                        headers=bearer(srv.admin))
    assert answer.status_code == 201, answer.text
    return answer.json()["secret"]


def test_the_token_made_by_the_cli_opens_the_api(srv):
    assert srv.admin.startswith("vns_")
    assert httpx.get(f"{srv.url}/api/v1/count", headers=bearer(srv.admin)).json()["ok"] is True
    assert httpx.get(f"{srv.url}/api/v1/count", headers={"X-Auth-Token": srv.admin}).status_code == 200


@pytest.mark.parametrize(("headers", "message"), [
    ({}, "authentication required"),
    (bearer("vns_" + "x" * 43), "this token is unknown, revoked or expired"),
    (bearer("some-keystone-looking-token"), "this token is unknown, revoked or expired"),
])
def test_a_request_without_a_valid_token_is_a_401(srv, headers, message):
    answer = httpx.get(f"{srv.url}/api/v1/count", headers=headers)
    assert (answer.status_code, answer.json()["field"]) == (401, "Authorization")
    assert answer.json()["error"].startswith(message)


def test_only_the_digest_of_a_token_is_stored(srv):
    secret = make(srv, "stored", ["admin"])
    with sqlite3.connect(srv.data_dir / "venus.sqlite") as db:
        rows = db.execute("SELECT * FROM api_tokens WHERE name = 'stored'").fetchall()
        digest = db.execute("SELECT digest FROM api_tokens WHERE name = 'stored'").fetchone()[0]
    assert rows and not any(secret in str(value) for value in rows[0])
    assert digest == hashlib.sha256(secret.encode()).hexdigest()


def test_a_token_revoked_through_the_api_is_refused_at_once(srv):
    secret = make(srv, "short-lived", ["admin"])
    assert httpx.get(f"{srv.url}/api/v1/count", headers=bearer(secret)).status_code == 200
    revoked = httpx.delete(f"{srv.url}/api/v1/tokens/short-lived", headers=bearer(srv.admin)).json()
    assert revoked["token"]["state"] == "revoked"
    assert httpx.get(f"{srv.url}/api/v1/count", headers=bearer(secret)).status_code == 401


def test_an_expired_token_is_refused(srv):
    secret = make(srv, "one-second", ["admin"], expires_in=1)
    time.sleep(1.2)
    assert httpx.get(f"{srv.url}/api/v1/count", headers=bearer(secret)).status_code == 401
    listed = httpx.get(f"{srv.url}/api/v1/tokens", headers=bearer(srv.admin)).json()["tokens"]
    assert {t["name"]: t["state"] for t in listed}["one-second"] == "expired"


def test_an_ingest_token_sends_logs_and_may_do_nothing_else(srv):
    secret = make(srv, "agent-cmp1", ["ingest"])
    line = {"host": "cmp1", "program": "nova-compute", "message": "sent with an ingest token"}
    assert httpx.post(f"{srv.url}/api/v1/ingest", json=line, headers=bearer(secret)).json()["accepted"] == 1
    bulk = b'{"create":{}}\n{"message":"bulk with an ingest token","host":"cmp1"}\n'
    answer = httpx.post(f"{srv.url}/elasticsearch/_bulk", content=bulk, headers={
        "Authorization": f"ApiKey {secret}", "Content-Type": "application/x-ndjson"})
    assert answer.json()["errors"] is False
    refused = httpx.get(f"{srv.url}/api/v1/search", headers=bearer(secret))
    assert (refused.status_code, refused.json()["field"]) == (403, "Authorization")
    assert httpx.get(f"{srv.url}/api/v1/tokens", headers=bearer(secret)).status_code == 403


@pytest.mark.parametrize(("body", "field"), [
    ({"name": "x", "roles": ["superuser"]}, "roles"),
    ({"name": "x", "roles": []}, "roles"),
    ({"name": "", "roles": ["admin"]}, "name"),
    ({"name": "x", "roles": ["admin"], "expires_in": "soon"}, "expires_in"),
    ({"name": "x", "roles": ["admin"], "secret": "mine"}, "secret"),
    ({"name": "ops", "roles": ["admin"]}, "name"),
])
def test_a_bad_token_request_names_the_field(srv, body, field):
    answer = httpx.post(f"{srv.url}/api/v1/tokens", json=body, headers=bearer(srv.admin))
    assert (answer.status_code, answer.json()["field"]) == (400, field), answer.text


def test_the_cli_lists_and_revokes_tokens(srv):
    make(srv, "for-the-cli", ["admin"])
    run_cli("tokens", "revoke", "for-the-cli", env=srv.env)
    listed = json.loads(run_cli("tokens", "list", "--json", env=srv.env).stdout)
    assert {t["name"]: t["state"] for t in listed}["for-the-cli"] == "revoked"
    assert all("secret" not in t and "digest" not in t for t in listed)


def test_with_the_token_strategy_the_server_may_listen_beyond_loopback(tmp_path):
    from venus.cli import _check_exposure
    from venus.config import load_settings

    settings = load_settings(None, {"VENUS_DATA_DIR": str(tmp_path), "VENUS_API_HOST": "0.0.0.0"})
    with pytest.raises(Exception, match="refusing to listen on 0.0.0.0"):
        _check_exposure(settings)
    _check_exposure(settings.with_overrides({("api", "auth_strategy"): "token"}))


def test_without_authentication_an_unknown_api_token_is_still_refused(tmp_path):
    server = Server(tmp_path / "data")  # noauth, no auth_token: open
    try:
        assert httpx.get(f"{server.url}/api/v1/count").status_code == 200
        assert httpx.get(f"{server.url}/api/v1/count", headers=bearer("vns_unknown")).status_code == 401
    finally:
        server.stop()


def test_the_agent_ships_a_file_with_an_ingest_token(srv, tmp_path):
    secret = make(srv, "agent-cmp2", ["ingest"])
    logs = tmp_path / "logs" / "nova-compute.log"
    logs.parent.mkdir()
    logs.write_text("2026-05-06 18:00:00.000 23 INFO nova.compute.manager [-] shipped with an ingest token\n")
    conf = tmp_path / "agent.conf"
    conf.write_text(f"[agent]\nurl = {srv.url}\nhost = token-agent\nstate_dir = {tmp_path / 'state'}\n"
                    f"paths = {logs}\ntoken = {secret}\n")
    run_cli("agent", "--once", "-c", str(conf))
    found = httpx.get(f"{srv.url}/api/v1/search", params={"q": "host:token-agent", "since": "2000-01-01"},
                      headers=bearer(srv.admin)).json()["hits"]
    assert [h["message"] for h in found] == ["shipped with an ingest token"]

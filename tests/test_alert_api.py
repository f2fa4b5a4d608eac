"""The alerting, task and settings API and CLI on a real server: bad input on every endpoint is a
4xx JSON naming the field; the CLI commands reach the same endpoints."""

from __future__ import annotations

import json

import httpx
import pytest

from tests.conftest import Server

pytestmark = pytest.mark.server
RULE = {"name": "errors", "query": "level:ERROR", "threshold": 5}
ANOMALY = {"name": "unusual", "condition": "anomaly", "group_by": ["service", "host"], "window": "5m", "threshold": 5}
SMTP = {"host": "smtp.example.org", "from_addr": "venus@example.org", "to": ["ops@example.org"]}


@pytest.fixture(scope="module")
def srv(tmp_path_factory):
    server = Server(tmp_path_factory.mktemp("alert-api") / "data")
    yield server
    server.stop()


BAD = [
    ("POST", "/api/v1/alerts/rules", {**RULE, "colour": "red"}, "colour"),
    ("POST", "/api/v1/alerts/rules", {**RULE, "threshold": "many"}, "threshold"),
    ("POST", "/api/v1/alerts/rules", {**RULE, "window": "5 fortnights"}, "window"),
    ("POST", "/api/v1/alerts/rules", {**RULE, "window": "1s"}, "window"),
    ("POST", "/api/v1/alerts/rules", {**RULE, "op": "below", "threshold": 0}, "threshold"),
    ("POST", "/api/v1/alerts/rules", {**RULE, "threshold": -1}, "threshold"),
    ("POST", "/api/v1/alerts/rules", {**RULE, "condition": "ratio", "numerator": "level:ERROR", "threshold": 1.5},
     "threshold"),
    ("POST", "/api/v1/alerts/rules", {**RULE, "condition": "ratio"}, "numerator"),
    ("POST", "/api/v1/alerts/rules", {**RULE, "condition": "absence"}, "group_by"),
    ("POST", "/api/v1/alerts/rules", {**RULE, "thresholds": [{"from": "9am", "threshold": 3}]}, "thresholds.0.from"),
    ("POST", "/api/v1/alerts/rules", {**RULE, "thresholds": [{"days": ["someday"], "threshold": 3}]},
     "thresholds.0.days.0"),
    ("POST", "/api/v1/alerts/rules", {**RULE, "group_by": ["message"]}, "group_by.0"),
    ("POST", "/api/v1/alerts/rules", {**RULE, "query": "level:(ERROR"}, "query"),
    ("POST", "/api/v1/alerts/rules", {**RULE, "channels": ["nowhere"]}, "channels.0"),
    ("POST", "/api/v1/alerts/rules", {**RULE, "signature": "no-such-signature"}, "signature"),
    ("POST", "/api/v1/alerts/rules", {**RULE, "timezone": "Mars/Olympus"}, "timezone"),
    ("POST", "/api/v1/alerts/rules", {**RULE, "labels": {"1bad": "x"}}, "labels"),
    ("POST", "/api/v1/alerts/rules", {"query": "level:ERROR"}, "name"),
    ("POST", "/api/v1/alerts/rules", {**ANOMALY, "op": "below"}, "op"),
    ("POST", "/api/v1/alerts/rules", {**ANOMALY, "group_by": ["program"]}, "group_by"),
    ("POST", "/api/v1/alerts/rules", {**ANOMALY, "kinds": ["surprise"]}, "kinds.0"),
    ("POST", "/api/v1/alerts/rules", {**ANOMALY, "kinds": []}, "kinds"),
    ("POST", "/api/v1/alerts/rules", {**ANOMALY, "lookback": "10m"}, "lookback"),
    ("POST", "/api/v1/alerts/rules", {**RULE, "kinds": ["spike"]}, "kinds"),
    ("POST", "/api/v1/alerts/rules", {**RULE, "group_by": ["kind"]}, "group_by"),
    ("POST", "/api/v1/channels", {"name": "m", "type": "email", "settings": {**SMTP, "host": "smtp example"}},
     "settings.host"),
    ("POST", "/api/v1/channels", {"name": "m", "type": "email", "settings": {**SMTP, "port": 70000}},
     "settings.port"),
    ("POST", "/api/v1/channels", {"name": "m", "type": "email", "settings": {**SMTP, "security": "ssl3"}},
     "settings.security"),
    ("POST", "/api/v1/channels", {"name": "m", "type": "email", "settings": {**SMTP, "username": "venus"}},
     "settings.password"),
    ("POST", "/api/v1/channels", {"name": "m", "type": "email", "settings": {
        **SMTP, "username": "venus", "password": "x", "security": "none"}}, "settings.security"),
    ("POST", "/api/v1/channels", {"name": "m", "type": "email", "settings": {**SMTP, "to": ["not an address"]}},
     "settings.to.0"),
    ("POST", "/api/v1/channels", {"name": "m", "type": "email", "settings": {**SMTP, "to": []}}, "settings.to"),
    ("POST", "/api/v1/channels", {"name": "m", "type": "pager", "settings": {}}, "type"),
    ("POST", "/api/v1/channels", {"name": "m", "type": "webhook", "settings": {"url": "file:///etc/passwd"}},
     "settings.url"),
    ("POST", "/api/v1/channels", {"name": "m", "type": "slack", "settings": {"url": "http://x"},
                                  "template": "{{ undefined_thing }}"}, "template"),
    ("POST", "/api/v1/channels", {"name": "m", "type": "slack", "settings": {"url": "http://x"},
                                  "template": "{{ ''.__class__.__mro__ }}"}, "template"),
    ("POST", "/api/v1/silences", {"matchers": [], "ends_at": "2099-01-01T00:00:00Z"}, "matchers"),
    ("POST", "/api/v1/silences", {"matchers": [{"name": "host", "op": "=~", "value": "(?<=x)"}],
                                  "ends_at": "2099-01-01T00:00:00Z"}, "matchers.0"),
    ("POST", "/api/v1/silences", {"matchers": [{"name": "host", "value": "a"}], "ends_at": "2000-01-01T00:00:00Z"},
     "ends_at"),
    ("POST", "/api/v1/silences", {"matchers": [{"name": "host", "value": "a"}], "ends_at": "soon"}, "ends_at"),
    ("POST", "/api/v1/alerts/rules/preview?history=8d", RULE, "history"),
    ("POST", "/api/v1/alerts/rules/preview?history=yesterday", RULE, "history"),
    ("PATCH", "/api/v1/tasks/alerts", {"schedule": "61 * * * *"}, "schedule"),
    ("PATCH", "/api/v1/tasks/alerts", {"schedule": "0.1s"}, "schedule"),
    ("PATCH", "/api/v1/tasks/alerts", {"enabled": "sometimes"}, "enabled"),
    ("PATCH", "/api/v1/tasks/alerts", {"interval": 5}, "interval"),
    ("PUT", "/api/v1/config/log_save_days", {"value": -1}, "value"),
    ("PUT", "/api/v1/config/log_save_days", {"value": "thirty"}, "value"),
    ("PUT", "/api/v1/config/log_max_gb", {"value": "NaN"}, "value"),
    ("PUT", "/api/v1/config/log_retention", {"value": [{"days": 3}]}, "value"),
    ("PUT", "/api/v1/config/log_save_days", {"val": 3}, "val"),
    ("PUT", "/api/v1/config/log_days", {"value": 3}, "id"),
    ("POST", "/api/v1/anomaly/rules", {"title": "t", "keyword": " ", "module": "nova"}, "keyword"),
    ("POST", "/api/v1/anomaly/rules", {"title": "t", "keyword": "k", "module": "nova", "log_type": "xlog"},
     "log_type"),
    ("POST", "/api/v1/searches", {"name": "s", "query": "host:"}, "query"),
    ("POST", "/api/v1/searches", {"name": "s", "since": "yesterday-ish"}, "since"),
]


@pytest.mark.parametrize(("method", "path", "body", "field"), BAD,
                         ids=[f"{m} {p} {f}" for m, p, _, f in BAD])
def test_bad_input_is_a_400_naming_the_field(srv, method, path, body, field):
    resp = httpx.request(method, srv.url + path, json=body)
    assert (resp.status_code, resp.json()["field"]) == (400, field), resp.text
    assert resp.json()["error"].startswith(field)


@pytest.mark.parametrize("raw", [b"{not json", b"[1, 2]", b"\xff\xfe"])
def test_a_body_that_is_not_a_json_object_is_a_400_naming_the_body(srv, raw):
    resp = httpx.post(f"{srv.url}/api/v1/alerts/rules", content=raw)
    assert (resp.status_code, resp.json()["field"]) == (400, "body")


def test_unknown_rules_tasks_and_channels_are_404(srv):
    for method, path in (("GET", "/api/v1/alerts/rules/nope"), ("POST", "/api/v1/tasks/nope/run"),
                         ("GET", "/api/v1/channels/nope"), ("DELETE", "/api/v1/silences/nope"),
                         ("GET", "/api/v1/config/nope")):
        assert httpx.request(method, srv.url + path).status_code == 404, path


def test_a_rule_name_is_unique(srv):
    assert httpx.post(f"{srv.url}/api/v1/alerts/rules", json={**RULE, "name": "unique"}).status_code == 201
    again = httpx.post(f"{srv.url}/api/v1/alerts/rules", json={**RULE, "name": "unique"})
    assert (again.status_code, again.json()["field"]) == (400, "name")


def test_a_saved_search_is_created_found_by_name_replaced_and_deleted(srv):
    url = f"{srv.url}/api/v1/searches"
    made = httpx.post(url, json={"name": "nova errors", "query": "service:nova AND level:ERROR", "since": "1h"})
    assert made.status_code == 201
    ident = made.json()["search"]["id"]
    assert httpx.post(url, json={"name": "nova errors"}).json()["field"] == "name"
    found = httpx.get(f"{url}/nova errors").json()["search"]
    assert {k: found[k] for k in ("id", "query", "since", "until")} == {
        "id": ident, "query": "service:nova AND level:ERROR", "since": "1h", "until": None}
    replaced = httpx.put(f"{url}/{ident}", json={"name": "nova errors", "query": "service:nova", "since": "1d"})
    assert (replaced.json()["search"]["query"], replaced.json()["search"]["since"]) == ("service:nova", "1d")
    assert [s["name"] for s in httpx.get(url).json()["searches"]] == ["nova errors"]
    assert httpx.delete(f"{url}/{ident}").json() == {"ok": True, "deleted": ident}
    assert httpx.get(f"{url}/{ident}").status_code == 404
    assert httpx.get(url).json()["searches"] == []


def test_a_stored_password_is_never_shown_and_survives_an_edit(srv):
    body = {"name": "secret-mail", "type": "email", "settings": {**SMTP, "username": "u", "password": "hunter2"}}
    made = httpx.post(f"{srv.url}/api/v1/channels", json=body).json()["channel"]
    assert made["settings"]["password"] == "***"
    shown = httpx.get(f"{srv.url}/api/v1/channels/secret-mail").json()["channel"]
    edited = httpx.put(f"{srv.url}/api/v1/channels/{made['id']}", json={
        **body, "settings": {**shown["settings"], "to": ["other@example.org"]}})
    assert edited.status_code == 200
    assert "hunter2" not in edited.text


def test_a_channel_test_send_reports_the_failure(srv):
    httpx.post(f"{srv.url}/api/v1/channels", json={"name": "dead", "type": "webhook", "settings": {
        "url": "http://127.0.0.1:9/nobody", "timeout": 1}})
    result = httpx.post(f"{srv.url}/api/v1/channels/dead/test").json()
    assert (result["sent"], result["error"].startswith("POST http://127.0.0.1:9/nobody: ")) == (False, True)


def test_v1_custom_config_checks_the_value_in_the_original_envelope(srv):
    resp = httpx.post(f"{srv.url}/v1/custom_config", headers={"X-Auth-Token": "admin"},
                      json={"id": "log_save_days", "value": "-3"})
    assert resp.status_code == 200
    assert resp.json()["code"] == -1 and resp.json()["field"] == "value"


def cli(srv, *args, check=True):
    return srv.cli(*args, "--url", srv.url, check=check)


def test_cli_adds_lists_tests_and_disables_a_rule(srv, tmp_path):
    rule = tmp_path / "rule.json"
    rule.write_text(json.dumps({"name": "cli rule", "query": "level:ERROR", "group_by": ["host"], "threshold": 1}))
    assert "rule 'cli rule' created" in cli(srv, "alerts", "add", str(rule)).stdout
    listed = json.loads(cli(srv, "alerts", "rules", "--json").stdout)
    assert {r["name"]: r["enabled"] for r in listed}["cli rule"] is True
    tested = cli(srv, "alerts", "test", "cli rule", "--json")
    assert json.loads(tested.stdout)["groups"] == [] and tested.returncode == 0
    cli(srv, "alerts", "disable", "cli rule")
    assert {r["name"]: r["enabled"] for r in json.loads(cli(srv, "alerts", "rules", "--json").stdout)}[
        "cli rule"] is False


def test_cli_reports_the_servers_error_with_the_field(srv, tmp_path):
    rule = tmp_path / "bad.json"
    rule.write_text(json.dumps({"name": "bad", "window": "soon"}))
    result = cli(srv, "alerts", "add", str(rule), check=False)
    assert result.returncode == 2
    assert "window: 'soon' is not a duration" in result.stderr


def test_cli_silences_and_lists_silences(srv):
    made = cli(srv, "alerts", "silence", "program=nova-compute", "host=~cmp.*", "--for", "30m",
               "--comment", "reboot").stdout
    silence_id = made.split()[1]
    listed = json.loads(cli(srv, "alerts", "silences", "--json").stdout)
    mine, = [x for x in listed if x["id"] == silence_id]
    assert mine["matchers"] == [{"name": "program", "value": "nova-compute", "op": "="},
                                {"name": "host", "value": "cmp.*", "op": "=~"}]
    cli(srv, "alerts", "unsilence", silence_id)
    assert silence_id not in cli(srv, "alerts", "silences").stdout


def test_cli_runs_a_task_and_changes_its_schedule(srv):
    assert cli(srv, "tasks", "run", "cleanup").stdout.startswith("cleanup: ok in ")
    changed = cli(srv, "tasks", "set", "retention", "--schedule", "0 3 * * *").stdout
    assert changed.startswith("retention: 0 3 * * *, enabled, next run ")
    tasks = {t["name"]: t for t in json.loads(cli(srv, "tasks", "list", "--json").stdout)}
    assert tasks["retention"]["next_run"].endswith("T03:00:00Z")
    assert tasks["cleanup"]["last_outcome"] == "ok"
    runs = json.loads(cli(srv, "tasks", "runs", "cleanup", "--json").stdout)
    assert runs[0]["outcome"] == "ok" and runs[0]["scheduled_for"] is None


def test_cli_reads_and_changes_a_runtime_setting(srv):
    assert cli(srv, "config", "set", "log_retention", '[{"level": "debug", "days": 3}]').stdout.strip() == \
        'log_retention = [{"level":"DEBUG","days":3}]'
    got = json.loads(cli(srv, "config", "get", "log_retention", "--json").stdout)
    assert got["value"] == '[{"level":"DEBUG","days":3}]'
    bad = cli(srv, "config", "set", "log_save_days", "thirty", check=False)
    assert bad.returncode == 2 and "value: log_save_days must be a whole number" in bad.stderr

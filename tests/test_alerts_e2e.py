"""Alerting end to end: a real `venus serve`, logs imported with `venus import`, rules and
channels made through the API, e-mail received by a real SMTP server (aiosmtpd) and webhooks by a
real HTTP server. The alerts task is run through the API (run-now) so each step is one evaluation."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from tests.alerting import MailReceiver, WebhookReceiver
from tests.conftest import Server

pytestmark = pytest.mark.server
BURST = 60  # nova-compute ERRORs in the burst; the rule's threshold is 50


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    mail, hook = MailReceiver(), WebhookReceiver()
    srv = Server(tmp_path_factory.mktemp("alerts") / "data")
    api = httpx.Client(base_url=srv.url, timeout=60)
    assert api.patch("/api/v1/tasks/alerts", json={"enabled": False}).status_code == 200  # run by hand only
    yield srv, api, mail, hook, tmp_path_factory.mktemp("logs")
    api.close()
    srv.stop()
    mail.close()
    hook.close()


def write_logs(srv, root, host, program, level, count, at: datetime, tag: str) -> None:
    path = root / tag / host / "var" / "log" / "nova" / f"{program}.log"
    path.parent.mkdir(parents=True, exist_ok=True)
    stamp = at.strftime("%Y-%m-%d %H:%M:%S")
    path.write_text("".join(f"{stamp}.{i:03d} 7 {level} nova.compute.manager [-] Instance failed to spawn #{i}\n"
                            for i in range(count)))
    srv.cli("import", "-q", str(root / tag))


def run_alerts(api) -> dict:
    resp = api.post("/api/v1/tasks/alerts/run")
    assert resp.status_code == 200, resp.text
    return resp.json()["run"]["result"]


def test_a_burst_of_errors_fires_notifies_once_resolves_and_a_silence_holds(setup):
    srv, api, mail, hook, root = setup
    assert api.post("/api/v1/channels", json={"name": "mail", "type": "email", "settings": {
        "host": "127.0.0.1", "port": mail.port, "security": "none", "from_addr": "venus@example.org",
        "to": ["oncall@example.org"]}}).status_code == 201
    assert api.post("/api/v1/channels", json={"name": "hook", "type": "webhook",
                                               "settings": {"url": hook.url}}).status_code == 201
    rule = api.post("/api/v1/alerts/rules", json={
        "name": "nova errors", "query": "level:ERROR", "group_by": ["program"], "threshold": 50, "window": "5m",
        "severity": "error", "channels": ["mail", "hook"]})
    assert rule.status_code == 201, rule.text
    burst_at = datetime.now(UTC) - timedelta(seconds=285)  # inside the 5-minute window for 15 s more
    write_logs(srv, root, "cmp1", "nova-compute", "ERROR", BURST, burst_at, "burst")
    write_logs(srv, root, "ctl1", "nova-api", "ERROR", 10, burst_at, "few")

    first = run_alerts(api)
    assert (first["firing"], first["notifications"]) == (1, {"sent": 2, "retrying": 0, "failed": 0})
    alerts = api.get("/api/v1/alerts").json()["alerts"]
    assert [(a["labels"]["program"], a["state"], a["value"]) for a in alerts] == [("nova-compute", "firing", BURST)]
    message, = mail.messages
    assert message["Subject"] == "[FIRING] nova errors (program=nova-compute)"
    body = message.get_content()
    assert f"Lines in the window: {BURST}" in body and "Instance failed to spawn #" in body
    assert f"{srv.url}/api/v1/search?q=level%3AERROR+AND+program%3A%22nova-compute%22" in body
    sent, = hook.bodies
    assert (sent["status"], sent["group"], sent["count"], len(sent["samples"])) == (
        "firing", {"program": "nova-compute"}, BURST, 5)

    assert run_alerts(api)["notifications"]["sent"] == 0  # still firing: nothing new to say
    assert (len(mail.messages), len(hook.bodies)) == (1, 1)

    time.sleep(max(0.0, (burst_at + timedelta(seconds=301) - datetime.now(UTC)).total_seconds()))
    resolved = run_alerts(api)
    assert (resolved["firing"], resolved["notifications"]["sent"]) == (0, 2)
    assert mail.messages[1]["Subject"] == "[RESOLVED] nova errors (program=nova-compute)"
    assert "it has resolved" in mail.messages[1].get_content()
    assert hook.bodies[1]["status"] == "resolved" and hook.bodies[1]["ends_at"]

    silence = api.post("/api/v1/silences", json={
        "matchers": [{"name": "program", "value": "nova-compute"}], "ends_at": (
            datetime.now(UTC) + timedelta(hours=1)).isoformat(), "comment": "planned restart", "created_by": "ops"})
    assert silence.status_code == 201, silence.text
    write_logs(srv, root, "cmp1", "nova-compute", "ERROR", BURST, datetime.now(UTC) - timedelta(seconds=20),
               "second")
    silenced = run_alerts(api)
    assert (silenced["firing"], silenced["notifications"]["sent"]) == (1, 0)
    assert (len(mail.messages), len(hook.bodies)) == (2, 2)
    history = api.get("/api/v1/alerts/history", params={"rule": "nova errors"}).json()["events"]
    assert [(e["kind"], e["state"], e["status"]) for e in history[:2]] == [
        ("notification", "firing", "silenced"), ("state", "firing", None)]
    states = [(e["previous"], e["state"]) for e in reversed(history) if e["kind"] == "state"]
    assert states == [("ok", "firing"), ("firing", "resolved"), ("resolved", "firing")]


def test_an_absence_rule_fires_for_the_host_that_stopped_logging(setup):
    srv, api, _, _, root = setup
    now = datetime.now(UTC)
    write_logs(srv, root, "net1", "nova-compute", "INFO", 3, now - timedelta(minutes=10), "net1")
    write_logs(srv, root, "net2", "nova-compute", "INFO", 3, now - timedelta(seconds=5), "net2")
    assert api.post("/api/v1/alerts/rules", json={
        "name": "silent hosts", "query": "host:net*", "condition": "absence", "group_by": ["host"],
        "window": "2m", "lookback": "1h"}).status_code == 201
    run_alerts(api)
    alerts = api.get("/api/v1/alerts", params={"rule": "silent hosts"}).json()["alerts"]
    assert [(a["labels"]["host"], a["state"]) for a in alerts] == [("net1", "firing")]
    assert alerts[0]["value"] == pytest.approx(600, abs=30)

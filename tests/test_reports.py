"""Operations reports on a real server with demo data holding a known incident (MariaDB fails an
hour before now): each figure equals the direct query that produced it, and its link opens that
same search; the PDF (read back with poppler's pdftotext) carries the headings and figures, in
English and in Chinese; bad input is a 400 naming the field."""

from __future__ import annotations

import re
import subprocess
import time
from urllib.parse import parse_qs, urlparse

import httpx
import pytest

from tests.alerting import MailReceiver, WebhookReceiver
from tests.conftest import Server
from venus.demo.generator import DemoCloud

pytestmark = pytest.mark.server

HOURS = 12.0
FAILED_AGO = 60 * 60  # seconds before now that MariaDB fails
SINCE = "6h"
RULE = {"name": "errors in six hours", "query": "level:(ERROR OR CRITICAL)", "threshold": 1, "window": "6h"}


@pytest.fixture(scope="module")
def srv(tmp_path_factory):
    root = tmp_path_factory.mktemp("reports")
    written = DemoCloud(seed=5).write_tree(root / "logs", 40_000, HOURS, time.time(), scenario="mariadb_down",
                                           scenario_at=1 - FAILED_AGO / (HOURS * 3600))
    assert written["scenario"], "the lines ran out before the failure"
    server = Server(root / "data")
    server.cli("import", "-q", str(root / "logs"))
    assert httpx.post(f"{server.url}/api/v1/alerts/rules", json=RULE).status_code == 201
    assert httpx.post(f"{server.url}/api/v1/tasks/alerts/run", timeout=60).json()["ok"] is True
    end = time.time() + 1  # the alert just fired is in
    server.range = {"since": iso_z(end - 6 * 3600), "until": iso_z(end)}  # one range for every report here
    yield server
    server.stop()


@pytest.fixture(scope="module")
def figures(srv) -> dict:
    answer = httpx.get(f"{srv.url}/api/v1/report", params={**srv.range, "format": "json"}, timeout=120)
    assert answer.status_code == 200, answer.text
    return answer.json()


def iso_z(seconds: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(seconds))


def count(srv: Server, q: str, since: str, until: str) -> int:
    return httpx.get(f"{srv.url}/api/v1/count", params={"q": q, "since": since, "until": until},
                     timeout=60).json()["count"]


def count_of_link(srv: Server, link: str) -> int:
    """What the search a figure links to counts."""
    asked = {k: v[0] for k, v in parse_qs(urlparse(link).query).items()}
    return count(srv, asked.get("q", ""), asked["from"], asked["to"])


def test_the_volume_is_the_count_of_the_range_and_of_the_one_before(srv, figures):
    volume = figures["volume"]
    assert volume["total"] == count(srv, "", figures["start"], figures["end"]) > 0
    assert volume["previous"] == count(srv, "", figures["previous_start"], figures["previous_end"]) > 0
    assert sum(s["count"] for s in volume["services"]) <= volume["total"]
    assert sum(level["count"] for level in volume["levels"]) == volume["total"]


def test_each_service_figure_links_to_the_search_that_counts_it(srv, figures):
    for service in figures["volume"]["services"][:5]:
        assert count_of_link(srv, service["link"]) == service["count"]
    assert count_of_link(srv, figures["error_rate"]["link"]) == figures["error_rate"]["errors"]


def test_the_error_rate_is_errors_over_lines(srv, figures):
    errors = count(srv, "level:(ERROR OR CRITICAL)", figures["start"], figures["end"])
    assert figures["error_rate"]["errors"] == errors > 0
    assert figures["error_rate"]["rate"] == round(errors / figures["volume"]["total"], 6)


def test_the_typical_errors_are_the_typical_analysis_counts_with_an_example(srv, figures):
    typical = httpx.get(f"{srv.url}/api/v1/typical", params={"since": figures["start"], "until": figures["end"]},
                        timeout=60).json()["signatures"]
    expected = {s["id"]: s["total"] for s in typical if s["total"]}
    assert {s["id"]: s["count"] for s in figures["typical_errors"] if s["count"]} == expected
    database = next(s for s in figures["typical_errors"] if s["id"] == "mysql_error_stats")
    assert database["count"] > database["previous"] and database["example"]["message"]
    assert count_of_link(srv, database["link"]) == database["count"]


def test_the_api_p95_is_the_latency_analysis_p95(srv, figures):
    latency = httpx.get(f"{srv.url}/api/v1/latency", params={"since": figures["start"], "until": figures["end"],
                                                             "size": 1000}, timeout=60).json()
    by_api = {(a["service"], a["method"], a["route"]): a for a in latency["apis"]}
    assert figures["latency"]["apis"]
    for api in figures["latency"]["apis"]:
        direct = by_api[(api["service"], api["method"], api["route"])]
        assert (api["count"], api["p95_ms"], api["p99_ms"]) == (direct["count"], direct["p95_ms"], direct["p99_ms"])
    slowest = figures["latency"]["slowest"]
    assert [s["id"] for s in slowest] == [s["id"] for s in latency["slowest"]]
    assert any(s["request_id"] for s in slowest)
    assert all(bool(s["link"]) == bool(s["request_id"]) for s in slowest)  # its request, when it has an id


def test_the_alert_that_fired_is_listed_with_its_duration(srv, figures):
    fired = [a for a in figures["alerts"] if a["rule"] == RULE["name"]]
    assert len(fired) == 1
    assert fired[0]["resolved_at"] is None and fired[0]["duration_seconds"] >= 0


def test_the_failing_database_brings_new_templates(figures):
    assert any(f["service"] == "mariadb" for f in figures["anomalies"]["findings"])


def test_storage_and_retention_are_the_stores(srv, figures):
    stats = httpx.get(f"{srv.url}/api/v1/stats").json()
    assert (figures["storage"]["rows"], figures["storage"]["retention_days"]) == (stats["rows"], 30)


def pdf_text(srv: Server, tmp_path, language: str) -> str:
    answer = httpx.get(f"{srv.url}/api/v1/report", params={**srv.range, "format": "pdf", "language": language},
                       timeout=120)
    assert (answer.status_code, answer.headers["content-type"], answer.content[:5]) == (200, "application/pdf", b"%PDF-")
    path = tmp_path / f"report-{language}.pdf"
    path.write_bytes(answer.content)
    pages = subprocess.run(["pdftoppm", "-r", "40", "-png", str(path), str(tmp_path / language)], check=True)
    assert pages.returncode == 0 and list(tmp_path.glob(f"{language}*.png"))
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True).stdout


def test_the_pdf_carries_the_headings_and_figures(srv, figures, tmp_path):
    text = pdf_text(srv, tmp_path, "en")
    for heading in ("Venus operations report", "Log volume", "Error rate", "Typical errors", "API status and latency",
                    "New templates and anomalies", "Alerts that fired", "Hosts and services gone silent",
                    "Storage and retention"):
        assert heading in text, heading
    assert f"{figures['volume']['total']:,}" in text
    assert f"{figures['error_rate']['errors']:,}" in text
    assert RULE["name"] in text


def test_the_chinese_pdf_carries_the_chinese_headings(srv, tmp_path):
    text = pdf_text(srv, tmp_path, "zh")
    for heading in ("Venus 运维报告", "日志量", "错误率", "典型错误", "API 状态与延迟", "触发的告警", "存储与保留"):
        assert heading in text, heading


def test_the_html_is_one_self_contained_file(srv):
    html = httpx.get(f"{srv.url}/api/v1/report", params=srv.range, timeout=120).text
    assert "<svg" in html and "<style>" in html
    assert not re.search(r"<script|<link|<img|@import|url\(", html)


@pytest.mark.parametrize(("params", "field"), [
    ({"since": "1h", "until": "2h"}, "since"),
    ({"format": "docx"}, "format"),
    ({"language": "fr"}, "language"),
    ({"q": "level:(ERROR"}, "q"),
    ({"since": "900d"}, "since"),
])
def test_bad_input_is_a_400_naming_the_field(srv, params, field):
    answer = httpx.get(f"{srv.url}/api/v1/report", params=params, timeout=60)
    assert (answer.status_code, answer.json()["field"]) == (400, field)


def test_the_cli_writes_the_pdf(srv, tmp_path):
    out = tmp_path / "report.pdf"
    srv.cli("report", "--since", SINCE, "--format", "pdf", "-o", str(out), "--url", srv.url)
    assert out.read_bytes()[:5] == b"%PDF-"


# -- scheduled reports --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def receivers(srv):
    mail, hook = MailReceiver(), WebhookReceiver()
    channels = [{"name": "on-call mail", "type": "email", "settings": {
                    "host": "127.0.0.1", "port": mail.port, "security": "none", "from_addr": "venus@example.org",
                    "to": ["oncall@example.org"]}},
                {"name": "report hook", "type": "webhook", "settings": {"url": hook.url}},
                {"name": "am", "type": "alertmanager", "settings": {"url": hook.url}}]
    for channel in channels:
        assert httpx.post(f"{srv.url}/api/v1/channels", json=channel).status_code == 201
    yield mail, hook
    mail.close()
    hook.close()


def test_a_scheduled_report_arrives_by_email_with_the_pdf_attached_and_the_html_as_body(srv, receivers):
    mail, hook = receivers
    made = httpx.post(f"{srv.url}/api/v1/report-schedules", json={
        "name": "every few seconds", "schedule": "2s", "span": SINCE, "channels": ["on-call mail", "report hook"]})
    assert made.status_code == 201, made.text
    time.sleep(2.5)  # the schedule is due
    run = httpx.post(f"{srv.url}/api/v1/tasks/reports/run", timeout=300).json()["run"]
    assert (run["outcome"], len(run["result"]["made"]), run["result"]["failed"]) == ("ok", 1, [])
    message = mail.messages[-1]
    assert message["Subject"] == "Venus operations report: every few seconds"
    attached = next(message.iter_attachments())
    assert attached.get_content_type() == "application/pdf" and attached.get_content()[:5] == b"%PDF-"
    assert "<svg" in message.get_body(("html",)).get_content()
    assert "lines" in message.get_body(("plain",)).get_content()
    sent = hook.bodies[-1]
    assert (sent["kind"], sent["title"]) == ("report", "Venus operations report: every few seconds")
    assert httpx.get(sent["links"]["pdf"]).content[:5] == b"%PDF-"


def test_a_kept_report_is_listed_with_its_figures_and_deliveries(srv, receivers):
    made = httpx.post(f"{srv.url}/api/v1/report-schedules", json={
        "name": "weekly to mail", "schedule": "weekly", "language": "zh", "channels": ["on-call mail"]}).json()
    assert made["schedule"]["span"] == 7 * 86400
    ran = httpx.post(f"{srv.url}/api/v1/report-schedules/weekly to mail/run", timeout=300).json()["report"]
    kept = httpx.get(f"{srv.url}/api/v1/reports").json()["reports"]
    assert kept[0]["id"] == ran["id"] and kept[0]["deliveries"] == [
        {"channel": "on-call mail", "status": "sent", "error": None}]
    assert kept[0]["summary"]["lines"] > 0 and kept[0]["language"] == "zh"
    html = httpx.get(f"{srv.url}/api/v1/reports/{ran['id']}/html").text
    assert "Venus 运维报告" in html
    # Run ahead of time, the weekly schedule still runs when it was due to.
    assert httpx.get(f"{srv.url}/api/v1/report-schedules/weekly to mail").json()["schedule"]["next_run"] == (
        made["schedule"]["next_run"])


@pytest.mark.parametrize(("spec", "field"), [
    ({"name": "x", "schedule": "daily", "channels": ["nobody"]}, "channels"),
    ({"name": "x", "schedule": "daily", "channels": ["am"]}, "channels"),
    ({"name": "x", "schedule": "at dawn", "channels": ["report hook"]}, "schedule"),
    ({"name": "x", "schedule": "0 6 * * *", "channels": ["report hook"]}, "span"),
    ({"name": "x", "schedule": "daily", "channels": ["report hook"], "language": "fr"}, "language"),
    ({"name": "x", "schedule": "daily", "channels": ["report hook"], "query": "level:("}, "query"),
    ({"name": "x", "schedule": "daily", "channels": []}, "channels"),
])
def test_a_bad_schedule_is_a_400_naming_the_field(srv, receivers, spec, field):
    answer = httpx.post(f"{srv.url}/api/v1/report-schedules", json=spec)
    assert (answer.status_code, answer.json()["field"]) == (400, field)


def test_an_unknown_kept_report_is_a_404(srv):
    answer = httpx.get(f"{srv.url}/api/v1/reports/nothing/pdf")
    assert (answer.status_code, answer.json()["field"]) == (404, "report")


def test_a_channel_deleted_since_is_a_failed_delivery_and_the_others_still_get_the_report(srv, receivers):
    _, hook = receivers
    assert httpx.post(f"{srv.url}/api/v1/channels", json={"name": "short-lived", "type": "webhook",
                                                          "settings": {"url": hook.url}}).status_code == 201
    made = httpx.post(f"{srv.url}/api/v1/report-schedules", json={
        "name": "to two hooks", "schedule": "12h", "channels": ["short-lived", "report hook"]})
    assert made.status_code == 201, made.text
    assert httpx.delete(f"{srv.url}/api/v1/channels/short-lived").status_code == 200
    sent_before = len(hook.bodies)
    ran = httpx.post(f"{srv.url}/api/v1/report-schedules/to two hooks/run", timeout=300).json()["report"]
    assert ran["deliveries"] == [{"channel": "report hook", "status": "sent", "error": None},
                                 {"channel": "short-lived", "status": "failed", "error": "no such channel"}]
    assert len(hook.bodies) == sent_before + 1

"""The original Venus's /v1 API on the real server: the reference's curl checks (§8.2), the stock
python-venusclient 2.6.0 CLI and library (§8.3) in a virtual environment of its own, and the
bugs of §7 fixed. Data: a generated cloud ending now (the /v1 params look at the last 7 days)
and the OpenStack_2k sample."""

import ast
import base64
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import Server, loghub, run_cli

pytestmark = pytest.mark.server

T = {"X-Auth-Token": "admin:admin"}
J = {**T, "Content-Type": "application/json"}
CLIENT_VENV = Path(sys.prefix) / "venusclient-2.6.0"
INSTANCE_BOOT = "Took"


@pytest.fixture(scope="module")
def v1(tmp_path_factory):
    base = tmp_path_factory.mktemp("v1")
    srv = Server(base / "data", env={"VENUS_V1_ANOMALY_DETECT_INTERVAL": "1"})
    run_cli("demo", str(base / "cloud"), "--lines", "20000", env=srv.env)
    srv.cli("import", "-q", str(base / "cloud"))
    srv.cli("import", "-q", "--host", "loghub", str(loghub("OpenStack_2k.log")))
    srv.end = int(time.time())
    srv.start = srv.end - 86400
    yield srv
    srv.stop()


def get(srv, path, headers=T, **params):
    resp = httpx.get(f"{srv.url}{path}", params=params, headers=headers)
    assert resp.status_code < 500, resp.text
    return resp


def window(srv, **params):
    return {"start_time": srv.start, "end_time": srv.end, **params}


@pytest.fixture(scope="module")
def venus_client():
    """python-venusclient 2.6.0 in a virtual environment of its own: its console script is also
    called `venus`, and must never shadow ours."""
    exe = CLIENT_VENV / "bin" / "venus"
    if not exe.exists():
        subprocess.run([sys.executable, "-m", "venv", str(CLIENT_VENV)], check=True)
        subprocess.run([str(CLIENT_VENV / "bin" / "pip"), "install", "-q", "python-venusclient==2.6.0"],
                       check=True, capture_output=True)
    return exe


def cli(venus_client, srv, *args, check=True):
    result = subprocess.run([str(venus_client), "--os-endpoint-override", srv.url, "--os-token", "admin:admin",
                             *[str(a) for a in args]], capture_output=True, text=True, timeout=120,
                            env={k: v for k, v in os.environ.items() if not k.startswith("OS_")})
    if check:
        assert result.returncode == 0, result.stderr
        return ast.literal_eval(result.stdout.strip())  # the client prints a Python dict
    return result


def library(venus_client, srv, code):
    """Run `code` with `client` bound to venusclient's library; returns what it prints."""
    script = ("from venusclient.v1.client import Client\n"
              f"client = Client(endpoint_override={srv.url!r}, auth_token='admin:admin')\n" + code)
    result = subprocess.run([str(venus_client.parent / "python"), "-c", script], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    return ast.literal_eval(result.stdout.strip())


# -- §8.2: the raw HTTP checks ------------------------------------------------------------------


def test_01_versions_document(v1):
    assert get(v1, "/", headers={}).json() == {"versions": [{
        "id": "v1.0", "status": "SUPPORTED", "updated": "2023-02-28T18:43:00Z",
        "links": [{"rel": "self", "href": f"{v1.url}/v1/"}]}]}


def test_02_other_versions_are_300_choices(v1):
    resp = get(v1, "/v2", headers={})
    assert resp.status_code == 300 and resp.json()["choices"][0]["id"] == "v1.0"


def test_03_04_v1_redirects_and_describes_itself(v1):
    resp = httpx.get(f"{v1.url}/v1", headers=T)
    assert resp.status_code == 302 and resp.headers["location"] == "/v1/"
    version = get(v1, "/v1/").json()["version"]
    assert [link["rel"] for link in version["links"]] == ["self", "describedby"]
    assert version["media-types"][1]["type"] == "application/vnd.openstack.venus+json;version=1"


def test_05_no_token_gets_the_noauth_204(v1):
    resp = httpx.get(f"{v1.url}/v1/custom_config")
    assert resp.status_code == 204
    assert resp.headers["X-Auth-Token"] == "admin:admin"
    assert resp.headers["X-Server-Management-Url"] == f"{v1.url}/v1/custom_config/admin"


def test_every_v1_answer_has_request_id_headers(v1):
    resp = get(v1, "/v1/custom_config")
    assert resp.headers["X-Openstack-Request-Id"].startswith("req-")
    assert resp.headers["X-Compute-Request-Id"] == resp.headers["X-Openstack-Request-Id"]


def test_06_to_09_custom_config(v1):
    assert set(get(v1, "/v1/custom_config").json()) == {"log_save_days", "anomaly_record_save_days", "log_max_gb"}
    url = f"{v1.url}/v1/custom_config"
    assert httpx.post(url, headers=J, json={"id": "log_save_days", "value": "15"}).json() == {"code": 0, "msg": "OK"}
    assert get(v1, "/v1/custom_config").json()["log_save_days"] == "15"
    missing = httpx.post(url, headers=J, json={"id": "log_save_days"}).json()
    assert (missing["code"], missing["msg"]) == (-1, "invalid param: id or value is missed")
    no_type = httpx.post(url, headers=T, content=b'{"id":"log_save_days","value":"15"}')
    assert no_type.status_code == 400 and no_type.json()["badRequest"]["code"] == 400
    assert no_type.json()["field"] == "Content-Type"


def test_custom_config_values_are_checked_and_retention_follows(v1):
    url = f"{v1.url}/v1/custom_config"
    for body, field in (({"id": "log_save_days", "value": "abc"}, "value"), ({"id": "foo", "value": "1"}, "id"),
                        ({"id": "log_max_gb", "value": -1}, "value")):
        answer = httpx.post(url, headers=J, json=body).json()
        assert (answer["code"], answer["msg"], answer["field"]) == (-1, "invalid param", field)
    assert httpx.post(url, headers=J, json={"id": "log_save_days", "value": 9}).json()["code"] == 0
    assert get(v1, "/api/v1/stats").json()["retention_days"] == 9
    assert httpx.post(url, headers=J, json={"id": "log_max_gb", "value": "0.5"}).json()["code"] == 0


def test_10_to_13_search_params(v1):
    hosts = get(v1, "/v1/search/params", type="host_name").json()
    assert hosts["code"] == 1 and hosts["values"] == sorted(hosts["values"]) and "cmp1" in hosts["values"]
    levels = get(v1, "/v1/search/params", type="level", index_type="slog").json()["values"]
    assert levels[-1] == "NO EXIST" and all(v == v.upper() for v in levels)
    programs = get(v1, "/v1/search/params", type="program_name", module_name="nova").json()["values"]
    assert programs and all(p.startswith("nova-") for p in programs)
    for params in ({"type": "bad"}, {"type": "host_name", "index_type": "xlog"}):
        answer = get(v1, "/v1/search/params", **params).json()
        assert (answer["code"], answer["msg"]) == (-1, "invalid param")


def test_14_search_logs_pages_and_histogram(v1):
    answer = get(v1, "/v1/search/logs", **window(v1, page_num=1, page_size=10)).json()
    assert answer["code"] == 1 and len(answer["data"]["values"]) == 10
    assert set(answer["data"]["values"][0]) == {"host_name", "time", "level", "desc", "program_name", "user_id",
                                                "project_id", "module_name"}
    stats = answer["data_stats"]
    assert (stats["interval_cn"], stats["interval_en"]) == ("30分钟", "30minutes")
    assert stats["count"][0]["key_as_string"].endswith("+08:00")
    assert sum(b["doc_count"] for b in stats["count"]) == answer["data"]["total"]
    # flog is the services' lines, slog the system's: together, every line of the window.
    slog = get(v1, "/v1/search/logs", **window(v1, page_num=1, page_size=1, index_type="slog")).json()
    everything = get(v1, "/api/v1/count", since=str(v1.start), until=str(v1.end + 1)).json()["count"]
    assert answer["data"]["total"] + slog["data"]["total"] == everything


def test_15_search_logs_filters(v1):
    answer = get(v1, "/v1/search/logs", **window(v1, page_num=1, page_size=50, host_name="ctl1", module_name="nova",
                                                 program_name="nova-conductor", level="error",
                                                 query="No valid host was found", index_type="flog")).json()
    values = answer["data"]["values"]
    assert answer["code"] == 1 and values
    assert all((v["host_name"], v["module_name"], v["program_name"], v["level"]) ==
               ("ctl1", "nova", "nova-conductor", "ERROR") and "No valid host was found" in v["desc"] for v in values)


def test_16_no_exist_level_is_the_unparsed_lines(v1):
    answer = get(v1, "/v1/search/logs", **window(v1, page_num=1, page_size=5, level="NO EXIST")).json()
    assert answer["code"] == 1 and all(v["level"] == "UNKNOWN" for v in answer["data"]["values"])


def test_17_18_19_search_logs_invalid_and_empty(v1):
    for params in (window(v1), window(v1, page_num=1, page_size=10, index_type="xlog"),
                   window(v1, page_num=1, page_size=10**9), window(v1, page_num=-1, page_size=10)):
        assert get(v1, "/v1/search/logs", **params).json()["code"] == -1
    # Lenient where the stock client is broken: an empty index_type is flog.
    assert get(v1, "/v1/search/logs", **window(v1, page_num=1, page_size=1, index_type="")).json()["code"] == 1
    assert get(v1, "/v1/search/logs", start_time=0, end_time=1, page_num=1, page_size=1).json() == {
        "code": 0, "msg": "no data, no index"}


def test_20_21_22_analyse_logs(v1):
    answer = get(v1, "/v1/search/analyse/logs", **window(v1, group_name="host_name")).json()
    assert answer["code"] == 1 and 0 < len(answer["data"]["count"]) <= 5
    assert answer["data"]["title_cn"] == answer["data"]["title_en"] == "Host Log Analysis Histogram TOP5"
    counts = [c["doc_count"] for c in answer["data"]["count"]]
    assert counts == sorted(counts, reverse=True)
    filtered = get(v1, "/v1/search/analyse/logs", **window(v1, group_name="program_name", host_name="ctl1",
                                                          level="NO EXIST")).json()["data"]
    # Fixed: the filters appear once in title_en, not twice.
    assert filtered["title_en"] == "Program Log Analysis Histogram TOP5 (host=ctl1 level=NO EXIST)"
    assert get(v1, "/v1/search/analyse/logs", **window(v1, group_name="bad")).json()["code"] == -1


def test_analyse_without_a_group_counts_by_program_as_venus_dashboards_proxy_needs(v1):
    """The dashboard's proxy drops group_name (sends it empty): its panel asked for program_name."""
    dropped = get(v1, "/v1/search/analyse/logs", **window(v1, group_name="")).json()
    asked = get(v1, "/v1/search/analyse/logs", **window(v1, group_name="program_name")).json()
    assert (dropped["code"], dropped["data"]["count"]) == (1, asked["data"]["count"])


@pytest.mark.parametrize("kind", ["error_stats", "rabbitmq_error_stats", "mysql_error_stats",
                                  "novalidhost_error_stats"])
def test_23_24_typical_logs_of_the_original_four(v1, kind):
    answer = get(v1, "/v1/search/typical/logs", **window(v1, type=kind)).json()
    assert answer["code"] == 1 and answer["data"]["interval_en"] == "30minutes"
    stats = answer["data"]["stats"]
    assert stats, f"{kind} found nothing in the generated cloud"  # novalidhost works now
    expected = get(v1, "/api/v1/typical", signature=kind, since=f"{v1.start}", until=f"{v1.end + 1}").json()
    assert sum(s["total"] for s in stats) == expected["signatures"][0]["total"]
    assert all(s["total"] == sum(b["doc_count"] for b in s["count"]) for s in stats)


def test_25_typical_logs_of_an_unknown_type(v1):
    answer = get(v1, "/v1/search/typical/logs", **window(v1, type="other")).json()
    assert (answer["code"], answer["msg"], answer["field"]) == (-1, "invalid param", "type")
    assert answer["detail"].startswith("type must be one of error_stats, rabbitmq_error_stats")


def _boot(v1):
    hit = get(v1, "/api/v1/search", q='"seconds to build instance"', limit=1).json()["hits"][0]
    return hit["global_request_id"], hit["instance_id"]


def test_26_instance_callchain(v1):
    request_id, instance = _boot(v1)
    data = get(v1, "/v1/search/instance/callchain", request_id=f"req-{request_id}", uuid=instance).json()["data"]
    assert list(data) == ["nova-api", "nova-conductor", "nova-scheduler", "nova-compute"]
    assert data["nova-api"][0]["log_num"] >= 1 and data["nova-api"][0]["error_log_num"] == 0
    assert data["nova-compute"][0]["is_success"] == 1 and data["nova-compute"][0]["start_time"]


def test_27_28_trace_log(v1):
    request_id, _ = _boot(v1)
    answer = get(v1, "/v1/search/trace_log", global_id=f"req-{request_id}").json()
    chain = get(v1, f"/api/v1/chain/{request_id}").json()
    assert answer["global_id"] == f"req-{request_id}" and answer["log_size"] == chain["line_count"]
    times = [doc["@timestamp"] for doc in answer["analysis"]]
    assert times == sorted(times)  # fixed: in time order
    assert {"Hostname", "Payload", "programname", "log_level", "python_module", "request_id"} <= set(
        answer["analysis"][0])
    assert get(v1, "/v1/search/trace_log", global_id="bad").json() == {"error": "the request param is not correct"}


def test_29_to_37_anomaly_rules(v1):
    url = f"{v1.url}/v1/anomaly/rule"
    rule = {"title": "t", "desc": "d", "keyword": "out of memory", "log_type": "flog", "module": "nova"}
    created = httpx.post(url, headers=J, json=rule).json()
    assert (created["code"], created["msg"]) == (0, "OK") and len(created["id"]) == 32
    missing = httpx.post(url, headers=J, json={k: v for k, v in rule.items() if k != "module"}).json()
    assert (missing["code"], missing["msg"]) == (-1, "invalid param: module is missed")
    listed = get(v1, "/v1/anomaly/rule/list", page_num=1, page_size=10).json()
    assert listed["code"] == 0 and created["id"] in [r["id"] for r in listed["rules"]]
    filtered = get(v1, "/v1/anomaly/rule/list", title="t", module="nova", flag=1).json()["rules"]
    assert all(r["title"] == "t" and r["module"] == "nova" for r in filtered) and filtered
    one = get(v1, f"/v1/anomaly/rule/{created['id']}").json()
    assert one["code"] == 0 and set(one["rule"]) == {"id", "title", "desc", "keyword", "log_type", "module", "flag",
                                                     "create_time", "update_time", "match_case", "channels"}
    assert get(v1, "/v1/anomaly/rule/doesnotexist").json() == {"code": -1, "msg": "not found"}
    # Fixed: a JSON 0 disables a rule too.
    assert httpx.post(f"{url}/{created['id']}", headers=J, json={"title": "new name", "flag": 0}).json() == {
        "code": 0, "msg": "OK"}
    changed = get(v1, f"/v1/anomaly/rule/{created['id']}").json()["rule"]
    assert (changed["title"], changed["flag"]) == ("new name", 0)
    assert httpx.post(f"{url}/unknown", headers=J, json={"flag": "0"}).json() == {"code": -1, "msg": "no found"}
    for rule_id in (created["id"], "unknown"):
        assert httpx.delete(f"{url}/{rule_id}", headers=T).json() == {"code": 0, "msg": "OK"}
    assert get(v1, f"/v1/anomaly/rule/{created['id']}").json()["msg"] == "not found"


@pytest.fixture(scope="module")
def oom_record(v1, tmp_path_factory):
    """An enabled and a disabled slog rule, then a kernel line both match: the enabled one's record."""
    url = f"{v1.url}/v1/anomaly/rule"
    rule = {"title": "oom", "desc": "d", "keyword": "Killed process", "log_type": "slog", "module": "kernel"}
    httpx.post(url, headers=J, json=rule)
    disabled = httpx.post(url, headers=J, json={**rule, "title": "off"}).json()["id"]
    httpx.post(f"{url}/{disabled}", headers=J, json={"flag": "0"})
    time.sleep(1.5)  # rules see the lines stored after they were made
    tree = tmp_path_factory.mktemp("oom")
    log = tree / "host9" / "var" / "log" / "messages"
    log.parent.mkdir(parents=True)
    log.write_text(time.strftime("%b %d %H:%M:%S") + " host9 kernel: Out of memory: Killed process 4242 (qemu)\n")
    v1.cli("import", "-q", str(tree))
    deadline = time.time() + 40  # a detection window ends 10 s before now (lines still committing)
    while time.time() < deadline:
        records = get(v1, "/v1/anomaly/record/list", module="kernel", log_type="slog", start_time=0,
                      end_time=int(time.time()) + 5, page_num=1, page_size=10).json()["records"]
        if records:
            return records
        time.sleep(0.3)
    raise AssertionError("no anomaly record within 40 s")


def test_38_anomaly_records_come_from_enabled_rules_only(v1, oom_record):
    assert [r["title"] for r in oom_record] == ["oom"]
    record = oom_record[0]
    assert "Killed process 4242" in record["logs"] and record["module"] == "kernel"
    # Fixed: start and end are the detection window, not copies of the creation time.
    assert record["start_time"] < record["end_time"] and record["start_time"] != record["create_time"]
    assert get(v1, "/v1/anomaly/record/list", title="oom").json()["records"][0]["id"] == record["id"]
    assert get(v1, "/v1/anomaly/record/list", title="off").json()["records"] == []


def test_40_documented_endpoints_the_original_never_built(v1):
    download = get(v1, "/v1/search/logs/download", start_time=v1.start, page_size=5, host_name="ctl1").json()
    assert download["code"] == 1
    rows = base64.b64decode(download["data"]).decode().splitlines()
    assert rows[0] == "time,host_name,level,module_name,program_name,user_id,project_id,desc" and len(rows) == 6
    request_ids = get(v1, "/v1/search/instance/request_ids", start_time=v1.start, end_time=v1.end).json()
    request_id, _ = _boot(v1)
    assert request_ids["code"] == 1 and request_id in request_ids["request_ids"]
    assert get(v1, "/v1/log_storage_days").status_code == 404


# -- bad input on every /v1 endpoint ------------------------------------------------------------

V1_GETS = ["/v1/search/params", "/v1/search/logs", "/v1/search/logs/download", "/v1/search/analyse/logs",
           "/v1/search/typical/logs", "/v1/search/instance/callchain", "/v1/search/instance/request_ids",
           "/v1/search/trace_log", "/v1/anomaly/rule/list", "/v1/anomaly/record/list", "/v1/custom_config"]
BAD_PARAMS = [
    {},
    {"start_time": "None", "end_time": "None"},
    {"start_time": "1.5e400", "end_time": "abc", "page_num": "x", "page_size": "y"},
    {"start_time": "2000000000", "end_time": "1", "page_num": "1", "page_size": "10"},  # reversed
    {"start_time": "-5", "end_time": "99999999999999", "page_num": "1", "page_size": "99999999999"},
    {"type": "'; DROP TABLE logs; --", "group_name": "x\x00y", "index_type": "flog\" OR 1=1", "flag": "abc",
     "query": '" OR ""="', "level": "*", "request_id": "req-../../etc", "uuid": "{}", "global_id": "%s%n"},
]


@pytest.mark.parametrize("path", V1_GETS)
@pytest.mark.parametrize("params", BAD_PARAMS, ids=range(len(BAD_PARAMS)))
def test_bad_input_on_v1_gets_an_envelope_or_a_4xx_json(v1, path, params):
    resp = get(v1, path, **params)
    body = resp.json()
    if resp.status_code == 200:
        assert "code" in body or "error" in body or path == "/v1/custom_config"
        if body.get("code") == -1:
            assert body["msg"].startswith("invalid param") and body["field"]
    else:
        assert 400 <= resp.status_code < 500 and body["badRequest"]["message"] and body["field"]


def test_a_v1_body_over_the_limit_is_a_413_naming_the_option(v1):
    resp = httpx.post(f"{v1.url}/v1/anomaly/rule", headers=J, content=b'{"title": "' + b"x" * 200_000 + b'"}')
    assert (resp.status_code, resp.json()["field"]) == (413, "body")
    assert "[api] max_v1_body_bytes" in resp.json()["badRequest"]["message"]


@pytest.mark.parametrize("path", ["/v1/custom_config", "/v1/anomaly/rule", "/v1/anomaly/rule/x"])
@pytest.mark.parametrize("content", [b"", b"{", b"[1,2]", b'{"id": {"a": 1}, "value": [1]}', b"\xff\xfe",
                                     b'{"title": 1, "desc": null, "keyword": "", "log_type": "x", "module": 2}',
                                     b'{"flag": "abc"}', b"{" + b'"a":1,' * 30000 + b'"b":2}'])
def test_bad_bodies_on_v1_posts_never_500(v1, path, content):
    resp = httpx.post(f"{v1.url}{path}", headers=J, content=content)
    assert resp.status_code in (200, 400, 413), resp.text
    body = resp.json()
    if resp.status_code == 200:
        assert body["code"] == -1 and body["msg"] in ("invalid param", "no found") or body["msg"].startswith(
            "invalid param:")
    else:
        assert body["badRequest"]["code"] == resp.status_code and body["errors"][0]["detail"]


# -- §8.3: the stock CLI and library ------------------------------------------------------------


def test_client_config_commands(v1, venus_client):
    assert set(cli(venus_client, v1, "get-log-storage-days")) == {"log_save_days", "anomaly_record_save_days",
                                                                  "log_max_gb"}
    assert cli(venus_client, v1, "set-custom-config", "log_max_gb", "50") == {"code": 0, "msg": "OK"}
    assert cli(venus_client, v1, "get-log-storage-days")["log_max_gb"] == "50"


def test_client_search_params(v1, venus_client):
    hosts = cli(venus_client, v1, "get-search-params", "host_name")
    assert hosts["code"] == 1 and "ctl1" in hosts["values"]
    levels = cli(venus_client, v1, "get-search-params", "level", "--index_type", "slog", "--module_name", "kernel")
    assert levels["code"] == 1 and levels["values"][-1] == "NO EXIST" and len(levels["values"]) > 1
    programs = cli(venus_client, v1, "get-search-params", "program_name", "--module_name", "nova")
    assert "nova-compute" in programs["values"]


def test_client_search_logs_with_unset_options_and_free_text(v1, venus_client):
    # The client sends every unset option as "None" and the text as `querry`: both understood.
    answer = cli(venus_client, v1, "search-logs", "--start_time", v1.start, "--end_time", v1.end, "--page_num", 1,
                 "--page_size", 5)
    assert answer["code"] == 1 and len(answer["data"]["values"]) == 5
    text = cli(venus_client, v1, "search-logs", "--start_time", v1.start, "--end_time", v1.end, "--page_num", 1,
               "--page_size", 5, "--query", "No valid host was found")
    assert text["data"]["total"] > 0
    assert all("No valid host was found" in v["desc"] for v in text["data"]["values"])


def test_client_analyse_log(v1, venus_client):
    answer = cli(venus_client, v1, "analyse-log", "host_name", "--start_time", v1.start, "--end_time", v1.end)
    assert answer["code"] == 1 and answer["data"]["title_en"] == "Host Log Analysis Histogram TOP5"
    without_times = cli(venus_client, v1, "analyse-log", "host_name", check=False)
    assert without_times.returncode == 1 and "start_time is required" in without_times.stderr
    # The client sends start_time=0&end_time=0 (and its argparse namespace as the level).
    assert cli(venus_client, v1, "get-analyse-logs") == {"code": 0, "msg": "no data, no index"}


def test_client_instance_commands(v1, venus_client):
    request_ids = cli(venus_client, v1, "get-instance-request-ids")
    assert request_ids["code"] == 1 and request_ids["request_ids"]
    request_id, instance = _boot(v1)
    assert request_id in request_ids["request_ids"]
    chain = cli(venus_client, v1, "get-instance-callchain", f"req-{request_id}", instance)
    assert chain["code"] == 1 and chain["data"]["nova-compute"][0]["is_success"] == 1


def test_client_anomaly_rule_commands(v1, venus_client):
    assert cli(venus_client, v1, "add-anomaly-rule", "--title", "t3", "--desc", "d3", "--keyword", "kw",
               "--log_type", "flog", "--module", "nova")["code"] == 0
    assert cli(venus_client, v1, "add-anomaly-rule", "--title", "t4") == {
        "code": -1, "msg": "invalid param: desc is missed", "detail": "desc is required", "field": "desc"}
    rules = cli(venus_client, v1, "rule-list")["rules"]
    rule = next(r for r in rules if r["title"] == "t3")
    assert cli(venus_client, v1, "get-anomaly-rule", rule["id"])["rule"]["keyword"] == "kw"
    assert cli(venus_client, v1, "delete-anomaly-rule", rule["id"]) == {"code": 0, "msg": "OK"}
    assert cli(venus_client, v1, "record-list")["code"] == 0  # the client lists rules here (its bug)


def test_client_library_calls_the_cli_lacks(v1, venus_client, oom_record):
    typical = library(venus_client, v1, f"print(client.analyse.typical_log({v1.start}, {v1.end}, "
                                        "'novalidhost_error_stats'))")
    assert typical["code"] == 1 and typical["data"]["stats"]
    logs = library(venus_client, v1, f"print(client.search.get_log(querry='No valid host was found', "
                                     f"start_time={v1.start}, end_time={v1.end}, page_num=1, page_size=3))")
    assert logs["code"] == 1 and all("No valid host" in v["desc"] for v in logs["data"]["values"])
    records = library(venus_client, v1, "print(client.anomaly.record_list(module='kernel', log_type='slog', "
                                        "page_size=5))")
    assert records["code"] == 0 and [r["id"] for r in records["records"]] == [oom_record[0]["id"]]
    rules = library(venus_client, v1, "print(client.anomaly.rule_list())")
    assert rules["code"] == 0
    days = library(venus_client, v1, "print(client.config.get_days())")
    assert "log_save_days" in days


def test_39_delete_record(v1, oom_record):
    record_id = oom_record[0]["id"]
    assert httpx.delete(f"{v1.url}/v1/anomaly/record/{record_id}", headers=T).json() == {"code": 0, "msg": "OK"}
    assert get(v1, "/v1/anomaly/record/list", module="kernel").json()["records"] == []


def test_a_v1_rule_takes_match_case_and_names_only_existing_channels(v1):
    url = f"{v1.url}/v1/anomaly/rule"
    rule = {"title": "case", "desc": "d", "keyword": "oom", "log_type": "slog", "module": "kernel", "match_case": "0"}
    made = httpx.post(url, headers=J, json=rule).json()
    assert get(v1, f"/v1/anomaly/rule/{made['id']}").json()["rule"]["match_case"] is False
    bad = httpx.post(url, headers=J, json={**rule, "channels": ["nowhere"]}).json()
    assert (bad["code"], bad["field"]) == (-1, "channels")

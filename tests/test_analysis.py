"""Cross-tabs, API status and latency, and call chains: exact results on lines made for each test,
and on the real OpenStack_2k sample checked against independent greps and arithmetic."""

import csv
import io
import re

import numpy as np
import pytest

from tests.conftest import insert_text, loghub
from tests.test_loghub import import_file
from venus.analysis.chain import call_chain, chain_csv, chain_id, instance_requests
from venus.analysis.latency import latency_table
from venus.analysis.stats import crosstab
from venus.errors import BadRequest
from venus.query.search import Filter

NOVA_API = "/var/log/kolla/nova/nova-api.log"
HDR = "2026-05-06 18:{mm}:{ss}.000 4242 {level} {logger} [{ctx}] {msg}"
ALL = Filter.parse("")


def oslo(mm, ss, msg, level="INFO", logger="nova.api", ctx="- - - - - -"):
    return HDR.format(mm=mm, ss=ss, level=level, logger=logger, ctx=ctx, msg=msg)


def ctx(request_id, global_id="-"):
    """An oslo.log context block: [global request id, request id, user, project, domains]."""
    return f"req-{global_id} req-{request_id} u1 p1 - - -" if global_id != "-" else f"req-{request_id} u1 p1 - - -"


# -- cross-tabs ---------------------------------------------------------------------------------


def _levels(store):
    insert_text(store, "\n".join([oslo("00", "01", "a", "ERROR"), oslo("00", "02", "b", "ERROR"),
                                  oslo("00", "03", "c"), oslo("10", "04", "d", "WARNING")]), host="ctl1")
    insert_text(store, "\n".join([oslo("00", "05", "e", "ERROR"), oslo("20", "06", "f")]), host="ctl2")


def test_crosstab_counts_each_combination_largest_first(store):
    _levels(store)
    result = crosstab(store, ALL, ["host", "level"])
    assert [(r["key"]["host"], r["key"]["level"], r["count"]) for r in result["rows"]] == [
        ("ctl1", "ERROR", 2), ("ctl1", "INFO", 1), ("ctl1", "WARNING", 1), ("ctl2", "ERROR", 1), ("ctl2", "INFO", 1)]
    assert (result["total"], result["groups"], result["truncated"]) == (6, 5, False)


def test_crosstab_of_two_dimensions_is_also_a_matrix(store):
    _levels(store)
    table = crosstab(store, ALL, ["host", "level"])["table"]
    assert table == {"rows": ["ctl1", "ctl2"], "columns": ["ERROR", "INFO", "WARNING"],
                     "cells": [[2, 1, 1], [1, 1, 0]]}


def test_crosstab_keeps_the_largest_groups_and_says_it_cut(store):
    _levels(store)
    result = crosstab(store, Filter.parse("level:ERROR OR level:INFO"), ["host", "level"], size=2)
    assert [r["count"] for r in result["rows"]] == [2, 1]
    assert (result["total"], result["groups"], result["truncated"]) == (5, 4, True)


def test_crosstab_over_time_gives_each_group_a_series(store):
    _levels(store)
    result = crosstab(store, Filter.parse("level:ERROR"), ["host"], buckets=3)
    assert result["interval_seconds"] == 2  # 18:00:01 to 18:00:05 in about three bars
    assert [b["time"] for b in result["rows"][0]["buckets"]] == [
        "2026-05-06T18:00:00Z", "2026-05-06T18:00:02Z", "2026-05-06T18:00:04Z"]
    series = {r["key"]["host"]: [b["count"] for b in r["buckets"]] for r in result["rows"]}
    assert series == {"ctl1": [1, 1, 0], "ctl2": [0, 0, 1]}


def test_crosstab_of_three_dimensions_with_an_attr(store):
    insert_text(store, '10.0.0.1 - - [06/May/2026:18:00:00 +0000] "GET /a HTTP/1.1" 500 12 "-" "curl/8"\n'
                       '10.0.0.1 - - [06/May/2026:18:00:01 +0000] "GET /a HTTP/1.1" 200 12 "-" "curl/8"\n',
                path="/var/log/apache2/access.log", host="web1")
    rows = crosstab(store, ALL, ["host", "status", "attrs.client_ip"])["rows"]
    assert [r["key"] for r in rows] == [{"host": "web1", "http_status": 200, "attrs.client_ip": "10.0.0.1"},
                                        {"host": "web1", "http_status": 500, "attrs.client_ip": "10.0.0.1"}]


@pytest.mark.parametrize("by", [[], ["host", "level", "program", "logger"], ["message"], ["ts"], ["nope"],
                                ["host", "host_name"]])
def test_crosstab_refuses_bad_dimensions(store, by):
    with pytest.raises(BadRequest) as err:
        crosstab(store, ALL, by)
    assert err.value.field == "by"


# -- API routes and latency ---------------------------------------------------------------------


@pytest.mark.parametrize("path, route", [
    ("/v2.1/servers/detail", "/v2.1/servers/detail"),
    ("/v2.1/servers/6f1c2d3e-aaaa-4bbb-8ccc-0123456789ab/action", "/v2.1/servers/{uuid}/action"),
    ("/v3/54fadb412c4e40cdbaed9335e4c35a9e/volumes/detail", "/v3/{uuid}/volumes/detail"),
    ("/v2/images/0123456789abcdef01/file", "/v2/images/{id}/file"),
    ("/v2.1/os-hypervisors/17/uptime", "/v2.1/os-hypervisors/{n}/uptime"),
    ("/v2.1/flavors/1/2", "/v2.1/flavors/{n}/{n}"),
    ("/v1/req-6f1c2d3e-aaaa-4bbb-8ccc-0123456789ab", "/v1/{id}"),
    ("/", "/"),
])
def test_http_route_replaces_ids_uuids_and_numbers(store, path, route):
    insert_text(store, f'10.0.0.1 - - [06/May/2026:18:00:00 +0000] "GET {path} HTTP/1.1" 200 12 "-" "curl/8"\n',
                path="/var/log/apache2/access.log", host="web1")
    assert store.query("SELECT http_route FROM logs").rows == [(route,)]


def _access(mm, ss, method, path, status, secs, request_id):
    return oslo(mm, ss, f'10.0.0.9 "{method} {path}" status: {status} len: 10 time: {secs}',
                logger="nova.api.openstack.requestlog", ctx=ctx(request_id))


RIDS = [f"00000000-0000-4000-8000-{i:012d}" for i in range(10)]


def test_latency_table_groups_by_service_method_and_route(store):
    lines = [_access("00", f"{i:02d}", "GET", f"/v2.1/servers/{RIDS[i]}", 200 if i < 8 else 503, 0.1 * (i + 1),
                     RIDS[i]) for i in range(10)]
    lines.append(_access("01", "00", "POST", "/v2.1/servers", 404, 2.5, RIDS[0]))
    insert_text(store, "\n".join(lines), path=NOVA_API, host="ctl1")
    result = latency_table(store, ALL, slowest=2)
    get, post = result["apis"]
    assert (get["service"], get["method"], get["route"]) == ("nova", "GET", "/v2.1/servers/{uuid}")
    assert (get["count"], get["errors"], get["client_errors"], get["error_rate"]) == (10, 2, 0, 0.2)
    times = np.array([100.0 * (i + 1) for i in range(10)], dtype=np.float32)
    assert get["p50_ms"] == pytest.approx(np.percentile(times, 50), rel=1e-5)
    assert get["p95_ms"] == pytest.approx(np.percentile(times, 95), rel=1e-5)
    assert get["p99_ms"] == pytest.approx(np.percentile(times, 99), rel=1e-5)
    assert get["max_ms"] == pytest.approx(1000.0)
    assert get["statuses"] == {"200": 8, "503": 2}
    assert (post["route"], post["count"], post["client_errors"], post["statuses"]) == ("/v2.1/servers", 1, 1,
                                                                                      {"404": 1})
    assert [(s["time_ms"], s["route"], s["request_id"]) for s in result["slowest"]] == [
        (2500.0, "/v2.1/servers", RIDS[0]), (1000.0, "/v2.1/servers/{uuid}", RIDS[9])]


def test_latency_table_narrows_to_one_route_and_sorts(store):
    lines = [_access("00", "01", "GET", "/a/1", 200, 0.5, RIDS[1]), _access("00", "02", "GET", "/b", 200, 0.1, RIDS[2]),
             _access("00", "03", "GET", "/b", 200, 0.2, RIDS[3])]
    insert_text(store, "\n".join(lines), path=NOVA_API, host="ctl1")
    assert [a["route"] for a in latency_table(store, ALL)["apis"]] == ["/b", "/a/{n}"]
    assert [a["route"] for a in latency_table(store, ALL, sort="p95")["apis"]] == ["/a/{n}", "/b"]
    only = latency_table(store, ALL, route="/b")
    assert [a["route"] for a in only["apis"]] == ["/b"]
    assert sum(b["count"] for b in only["series"]) == 2
    with pytest.raises(BadRequest):
        latency_table(store, ALL, sort="nope")


def test_latency_table_of_openstack_sample_matches_an_independent_computation(store, importer):
    data, _ = import_file(importer, loghub("OpenStack_2k.log"))
    access = re.compile(r'^(\S+?)\.log\S* .*"(GET|POST|PUT|DELETE|HEAD|PATCH) (\S+) HTTP/1\.[01]" '
                        r"status: (\d{3}) len: \d+ time: (\d+\.\d+)$")
    groups: dict[tuple, list[float]] = {}
    for line in data.decode().splitlines():
        m = access.match(line)
        if m:
            route = m[3].split("?")[0]
            for pattern, placeholder in ((r"[0-9a-f-]{36}", "{uuid}"), (r"[0-9a-f]{32}", "{uuid}"), (r"\d+", "{n}")):
                route = re.sub(rf"/{pattern}(?=/|$)", "/" + placeholder, route)
            groups.setdefault((m[2], route), []).append(float(m[5]) * 1000)
    result = latency_table(store, ALL, size=100)
    got = {(a["method"], a["route"]): a for a in result["apis"]}
    assert set(got) == set(groups)
    for key, times in groups.items():
        assert got[key]["count"] == len(times)
        expected = np.percentile(np.array(times, dtype=np.float32), 95)
        assert got[key]["p95_ms"] == pytest.approx(expected, abs=1e-3), key  # ms to 3 places


# -- call chains --------------------------------------------------------------------------------

GID = "11111111-2222-4333-8444-555555555555"
CONDUCTOR = "66666666-2222-4333-8444-555555555555"
COMPUTE = "77777777-2222-4333-8444-555555555555"
INSTANCE = "99999999-2222-4333-8444-555555555555"


def _boot(store):
    insert_text(store, _access("00", "02", "POST", "/v2.1/servers", 202, 1.5, GID), path=NOVA_API, host="ctl1")
    insert_text(store, "\n".join([
        oslo("00", "03", "Scheduling", ctx=ctx(CONDUCTOR, GID), logger="nova.conductor.manager"),
        oslo("00", "09", "done", ctx=ctx(CONDUCTOR, GID), logger="nova.conductor.manager")]),
        path="/var/log/kolla/nova/nova-conductor.log", host="ctl1")
    insert_text(store, "\n".join([
        oslo("00", "04", f"[instance: {INSTANCE}] Claim successful", ctx=ctx(COMPUTE, GID),
             logger="nova.compute.claims"),
        oslo("00", "06", f"[instance: {INSTANCE}] Instance failed to spawn", "ERROR", ctx=ctx(COMPUTE, GID),
             logger="nova.compute.manager"),
        oslo("00", "07", "unrelated", ctx=ctx(RIDS[5]))]), path="/var/log/kolla/nova/nova-compute.log", host="cmp1")


def test_chain_of_a_global_request_id_groups_its_lines_into_spans(store):
    _boot(store)
    chain = call_chain(store, f"req-{GID}")
    assert (chain["kind"], chain["line_count"], chain["error_count"]) == ("request", 5, 1)
    assert [(s["program"], s["host"], s["request_id"], s["parent"], s["line_count"], s["error_count"])
            for s in chain["spans"]] == [
        ("nova-api", "ctl1", GID, None, 1, 0),
        ("nova-conductor", "ctl1", CONDUCTOR, GID, 2, 0),
        ("nova-compute", "cmp1", COMPUTE, GID, 2, 1)]
    # The API's access line ends its request: the span began 1.5 s before it was written.
    assert [s["duration_ms"] for s in chain["spans"]] == [1500.0, 6000.0, 2000.0]
    assert chain["duration_ms"] == 8500.0
    first_error = next(line for line in chain["lines"] if line["level"] == "ERROR")
    assert chain["first_error"] == chain["spans"][2]["first_error"] == first_error["id"]
    assert [line["message"].split()[-1] for line in chain["lines"]] == [
        "1.5", "Scheduling", "successful", "spawn", "done"]


def test_chain_of_a_local_request_id_names_the_request_it_is_part_of(store):
    _boot(store)
    chain = call_chain(store, COMPUTE.upper())
    assert (chain["kind"], chain["part_of"], chain["line_count"]) == ("request", GID, 2)


def test_chain_of_an_instance_follows_every_request_that_touched_it(store):
    _boot(store)
    chain = call_chain(store, INSTANCE)
    assert (chain["kind"], chain["line_count"]) == ("instance", 5)
    requests = instance_requests(store, INSTANCE)["requests"]
    assert [(r["request_id"], r["local_request_ids"], r["line_count"], r["error_count"]) for r in requests] == [
        (GID, [COMPUTE], 2, 1)]


def test_chain_of_an_unknown_id_is_empty_and_a_malformed_one_is_refused(store):
    _boot(store)
    assert call_chain(store, RIDS[9])["kind"] == "unknown"
    for bad in ("req-", "1234", "' OR 1=1 --", "req-" + "g" * 36):
        with pytest.raises(BadRequest):
            chain_id(bad)


def test_chain_csv_has_a_row_per_line_in_time_order(store):
    _boot(store)
    rows = list(csv.reader(io.StringIO(b"".join(chain_csv(call_chain(store, GID))).decode())))
    assert rows[0][:5] == ["ts", "service", "program", "host", "request_id"]
    assert rows[1][:2] == ["2026-05-06T18:00:02Z", "nova"]  # times as the export writes them
    assert [r[2] for r in rows[1:]] == ["nova-api", "nova-conductor", "nova-compute", "nova-compute",
                                        "nova-conductor"]


def test_chain_of_openstack_sample_request_is_exactly_the_lines_carrying_it(store, importer):
    data, _ = import_file(importer, loghub("OpenStack_2k.log"))
    offsets, at = {}, 0
    for line in data.splitlines(keepends=True):
        offsets[at] = line
        at += len(line)
    for rid in ("req-addc1839-2ed5-4778-b57e-5854eb7b8b09", "req-3ea4052c-895d-4b64-9e2d-04d64c4d94ab",
                "req-d82fab16-60f8-4c9f-bde8-f362f57bdd40"):
        grepped = {offset for offset, line in offsets.items() if rid.encode() in line}
        chain = call_chain(store, rid)
        assert chain["line_count"] == len(grepped)
        assert {line["offset"] for line in chain["lines"]} == grepped

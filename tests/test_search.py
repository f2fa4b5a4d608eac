"""Search features on the real chdb store: matching, paging, totals, histogram, facets, context, export."""

from datetime import datetime, timedelta, timezone

import orjson
import pytest

from tests.conftest import insert_text
from venus.errors import BadRequest, NotFound
from venus.parse.lines import records_to_table
from venus.parse.paths import describe_path
from venus.parse.timestamps import now_us
from venus.query import search as S

T0 = datetime(2026, 5, 6, 18, 0, 0, tzinfo=timezone.utc)


def oslo(i, level="INFO", logger="nova.compute.manager", msg="ok", ctx="-"):
    t = T0 + timedelta(milliseconds=i)
    return f"{t:%Y-%m-%d %H:%M:%S}.{t.microsecond // 1000:03d} 42 {level} {logger} [{ctx}] {msg}"


def run(store, q, **kw):
    return S.search(store, S.Filter.parse(q), kw.pop("limit", 100), **kw)


@pytest.fixture
def sample(store):
    insert_text(store, "\n".join([
        oslo(0, msg="Claim successful on node cmp1"),
        oslo(1, "ERROR", msg="No valid host was found. There are not enough hosts available."),
        oslo(2, "WARNING", msg="Timed out waiting for a reply to message ID 42"),
        oslo(3, msg='10.0.0.1 "GET /v2.1/servers" status: 503 len: 10 microversion: 2.1 time: 1.5'),
        oslo(4, msg="TIMEOUT in upper case and an ünïcödé word"),
        oslo(5, ctx="req-5b6c791d-5709-4f36-8fbe-c3e02869e35d - - - - -", msg="with a request"),
    ]))
    return store


@pytest.mark.parametrize("q,expected", [
    ("valid", [1]),
    ("VALID", [1]),
    ('"valid host"', [1]),
    ('"host valid"', []),
    ("time*", [2, 3, 4]),
    ("*imed ou*", [2]),
    ("*imed*", [2]),
    ("level:ERROR OR level:WARNING", [1, 2]),
    ("level:error", [1]),
    ("-level:INFO", [1, 2]),
    ("http_status:>=500", [3]),
    ("http_time_ms:[1000 TO 2000]", [3]),
    ("http_status:NO_EXIST", [0, 1, 2, 4, 5]),
    ("/reply to message ID \\d+/", [2]),
    ("ünïcödé", [4]),
    ("request_id:req-5b6c791d-5709-4f36-8fbe-c3e02869e35d", [5]),
    ("ts:[2026-05-06T18:00:00.001 TO 2026-05-06T18:00:00.002]", [1, 2]),
    ("'; DROP TABLE logs; --", []),
    ("host:\"x' OR '1'='1\"", []),
])
def test_query_matches(sample, q, expected):
    page = run(sample, q)
    got = sorted(int(h["ts"].microsecond // 1000) for h in page.hits)
    assert got == expected
    assert page.total == len(expected)


def test_injection_attempts_leave_the_table_intact(sample):
    run(sample, "'; DROP TABLE logs; --")
    run(sample, 'message:"\\"); DROP TABLE logs; --"')
    assert S.count(sample, S.Filter.parse("")) == 6


def test_results_are_newest_first_with_ids(sample):
    hits = run(sample, "").hits
    assert [h["ts"] for h in hits] == sorted((h["ts"] for h in hits), reverse=True)
    assert all(S.parse_line_id(h["id"])[4] == h["offset"] for h in hits)


def test_paging_goes_past_ten_thousand_hits(store):
    insert_text(store, "\n".join(oslo(i, msg=f"line {i}") for i in range(12_500)))
    flt = S.Filter.parse("line")
    seen, cursor, pages = [], None, 0
    while True:
        page = S.search(store, flt, 5000, cursor, with_total=(pages == 0))
        if pages == 0:
            assert page.total == 12_500
        seen.extend(h["offset"] for h in page.hits)
        pages += 1
        cursor = page.next_cursor
        if not cursor:
            break
    assert pages == 3
    assert len(seen) == len(set(seen)) == 12_500


def test_time_range_is_half_open(sample):
    flt = S.Filter.parse("", T0 + timedelta(milliseconds=1), T0 + timedelta(milliseconds=3))
    assert sorted(h["ts"].microsecond // 1000 for h in S.search(sample, flt, 10).hits) == [1, 2]


def test_histogram_fills_empty_buckets(sample):
    flt = S.Filter.parse("", T0, T0 + timedelta(minutes=60))
    result = S.histogram(sample, flt, 60)
    assert result["interval_seconds"] == 60
    assert len(result["buckets"]) == 60
    assert result["buckets"][0] == {"time": "2026-05-06T18:00:00Z", "count": 6, "errors": 1, "warnings": 1,
                                    "levels": {"ERROR": 1, "INFO": 4, "WARNING": 1}}
    assert sum(b["count"] for b in result["buckets"]) == 6


def test_histogram_picks_a_nice_step():
    assert S.pick_step(6 * 3600, 60) == 300
    assert S.pick_step(7 * 86400, 60) == 10800
    assert S.pick_step(30, 60) == 1


def test_facets_count_top_values(sample):
    result = S.facet(sample, S.Filter.parse(""), "level", 2)
    assert result == {"field": "level", "values": [{"value": "INFO", "count": 4}, {"value": "ERROR", "count": 1}],
                      "timed_out": False}


def test_a_facet_with_a_prefix_counts_only_the_values_that_start_with_it(sample):
    result = S.facet(sample, S.Filter.parse(""), "level", 10, prefix="WA")
    assert result["values"] == [{"value": "WARNING", "count": 1}]


def test_a_prefix_on_a_number_field_is_refused(sample):
    with pytest.raises(BadRequest) as caught:
        S.facet(sample, S.Filter.parse(""), "pid", prefix="4")
    assert caught.value.field == "prefix"


def test_attr_keys_lists_the_keys_seen_most_frequent_first(store):
    records = [{"message": "a", "attrs": {"az": "nova", "region": "r1"}}, {"message": "b", "attrs": {"region": "r2"}}]
    store.insert(records_to_table(records, describe_path("/var/log/app.log", "h1"), now_us()))
    assert S.attr_keys(store, S.Filter.parse("")) == ["region", "az"]


def test_facet_on_message_is_refused(sample):
    with pytest.raises(BadRequest):
        S.facet(sample, S.Filter.parse(""), "message")


def test_context_returns_lines_around_in_file_order(store):
    insert_text(store, "\n".join(oslo(i, msg=f"line {i}") for i in range(50)))
    insert_text(store, "\n".join(oslo(i, msg=f"other {i}") for i in range(50)), path="/var/log/nova/nova-api.log")
    target = next(h for h in run(store, "line AND 20", limit=100).hits)
    result = S.context(store, target["id"], 3, 2)
    assert [r["message"] for r in result["before"]] == ["line 17", "line 18", "line 19"]
    assert result["line"]["message"] == "line 20"
    assert [r["message"] for r in result["after"]] == ["line 21", "line 22"]


def test_context_of_an_unknown_or_malformed_id(store):
    with pytest.raises(BadRequest):
        S.context(store, "not-an-id", 1, 1)
    with pytest.raises(NotFound):
        S.context(store, S.line_id({"ts": T0, "host": "h", "program": "p", "source": "s", "offset": 1}), 1, 1)


def test_export_ndjson_streams_every_match(sample):
    rows = [orjson.loads(line) for line in b"".join(S.export(sample, S.Filter.parse("level:INFO"), "ndjson")).splitlines()]
    assert len(rows) == 4
    assert rows[0]["ts"] == "2026-05-06T18:00:00.005000Z" and rows[0]["request_id"] == "5b6c791d-5709-4f36-8fbe-c3e02869e35d"
    assert {"id", "host", "message", "attrs"} <= set(rows[0])


def test_export_csv_has_a_header_and_one_row_per_line(sample):
    text = b"".join(S.export(sample, S.Filter.parse(""), "csv")).decode()
    lines = text.splitlines()
    assert lines[0].startswith("id,ts,host,service,program,source,offset")
    assert len(lines) == 7
    assert any('"10.0.0.1 ""GET /v2.1/servers"" status: 503' in line for line in lines)


def test_histogram_of_nothing_is_empty(sample):
    assert S.histogram(sample, S.Filter.parse("nosuchwordanywhere"), 60) == {
        "interval_seconds": 0, "buckets": [], "total": 0}


def test_a_regex_re2_refuses_is_a_bad_request_naming_it(sample):
    with pytest.raises(BadRequest) as err:
        run(sample, "/a(/")
    assert (err.value.field, err.value.message) == ("q", "invalid regular expression: missing ): a(")


def test_context_reaches_neighbours_hours_away(store):
    # Three lines, each two hours after the one before: outside the first, one-hour window.
    text = "\n".join(f"2026-05-06 {h:02d}:00:00.000 7 INFO nova.compute.manager [-] hour {h}" for h in (8, 10, 12))
    insert_text(store, text)
    target = run(store, "hour AND 10").hits[0]
    result = S.context(store, target["id"], 5, 5)
    assert [r["message"] for r in result["before"]] == ["hour 8"]
    assert [r["message"] for r in result["after"]] == ["hour 12"]


def test_context_of_a_syslog_line_includes_other_programs_of_the_same_file(store):
    insert_text(store, "May  6 18:00:01 cmp1 sshd[10]: Accepted publickey for root\n"
                       "May  6 18:00:02 cmp1 CRON[11]: (root) CMD (run-parts)\n"
                       "May  6 18:00:03 cmp1 kernel: device tap0 entered promiscuous mode\n", path="/var/log/messages")
    target = run(store, "program:CRON").hits[0]
    result = S.context(store, target["id"], 1, 1)
    assert [r["program"] for r in result["before"] + [result["line"]] + result["after"]] == ["sshd", "CRON", "kernel"]


def test_context_of_a_line_alone_in_its_file_is_just_the_line(store):
    insert_text(store, oslo(0, msg="lonely"))
    result = S.context(store, run(store, "lonely").hits[0]["id"], 20, 20)
    assert (result["before"], result["line"]["message"], result["after"]) == ([], "lonely", [])


def test_disk_usage_counts_rows_bytes_parts_and_merges(store):
    insert_text(store, "\n".join(oslo(i) for i in range(30)))
    usage = store.disk_usage()
    assert usage["rows"] == 30 and usage["parts"] >= 1 and usage["bytes_on_disk"] > 0
    assert set(usage) == {"rows", "bytes_on_disk", "bytes_uncompressed", "parts", "merges"}

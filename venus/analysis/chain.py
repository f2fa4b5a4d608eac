"""Call chains: one request followed across services, and the requests that touched an instance.

OpenStack passes the request id of the API call that started the work on to the services it calls
as their `global_request_id`, so the lines of one user request are those whose request id or global
request id is the id asked for. The lines are grouped into spans: one per service, program, host and
local request id, each with its start, end, duration, line count and error count, nested under
the request that started them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, timedelta

from venus.errors import BadRequest
from venus.model import COLUMN_NAMES
from venus.query.search import SELECT_COLUMNS, csv_line, row_to_dict
from venus.store.clickhouse import ClickHouseStore
from venus.store.schema import LOG_TABLE

_UUID = re.compile(r"(?:req-)?([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})")
ERROR_LEVELS = ("ERROR", "CRITICAL")
MAX_CHAIN_LINES = 20_000
CHAIN_CSV_COLUMNS = ("ts", "service", "program", "host", "request_id", "global_request_id", "level", "logger",
                     "instance_id", "message", "id")


def chain_id(text: str) -> str:
    """The id as stored: a UUID in lower case, without the `req-` that oslo.log writes before it."""
    m = _UUID.fullmatch(text.strip())
    if m is None:
        raise BadRequest(f"id: {text[:80]!r} is not a request id or an instance UUID "
                         "(req-<uuid> or <uuid>)", field="id")
    return m.group(1).lower()


def _duration_ms(start: datetime, end: datetime) -> float:
    return round((end - start).total_seconds() * 1000, 3)


def call_chain(store: ClickHouseStore, ident: str, limit: int = MAX_CHAIN_LINES) -> dict:
    """Every line of the request `ident` (a global or local request id, `req-` optional) or, for an
    instance UUID, of every request that touched the instance; in time order, with the spans."""
    uid = chain_id(ident)
    sql = (f"SELECT {SELECT_COLUMNS} FROM {LOG_TABLE} WHERE request_id = {{id:String}} "
           f"OR global_request_id = {{id:String}} ORDER BY ts, host, source, offset LIMIT {int(limit) + 1}")
    rows = store.query(sql, {"id": uid}).rows
    kind = "request"
    if not rows:
        instance = instance_requests(store, uid)
        if instance["requests"]:
            kind = "instance"
            ids = [r["request_id"] for r in instance["requests"]]
            sql = (f"SELECT {SELECT_COLUMNS} FROM {LOG_TABLE} WHERE instance_id = {{id:String}} OR "
                   "request_id IN {ids:Array(String)} OR global_request_id IN {ids:Array(String)} "
                   f"ORDER BY ts, host, source, offset LIMIT {int(limit) + 1}")
            rows = store.query(sql, {"id": uid, "ids": ids}).rows
    lines = [row_to_dict(COLUMN_NAMES, r) for r in rows[:limit]]
    parts = spans(lines)
    # A local request id of a service that another request called: name the whole request.
    outer = {line["global_request_id"] for line in lines} - {"", uid}
    return {"id": uid, "kind": kind if lines else "unknown", "part_of": outer.pop() if len(outer) == 1 else None,
            "truncated": len(rows) > limit, **_summary(lines, parts), "spans": parts, "lines": lines}


def _summary(lines: list[dict], parts: list[dict]) -> dict:
    if not lines:
        return {"start": None, "end": None, "duration_ms": 0.0, "line_count": 0, "error_count": 0,
                "first_error": None, "services": []}
    errors = [line for line in lines if line["level"] in ERROR_LEVELS]
    start = parts[0]["start"]
    return {"start": start, "end": lines[-1]["ts"], "duration_ms": _duration_ms(start, lines[-1]["ts"]),
            "line_count": len(lines), "error_count": len(errors), "first_error": errors[0]["id"] if errors else None,
            "services": list(dict.fromkeys(line["service"] for line in lines))}


def spans(lines: list[dict]) -> list[dict]:
    """The lines (in time order) grouped per service, program, host and local request id, in the
    order the spans start. A span's parent is the global request id its lines carry (none for the
    span that started the request). An access line is written when its request ends, so a span
    with one starts when that request began (its time minus its response time)."""
    by_key: dict[tuple, dict] = {}
    for line in lines:
        key = (line["service"], line["program"], line["host"], line["request_id"])
        span = by_key.get(key)
        if span is None:
            span = by_key[key] = {
                "service": line["service"], "program": line["program"], "host": line["host"],
                "request_id": line["request_id"], "parent": line["global_request_id"] or None,
                "start": line["ts"], "end": line["ts"], "line_count": 0, "error_count": 0, "first_error": None,
                "line_ids": []}
        span["end"] = line["ts"]
        if line.get("http_time_ms"):
            span["start"] = min(span["start"], line["ts"] - timedelta(milliseconds=line["http_time_ms"]))
        span["line_count"] += 1
        span["line_ids"].append(line["id"])
        if line["level"] in ERROR_LEVELS:
            span["error_count"] += 1
            span["first_error"] = span["first_error"] or line["id"]
    out = sorted(by_key.values(), key=lambda span: span["start"])
    for span in out:
        span["duration_ms"] = _duration_ms(span["start"], span["end"])
    return out


def chain_csv(chain: dict) -> Iterator[bytes]:
    """The chain's lines as CSV, one row a line, in time order."""
    yield csv_line(list(CHAIN_CSV_COLUMNS))
    for line in chain["lines"]:
        yield csv_line([line[c] for c in CHAIN_CSV_COLUMNS])


def instance_requests(store: ClickHouseStore, ident: str, limit: int = 1000) -> dict:
    """Every request that touched the instance, oldest first: its id (the global one when the
    lines carry it), the local request ids, services and programs that logged it, start, end,
    line and error counts, and its first line about the instance."""
    uid = chain_id(ident)
    sql = ("SELECT if(global_request_id != '', global_request_id, request_id) AS request, min(ts) AS start, "
           "max(ts), count(), countIf(level IN ('ERROR', 'CRITICAL')), groupUniqArray(request_id), "
           "groupUniqArray(service), groupUniqArray(program), argMin(message, ts) "
           f"FROM {LOG_TABLE} WHERE instance_id = {{id:String}} AND request_id != '' "
           f"GROUP BY request ORDER BY start LIMIT {int(limit)}")
    requests = []
    for rid, start, end, n, errors, local, services, programs, first in store.query(sql, {"id": uid}).rows:
        requests.append({"request_id": rid, "local_request_ids": sorted(local), "start": start, "end": end,
                         "duration_ms": _duration_ms(start, end), "line_count": int(n), "error_count": int(errors),
                         "services": sorted(services), "programs": sorted(programs), "first_message": first[:500]})
    return {"instance_id": uid, "requests": requests}

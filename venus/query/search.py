"""Search, count, histogram, facets, context and export over a Store.

Every feature is the user's query plus an edit (a time range, an order, a GROUP BY), compiled
once; the API and the CLI call these functions and nothing else. Results are newest first, paged
with an opaque cursor (no 10,000-hit ceiling), and each line has an id that `context` accepts.
"""

from __future__ import annotations

import base64
import csv
import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from operator import itemgetter
from typing import Any

import orjson

from venus.errors import BadRequest, NotFound, QueryTimeout
from venus.jsonfmt import dumps
from venus.model import COLUMN_NAMES
from venus.query.ast import Node
from venus.query.compiler import Compiled, compile_query
from venus.query.fields import resolve_field
from venus.query.parser import parse_query
from venus.query.timerange import time_bounds
from venus.store.clickhouse import ClickHouseStore
from venus.store.schema import LOG_TABLE

SELECT_COLUMNS = ", ".join(f"`{c}`" for c in COLUMN_NAMES)
# Histogram steps people read easily; the one giving about the requested number of bars wins.
NICE_STEPS = (1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200,
              86400, 172800, 604800, 2592000)
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


@dataclass
class Filter:
    """A parsed query with its time range: the part every search feature shares."""

    query: str
    node: Node
    since: datetime | None = None
    until: datetime | None = None

    @classmethod
    def parse(cls, query: str | None, since: datetime | None = None, until: datetime | None = None) -> Filter:
        return cls(query or "", parse_query(query or ""), since, until)

    @classmethod
    def from_text(cls, query: str | None, since: str | None, until: str | None) -> Filter:
        """A filter from user input: the query and the --since/--until forms of timerange."""
        return cls.parse(query, *time_bounds(since, until))

    def where(self, extra: list[str] | None = None, params: dict | None = None) -> Compiled:
        compiled = compile_query(self.node)
        clauses = [compiled.where]
        bound = dict(compiled.params)
        if self.since is not None:
            clauses.append("ts >= {since:DateTime64(6, 'UTC')}")
            bound["since"] = self.since
        if self.until is not None:
            clauses.append("ts < {until:DateTime64(6, 'UTC')}")
            bound["until"] = self.until
        clauses.extend(extra or [])
        bound.update(params or {})
        return Compiled(" AND ".join(clauses), bound)


# -- line ids and rows --------------------------------------------------------------------------


def _us(ts: datetime) -> int:
    return (ts - EPOCH) // timedelta(microseconds=1)


def line_id(row: dict) -> str:
    """An opaque, URL-safe id that locates one line: time, host, program, source and offset."""
    key = orjson.dumps([_us(row["ts"]), row["host"], row["program"], row["source"], row["offset"]])
    return base64.urlsafe_b64encode(key).decode().rstrip("=")


def parse_line_id(text: str, field: str = "id") -> tuple[datetime, str, str, str, int]:
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        ts_us, host, program, source, offset = orjson.loads(raw)
        if not all(isinstance(v, str) for v in (host, program, source)):
            raise ValueError
        return EPOCH + timedelta(microseconds=int(ts_us)), host, program, source, int(offset)
    except (ValueError, TypeError, orjson.JSONDecodeError):
        raise BadRequest(f"{field}: {text[:80]!r} is not a line id (ids come with every search result)",
                         field=field) from None


def row_to_dict(columns: Sequence[str], values: tuple) -> dict:
    row = dict(zip(columns, values))
    row["id"] = line_id(row)
    return row


# -- search -------------------------------------------------------------------------------------


@dataclass
class Page:
    hits: list[dict]
    total: int | None
    next_cursor: str | None


def _cursor_clause(cursor: str) -> tuple[str, dict]:
    ts, host, _program, source, offset = parse_line_id(cursor, "cursor")
    return ("(ts < {c_ts:DateTime64(6, 'UTC')} OR (ts = {c_ts:DateTime64(6, 'UTC')} AND "
            "(host, source, offset) < ({c_host:String}, {c_source:String}, {c_offset:UInt64})))",
            {"c_ts": ts, "c_host": host, "c_source": source, "c_offset": offset})


def search(store: ClickHouseStore, flt: Filter, limit: int, cursor: str | None = None,
           with_total: bool = True) -> Page:
    """One page of matching lines, newest first; `next_cursor` continues after the last one."""
    extra, params = ([], {})
    if cursor:
        clause, params = _cursor_clause(cursor)
        extra = [clause]
    where = flt.where(extra, params)
    sql = (f"SELECT {SELECT_COLUMNS} FROM {LOG_TABLE} WHERE {where.where} "
           f"ORDER BY ts DESC, host DESC, source DESC, offset DESC LIMIT {int(limit) + 1}")
    result = store.query(sql, where.params)
    rows = [row_to_dict(result.columns, r) for r in result.rows]
    more = len(rows) > limit
    rows = rows[:limit]
    total = count(store, flt) if with_total else None
    return Page(rows, total, rows[-1]["id"] if more and rows else None)


def count(store: ClickHouseStore, flt: Filter) -> int:
    where = flt.where()
    return int(store.query(f"SELECT count() FROM {LOG_TABLE} WHERE {where.where}", where.params).rows[0][0])


# -- histogram ----------------------------------------------------------------------------------


def pick_step(span_seconds: float, buckets: int) -> int:
    """The nice step that gives closest to `buckets` bars over the span."""
    target = max(span_seconds / max(buckets, 1), 1)
    return min(NICE_STEPS, key=lambda s: abs(s - target) / s if s >= target else abs(s - target) / target * 2)


def time_span(store: ClickHouseStore, flt: Filter) -> tuple[datetime, datetime] | None:
    """The filter's time range; where it has no bound, the matching lines' own first and last
    time. None when no line matches."""
    start, end = flt.since, flt.until
    if start is None or end is None:
        where = flt.where()
        lo, hi = store.query(f"SELECT min(ts), max(ts) FROM {LOG_TABLE} WHERE {where.where}",
                             where.params).rows[0]
        if aware(lo) == EPOCH:  # min() of no rows
            return None
        start = start or aware(lo)
        end = end or aware(hi) + timedelta(microseconds=1)
    return start, end


def bucket_times(start: datetime, end: datetime, step: int, most: int) -> list[datetime]:
    """The start of every `step`-second bucket from the one holding `start` up to `end`."""
    times, t = [], floor_time(start, step)
    while t < end and len(times) < most:
        times.append(t)
        t += timedelta(seconds=step)
    return times


def histogram(store: ClickHouseStore, flt: Filter, buckets: int = 60) -> dict:
    """Counts per time bucket (and per level) over the filter's range; without a range, over the
    matching lines' own first and last time."""
    span = time_span(store, flt)
    if span is None:
        return {"interval_seconds": 0, "buckets": [], "total": 0}
    start, end = span
    where = flt.where()
    step = pick_step((end - start).total_seconds(), buckets)
    sql = (f"SELECT toStartOfInterval(ts, INTERVAL {step} SECOND) AS t, level, count() AS n "
           f"FROM {LOG_TABLE} WHERE {where.where} GROUP BY t, level")
    by_time: dict[datetime, dict[str, int]] = {}
    for t, level, n in store.query(sql, where.params).rows:
        by_time.setdefault(aware(t), {})[level] = int(n)
    out = []
    for t in bucket_times(start, end, step, 10 * buckets):
        levels = by_time.get(t, {})
        out.append({"time": iso_z(t), "count": sum(levels.values()),
                    "errors": levels.get("ERROR", 0) + levels.get("CRITICAL", 0),
                    "warnings": levels.get("WARNING", 0), "levels": dict(sorted(levels.items()))})
    return {"interval_seconds": step, "buckets": out, "total": sum(b["count"] for b in out)}


def iso_z(t: datetime) -> str:
    """A bucket's time as the API writes it: 2026-05-06T18:00:00Z."""
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def aware(value: datetime) -> datetime:
    """A time from the engine, which may come without its zone, in UTC."""
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def floor_time(t: datetime, step: int) -> datetime:
    """The start of the `step`-second bucket that holds `t` (buckets start at the epoch)."""
    seconds = int((t - EPOCH).total_seconds())
    return EPOCH + timedelta(seconds=seconds - seconds % step)


# -- facets -------------------------------------------------------------------------------------


def facet(store: ClickHouseStore, flt: Filter, field_name: str, size: int = 20,
          timeout: float = 5.0, prefix: str = "") -> dict:
    """The most frequent values of a field among the matching lines (those that start with
    `prefix`, when given). A facet that runs out of time is reported as timed out, not as an
    error, so a page can still show the rest."""
    ref = resolve_field(field_name)
    if ref is None or ref.column.kind in ("text",):
        raise BadRequest(f"cannot count values of '{field_name}'", field="field")
    extra: list[str] = []
    params: dict[str, str] = {}
    if ref.attr_key is not None:
        params["f_key"] = ref.attr_key
        expr = "attrs[{f_key:String}]"
    else:
        expr = f"`{ref.column.name}`"
    if prefix:
        if ref.column.kind not in ("keyword", "map"):
            raise BadRequest(f"prefix: '{ref.name}' is not a text field", field="prefix")
        params["f_prefix"] = prefix
        extra.append(f"startsWith({expr}, {{f_prefix:String}})")
    where = flt.where(extra, params)
    sql = (f"SELECT {expr} AS value, count() AS n FROM {LOG_TABLE} WHERE {where.where} "
           f"GROUP BY value ORDER BY n DESC, value LIMIT {int(size)}")
    try:
        rows = store.query(sql, where.params, timeout=timeout).rows
    except QueryTimeout:
        return {"field": ref.name, "values": [], "timed_out": True}
    values = [{"value": v.isoformat() if isinstance(v, datetime) else v, "count": int(n)} for v, n in rows]
    return {"field": ref.name, "values": values, "timed_out": False}


def attr_keys(store: ClickHouseStore, flt: Filter, timeout: float = 5.0, size: int = 200) -> list[str]:
    """The keys of attrs among the matching lines, most frequent first (empty past the timeout)."""
    where = flt.where()
    sql = (f"SELECT key FROM {LOG_TABLE} ARRAY JOIN mapKeys(attrs) AS key WHERE {where.where} "
           f"GROUP BY key ORDER BY count() DESC, key LIMIT {int(size)}")
    try:
        return [row[0] for row in store.query(sql, where.params, timeout=timeout).rows]
    except QueryTimeout:
        return []


# -- context ------------------------------------------------------------------------------------


# Context looks this far around the line first, and widens only for a side that came back short.
CONTEXT_WINDOWS = (timedelta(hours=1), timedelta(days=30))
_FILE_ORDER = itemgetter(COLUMN_NAMES.index("ts"), COLUMN_NAMES.index("offset"))


def context(store: ClickHouseStore, ident: str, before: int, after: int) -> dict:
    """The line with this id and up to `before`/`after` lines around it from the same host and
    source, in file order (time, then byte offset)."""
    ts, host, program, source, offset = parse_line_id(ident)
    params = {"host": host, "program": program, "source": source, "ts": ts, "offset": offset}
    # The line is found through the whole primary key (host, program, ts). Its neighbours may be
    # other programs' lines of the same file (syslog), so their search leaves program out.
    line_sql = (f"SELECT 0 AS side, {SELECT_COLUMNS} FROM {LOG_TABLE} WHERE host = {{host:String}} "
                "AND program = {program:String} AND source = {source:String} "
                "AND ts = {ts:DateTime64(6, 'UTC')} AND offset = {offset:UInt64} LIMIT 1")
    wanted = {-1: int(before), 1: int(after)}
    found: dict[int, list] = {-1: [], 1: []}
    line = None
    for window in CONTEXT_WINDOWS:
        params.update(lo=ts - window, hi=ts + window)
        parts = [line_sql] if line is None else []
        parts += [_context_side_sql(side, n) for side, n in wanted.items() if n and len(found[side]) < n]
        if not parts:
            break
        # One round trip for the line and both sides.
        result = store.query(" UNION ALL ".join(f"({p})" for p in parts), params)
        fresh: dict[int, list] = {-1: [], 1: []}
        for row in result.rows:
            if row[0] == 0:
                line = row[1:]
            else:
                fresh[row[0]].append(row[1:])
        if line is None:
            raise NotFound("no line has this id (it may have passed the retention period)", field="id")
        for side, rows in fresh.items():
            if len(rows) > len(found[side]):
                found[side] = rows
    older = sorted(found[-1], key=_FILE_ORDER)
    newer = sorted(found[1], key=_FILE_ORDER)
    return {
        "line": row_to_dict(COLUMN_NAMES, line),
        "before": [row_to_dict(COLUMN_NAMES, r) for r in older],
        "after": [row_to_dict(COLUMN_NAMES, r) for r in newer],
    }


def _context_side_sql(side: int, limit: int) -> str:
    at = "({ts:DateTime64(6, 'UTC')}, {offset:UInt64})"
    if side < 0:
        where, order = f"(ts, offset) < {at} AND ts >= {{lo:DateTime64(6, 'UTC')}}", "DESC"
    else:
        where, order = f"(ts, offset) > {at} AND ts <= {{hi:DateTime64(6, 'UTC')}}", "ASC"
    return (f"SELECT {side} AS side, {SELECT_COLUMNS} FROM {LOG_TABLE} WHERE host = {{host:String}} "
            f"AND source = {{source:String}} AND {where} ORDER BY ts {order}, offset {order} LIMIT {int(limit)}")


# -- export -------------------------------------------------------------------------------------

EXPORT_FORMATS = ("ndjson", "csv")
CSV_COLUMNS = list(COLUMN_NAMES)


def export(store: ClickHouseStore, flt: Filter, fmt: str, limit: int | None = None) -> Iterator[bytes]:
    """Every matching line, newest first, as NDJSON or CSV, streamed in record batches: one
    piece per batch, since a web server hands each piece to the socket in a thread of its own."""
    if fmt not in EXPORT_FORMATS:
        raise BadRequest(f"format must be one of {', '.join(EXPORT_FORMATS)}", field="format")
    where = flt.where()
    sql = (f"SELECT {SELECT_COLUMNS} FROM {LOG_TABLE} WHERE {where.where} "
           "ORDER BY ts DESC, host DESC, source DESC, offset DESC" + (f" LIMIT {int(limit)}" if limit else ""))
    if fmt == "csv":
        yield csv_line(["id", *CSV_COLUMNS])
    for batch in store.stream(sql, where.params):
        names = batch.schema.names
        out = []
        for values in zip(*(batch.column(i).to_pylist() for i in range(len(names)))):
            row = row_to_dict(names, values)
            row["attrs"] = dict(row["attrs"] or {})  # Arrow gives a map as (key, value) pairs
            if fmt == "ndjson":
                out.append(dumps(row) + b"\n")
            else:
                out.append(csv_line([row["id"], *(row[c] for c in CSV_COLUMNS)]))
        yield b"".join(out)


def csv_line(values: list[Any]) -> bytes:
    """One CSV row, as every CSV Venus writes has it (exports, chains, the /v1 download)."""
    buf = io.StringIO()
    csv.writer(buf).writerow([_csv_cell(v) for v in values])
    return buf.getvalue().encode()


def _csv_cell(value: Any) -> Any:
    """Times and attrs as the JSON formats write them; no value as an empty cell."""
    if value is None or value == {}:
        return ""
    if isinstance(value, datetime):
        return dumps(value).decode().strip('"')
    if isinstance(value, dict):
        return dumps(value).decode()
    return value

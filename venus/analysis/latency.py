"""API status and latency from access lines: per service, method and route, over time.

The route is the derived column `http_route` (venus.model.ROUTE_SQL: ids, UUIDs and numbers as
placeholders), computed by the engine when the line is stored, so grouping by it costs nothing.
Errors are 5xx answers; 4xx answers are counted apart (a 404 is often a client's business).
Percentiles are exact (linear interpolation between the closest ranks, as numpy's default).
"""

from __future__ import annotations

from datetime import datetime

from venus.errors import BadRequest
from venus.model import COLUMN_NAMES
from venus.query.search import (
    SELECT_COLUMNS,
    Filter,
    aware,
    bucket_times,
    iso_z,
    pick_step,
    row_to_dict,
    time_span,
)
from venus.store.clickhouse import ClickHouseStore
from venus.store.schema import LOG_TABLE

ACCESS_WHERE = "http_method != ''"
SORTS = {"count": "n DESC", "p95": "p[2] DESC", "p99": "p[3] DESC", "max": "worst DESC",
         "errors": "errors DESC", "error_rate": "errors / n DESC"}


def latency_table(store: ClickHouseStore, flt: Filter, route: str | None = None, size: int = 50,
                  sort: str = "count", slowest: int = 10, buckets: int = 60) -> dict:
    """Per (service, method, route) among the matching access lines: requests, 4xx and 5xx, error
    rate, p50/p95/p99/max latency and status codes; the overall series over time; the slowest
    requests with their request ids. `route` narrows everything to one route."""
    if sort not in SORTS:
        raise BadRequest(f"sort must be one of {', '.join(SORTS)}", field="sort")
    where = flt.where([ACCESS_WHERE])
    params = dict(where.params)
    cond = where.where
    if route:
        cond += " AND http_route = {route:String}"
        params["route"] = route
    sql = ("SELECT service, http_method, http_route AS route, count() AS n, "
           "countIf(http_status >= 500) AS errors, countIf(http_status >= 400 AND http_status < 500) AS client_errors, "
           "quantilesExactInclusive(0.5, 0.95, 0.99)(http_time_ms) AS p, max(http_time_ms) AS worst, "
           "count(http_time_ms) AS timed, sumMap([http_status], [toUInt64(1)]) AS statuses, "
           "count() OVER () AS groups "
           f"FROM {LOG_TABLE} WHERE {cond} GROUP BY service, http_method, route "
           f"ORDER BY {SORTS[sort]}, n DESC, service, http_method, route LIMIT {int(size)}")
    found = store.query(sql, params).rows
    rows = []
    groups = found[0][-1] if found else 0
    for service, method, rt, n, errors, client_errors, p, worst, timed, statuses, _ in found:
        rows.append({"service": service, "method": method, "route": rt, "count": int(n), "errors": int(errors),
                     "client_errors": int(client_errors), "error_rate": round(errors / n, 6),
                     "timed": int(timed), **_percentiles(p if timed else None, worst),
                     "statuses": {str(k): int(v) for k, v in zip(*statuses, strict=True)}})
    return {"apis": rows, "groups": int(groups), "truncated": int(groups) > len(rows),
            **_series(store, flt, cond, params, buckets), "slowest": _slowest(store, cond, params, slowest)}


def _percentiles(p: list[float] | None, worst: float | None) -> dict:
    if p is None:
        return {"p50_ms": None, "p95_ms": None, "p99_ms": None, "max_ms": None}
    return {"p50_ms": _ms(p[0]), "p95_ms": _ms(p[1]), "p99_ms": _ms(p[2]), "max_ms": _ms(worst)}


def _ms(value: float | None) -> float | None:
    return None if value is None else round(float(value), 3)


def _series(store: ClickHouseStore, flt: Filter, cond: str, params: dict, buckets: int) -> dict:
    span = time_span(store, flt)
    if span is None:
        return {"interval_seconds": 0, "series": []}
    start, end = span
    step = pick_step((end - start).total_seconds(), buckets)
    sql = (f"SELECT toStartOfInterval(ts, INTERVAL {step} SECOND) AS t, count(), countIf(http_status >= 500), "
           "quantilesExactInclusive(0.5, 0.95, 0.99)(http_time_ms), max(http_time_ms), count(http_time_ms) "
           f"FROM {LOG_TABLE} WHERE {cond} GROUP BY t")
    by_time: dict[datetime, dict] = {}
    for t, n, errors, p, worst, timed in store.query(sql, params).rows:
        by_time[aware(t)] = {"count": int(n), "errors": int(errors), **_percentiles(p if timed else None, worst)}
    empty = {"count": 0, "errors": 0, **_percentiles(None, None)}
    return {"interval_seconds": step,
            "series": [{"time": iso_z(t), **by_time.get(t, empty)}
                       for t in bucket_times(start, end, step, 10 * buckets)]}


def _slowest(store: ClickHouseStore, cond: str, params: dict, limit: int) -> list[dict]:
    if limit <= 0:
        return []
    sql = (f"SELECT {SELECT_COLUMNS} FROM {LOG_TABLE} WHERE {cond} "
           f"AND http_time_ms IS NOT NULL ORDER BY http_time_ms DESC, ts DESC LIMIT {int(limit)}")
    out = []
    for row in store.query(sql, params).rows:
        line = row_to_dict(COLUMN_NAMES, row)
        out.append({"time_ms": _ms(line["http_time_ms"]), "status": line["http_status"],
                    "method": line["http_method"], "path": line["http_path"], "route": line["http_route"],
                    "service": line["service"], "host": line["host"], "ts": line["ts"],
                    "request_id": line["request_id"], "global_request_id": line["global_request_id"],
                    "id": line["id"]})
    return out

"""Multi-dimensional statistics: line counts grouped by one to three fields, optionally over time.

Any field the query language knows can be a dimension (columns, their kolla names, `attrs.<key>`),
except free text and times. The most frequent combinations come first; with two dimensions the
answer also holds the cross-tab (a matrix of the first dimension's values by the second's).
"""

from __future__ import annotations

from datetime import datetime

from venus.errors import BadRequest
from venus.query.fields import FieldRef, resolve_field
from venus.query.search import Filter, aware, bucket_times, iso_z, pick_step, time_span
from venus.store.clickhouse import ClickHouseStore
from venus.store.schema import LOG_TABLE

MAX_DIMENSIONS = 3
# Dimension names people reach for that are not field names.
DIMENSION_ALIASES = {"template": "template_id", "status": "http_status", "project": "project_id",
                     "user": "user_id", "instance": "instance_id"}


def dimension(name: str) -> FieldRef:
    ref = resolve_field(DIMENSION_ALIASES.get(name, name))
    if ref is None or ref.column.kind in ("text", "time", "float"):
        raise BadRequest(f"by: cannot group by '{name}' (free text, times and measurements are not "
                         "dimensions; use a field such as host, service, program, level, logger, "
                         "project_id, http_status, template_id or attrs.<key>)", field="by")
    return ref


def dimension_sql(ref: FieldRef, i: int, params: dict) -> str:
    """The SQL of a dimension, its attrs key bound as parameter d<i>_key."""
    if ref.attr_key is not None:
        params[f"d{i}_key"] = ref.attr_key
        return f"attrs[{{d{i}_key:String}}]"
    return f"`{ref.column.name}`"


def crosstab(store: ClickHouseStore, flt: Filter, by: list[str], size: int = 20,
             buckets: int | None = None) -> dict:
    """Counts of the matching lines per combination of the `by` fields, the `size` largest first;
    with `buckets`, each combination also has a time series at a step giving about that many."""
    if not 1 <= len(by) <= MAX_DIMENSIONS:
        raise BadRequest(f"by: give one to {MAX_DIMENSIONS} dimensions", field="by")
    refs = [dimension(name) for name in by]
    names = [r.name for r in refs]
    if len(set(names)) != len(names):
        raise BadRequest("by: a dimension is named twice", field="by")
    where = flt.where()
    params = dict(where.params)
    exprs = [dimension_sql(r, i, params) for i, r in enumerate(refs)]
    keys = ", ".join(f"{e} AS k{i}" for i, e in enumerate(exprs))
    group = ", ".join(f"k{i}" for i in range(len(exprs)))
    # The grand total and the number of combinations come with the top rows in one pass.
    sql = (f"SELECT {group}, n, sum(n) OVER () AS total, count() OVER () AS groups FROM "
           f"(SELECT {keys}, count() AS n FROM {LOG_TABLE} WHERE {where.where} GROUP BY {group}) "
           f"ORDER BY n DESC, {group} LIMIT {int(size)}")
    rows = store.query(sql, params).rows
    total = int(rows[0][-2]) if rows else 0
    groups = int(rows[0][-1]) if rows else 0
    width = len(exprs)
    out_rows = [{"key": dict(zip(names, r[:width])), "count": int(r[width])} for r in rows]
    result: dict = {"dimensions": names, "total": total, "groups": groups,
                    "truncated": groups > len(out_rows), "rows": out_rows}
    if buckets and out_rows:
        top = [tuple(r[:width]) for r in rows]
        result["interval_seconds"] = _series(store, flt, where.where, keys, group, refs, exprs, params, top,
                                             buckets, out_rows)
    if width == 2:
        result["table"] = _matrix(names, out_rows)
    return result


def _series(store: ClickHouseStore, flt: Filter, where: str, keys: str, group: str, refs: list[FieldRef],
            exprs: list[str], params: dict, top: list[tuple], buckets: int, out_rows: list[dict]) -> int:
    """Adds a time series to each of the top rows (the crosstab's WHERE and keys, restricted to
    the top combinations); returns the step in seconds."""
    span = time_span(store, flt)
    assert span is not None  # there are rows, so there are times
    start, end = span
    step = pick_step((end - start).total_seconds(), buckets)
    types = ", ".join(_scalar_type(r) for r in refs)
    sql = (f"SELECT {keys}, toStartOfInterval(ts, INTERVAL {step} SECOND) AS t, count() FROM {LOG_TABLE} "
           f"WHERE {where} AND tuple({', '.join(exprs)}) IN {{top:Array(Tuple({types}))}} "
           f"GROUP BY {group}, t")
    per_key: dict[tuple, dict[datetime, int]] = {}
    for row in store.query(sql, {**params, "top": top}).rows:
        per_key.setdefault(tuple(row[:-2]), {})[aware(row[-2])] = int(row[-1])
    times = bucket_times(start, end, step, 10 * buckets)
    for key, row in zip(top, out_rows):
        by_time = per_key.get(key, {})
        row["buckets"] = [{"time": iso_z(t), "count": by_time.get(t, 0)} for t in times]
    return step


def _scalar_type(ref: FieldRef) -> str:
    if ref.attr_key is not None or ref.column.kind == "keyword":
        return "String"
    return ref.column.ch_type


def _matrix(names: list[str], rows: list[dict]) -> dict:
    """The cross-tab of two dimensions: row values by column values, zero where no line is."""
    first, second = names
    row_values = list(dict.fromkeys(r["key"][first] for r in rows))
    col_values = list(dict.fromkeys(r["key"][second] for r in rows))
    cells = {(r["key"][first], r["key"][second]): r["count"] for r in rows}
    return {"rows": row_values, "columns": col_values,
            "cells": [[cells.get((a, b), 0) for b in col_values] for a in row_values]}

"""Anomalies in a window of logs, each with its reasons (docs/anomalies.md).

- **New templates**: a template a service had not logged in the lookback before the window. It
  scores higher the more severe its lines are.
- **Volume**: the lines per template, service and host in the window, compared with a robust
  baseline of the same key: the median and MAD of its counts in windows of the same length,
  - at the same time of day on the days before, when the lookback holds at least three of them;
  - otherwise, in the windows just before.
  A spike or a drop is scored by how many robust deviations it lies from the median.
- **Explanation** of a change of rate: the field values (service, host, program, level,
  template) whose share of the window's lines grew the most against the baseline.

Every query is the store's and parameterised. The functions only read the store.
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from collections.abc import Collection
from datetime import datetime, timedelta

from venus.model import COLUMN_NAMES
from venus.query.search import SELECT_COLUMNS, Filter, iso_z, row_to_dict
from venus.store.clickhouse import ClickHouseStore
from venus.store.schema import LOG_TABLE

SEVERITY = {"CRITICAL": 4.0, "ERROR": 3.0, "WARNING": 2.0}  # other levels: 0.5
_LEVEL_RANK = ("multiIf(level = 'CRITICAL', 4, level = 'ERROR', 3, level = 'WARNING', 2, level = 'NOTICE', 1, 0)")
_RANK_LEVEL = {4: "CRITICAL", 3: "ERROR", 2: "WARNING", 1: "NOTICE", 0: "INFO"}
MIN_SPIKE = 5  # lines in the window before a rise can be a spike
MIN_DROP_BASELINE = 10.0  # the usual lines per window before a fall can be a drop
THRESHOLD = 4.0  # robust deviations from the median that make a spike or a drop
TIME_OF_DAY_DAYS = 3  # days of history needed to compare with the same time of day
MIN_HISTORY = 3  # windows of history (after the store's first line) needed to judge a volume
EVIDENCE = 3
EXPLAIN_FIELDS = ("service", "host", "program", "level", "template_id")
KINDS = ("new_template", "spike", "drop")


def _window_params(start: datetime, end: datetime, lookback: timedelta) -> dict:
    return {"w_start": start, "w_end": end, "b_start": start - lookback}


def _time_clause(flt: Filter, extra: list[str], params: dict) -> tuple[str, dict]:
    # The query's own time bounds are replaced by the window's and the baseline's.
    where = Filter(flt.query, flt.node).where(extra, params)
    return where.where, where.params


def has_history(store: ClickHouseStore, start: datetime, end: datetime, lookback: timedelta) -> bool:
    """Whether the store holds lines from MIN_HISTORY windows as long as [start, end) before
    `start`, or from half the lookback if that is less: on a new store every template is new."""
    need = min(lookback / 2, MIN_HISTORY * (end - start))
    rows = store.query(f"SELECT 1 FROM {LOG_TABLE} WHERE ts >= {{b_start:DateTime64(6, 'UTC')}} "
                       "AND ts <= {h_end:DateTime64(6, 'UTC')} LIMIT 1",
                       {"b_start": start - lookback, "h_end": start - need}).rows
    return bool(rows)


def new_templates(store: ClickHouseStore, flt: Filter, start: datetime, end: datetime,
                  lookback: timedelta) -> list[dict]:
    """Templates a service logged in [start, end) and not in the `lookback` before it (none
    when the store is younger than MIN_HISTORY windows: everything would be new)."""
    if not has_history(store, start, end, lookback):
        return []
    where, params = _time_clause(flt, ["ts >= {b_start:DateTime64(6, 'UTC')}", "ts < {w_end:DateTime64(6, 'UTC')}",
                                       "template_id != 0"], _window_params(start, end, lookback))
    sql = (f"SELECT template_id, service, min(ts) AS first, count(), max({_LEVEL_RANK}), argMin(host, ts), "
           f"uniqExact(host) FROM {LOG_TABLE} WHERE {where} GROUP BY template_id, service "
           "HAVING first >= {w_start:DateTime64(6, 'UTC')} ORDER BY first LIMIT 1000")
    found = []
    for tid, service, first, count, rank, host, hosts in store.query(sql, params).rows:
        level = _RANK_LEVEL[int(rank)]
        score = round((1 + SEVERITY.get(level, 0.5)) * math.log2(2 + int(count)), 3)
        found.append({"kind": "new_template", "template_id": int(tid), "service": service, "host": host,
                      "hosts": int(hosts), "level": level, "first_seen": iso_z(first), "count": int(count),
                      "baseline": 0.0, "score": score,
                      "reason": f"{service} had not logged this template in the {_span(lookback)} before"})
    return found


def _span(delta: timedelta) -> str:
    hours = delta.total_seconds() / 3600
    return f"{hours / 24:g} days" if hours >= 48 else f"{hours:g} hours"


def robust_score(value: float, history: list[float]) -> tuple[float, float]:
    """(median of the history, how many robust deviations `value` lies above it; below is
    negative). The deviation is the MAD scaled to a standard deviation, with a floor of the
    Poisson noise of the median, so that a flat history does not make every wobble infinite."""
    if not history:
        return 0.0, 0.0
    median = statistics.median(history)
    mad = statistics.median(abs(h - median) for h in history) * 1.4826
    spread = max(mad, math.sqrt(median), 1.0)
    return median, (value - median) / spread


def volume_changes(store: ClickHouseStore, flt: Filter, start: datetime, end: datetime,
                   lookback: timedelta) -> list[dict]:
    """Spikes and drops of lines per template, service and host in [start, end)."""
    step = max(1, int((end - start).total_seconds()))
    where, params = _time_clause(flt, ["ts >= {b_start:DateTime64(6, 'UTC')}", "ts < {w_end:DateTime64(6, 'UTC')}",
                                       "template_id != 0"], _window_params(start, end, lookback))
    # Windows are counted back from the window's start, so the last one is the window itself.
    params["step"] = step
    sql = (f"SELECT template_id, service, host, toInt64(floor((toUnixTimestamp64Micro(ts) - "
           "toUnixTimestamp64Micro({w_start:DateTime64(6, 'UTC')})) / ({step:Int64} * 1000000))) AS slot, count(), "
           f"max({_LEVEL_RANK}) FROM {LOG_TABLE} WHERE {where} GROUP BY template_id, service, host, slot")
    counts: dict[tuple, dict[int, int]] = defaultdict(dict)
    ranks: dict[tuple, int] = {}
    for tid, service, host, slot, count, rank in store.query(sql, params).rows:
        key = (int(tid), service, host)
        counts[key][int(slot)] = int(count)
        ranks[key] = max(ranks.get(key, 0), int(rank))
    # Windows before the store's first line are no history: a new store has no baseline yet.
    first = min((slot for by_slot in counts.values() for slot in by_slot), default=0)
    slots = min(int(lookback.total_seconds() // step), -first)
    per_day = int(86400 // step) if 86400 % step == 0 else 0
    days = slots // per_day if per_day else 0
    if slots < MIN_HISTORY:
        return []
    found = []
    for key, by_slot in counts.items():
        value = by_slot.get(0, 0)
        if per_day and days >= TIME_OF_DAY_DAYS:
            history = [float(by_slot.get(-d * per_day + k, 0)) for d in range(1, days + 1) for k in (-1, 0, 1)
                       if -d * per_day + k >= first]
            basis = "the same time of day on the days before"
        else:
            history = [float(by_slot.get(-k, 0)) for k in range(1, slots + 1)]
            basis = "the windows before"
        median, score = robust_score(value, history)
        spike = value >= MIN_SPIKE and score >= THRESHOLD
        drop = median >= MIN_DROP_BASELINE and score <= -THRESHOLD
        if not (spike or drop):
            continue
        tid, service, host = key
        level = _RANK_LEVEL[ranks[key]]
        found.append({"kind": "spike" if spike else "drop", "template_id": tid, "service": service, "host": host,
                      "level": level, "count": value, "baseline": round(median, 2), "deviations": round(score, 2),
                      "score": round(abs(score) * (1 + SEVERITY.get(level, 0.5)) / 4, 3),
                      "reason": f"{value} lines against a usual {median:g} ({basis}); {score:+.1f} deviations"})
    return found


def first_lines(store: ClickHouseStore, finding: dict, start: datetime, end: datetime, limit: int = EVIDENCE) -> list:
    """The first lines of a finding's template, service and host in the window."""
    sql = (f"SELECT {SELECT_COLUMNS} FROM {LOG_TABLE} WHERE template_id = {{tid:UInt64}} AND service = {{service:String}} "
           "AND host = {host:String} AND ts >= {w_start:DateTime64(6, 'UTC')} AND ts < {w_end:DateTime64(6, 'UTC')} "
           f"ORDER BY ts, host, source, offset LIMIT {int(limit)}")
    rows = store.query(sql, {"tid": finding["template_id"], "service": finding["service"], "host": finding["host"],
                             "w_start": start, "w_end": end}).rows
    return [row_to_dict(COLUMN_NAMES, r) for r in rows]


def findings(store: ClickHouseStore, flt: Filter, start: datetime, end: datetime, lookback: timedelta,
             kinds: Collection[str] = KINDS) -> list[dict]:
    """The anomalies of [start, end) of the given kinds, the highest score first (no evidence)."""
    found = new_templates(store, flt, start, end, lookback) if "new_template" in kinds else []
    if "spike" in kinds or "drop" in kinds:
        found += [f for f in volume_changes(store, flt, start, end, lookback) if f["kind"] in kinds]
    found.sort(key=lambda f: (-f["score"], f.get("first_seen", ""), f["template_id"]))
    return found


def detect(store: ClickHouseStore, flt: Filter, start: datetime, end: datetime, lookback: timedelta,
           size: int = 50) -> list[dict]:
    """Every anomaly of [start, end), the highest score first, each with its first lines."""
    found = findings(store, flt, start, end, lookback)
    for finding in found[:size]:
        finding["evidence"] = first_lines(store, finding, start, end)
        if finding["evidence"] and "first_seen" not in finding:
            finding["first_seen"] = iso_z(finding["evidence"][0]["ts"])
    return found[:size]


def explain(store: ClickHouseStore, flt: Filter, start: datetime, end: datetime, lookback: timedelta,
            size: int = 10) -> dict:
    """What the window's lines have more of than the baseline's: per field the values whose share
    grew the most, scored by the share's rise weighted by how surprising it is (a KL term)."""
    where, params = _time_clause(flt, ["ts >= {b_start:DateTime64(6, 'UTC')}", "ts < {w_end:DateTime64(6, 'UTC')}"],
                                 _window_params(start, end, lookback))
    in_window = "ts >= {w_start:DateTime64(6, 'UTC')}"
    out: dict = {"fields": {}}
    totals = store.query(f"SELECT countIf({in_window}), countIf(NOT ({in_window})) FROM {LOG_TABLE} WHERE {where}",
                         params).rows[0]
    window_total, base_total = int(totals[0]), int(totals[1])
    out["window_lines"], out["baseline_lines"] = window_total, base_total
    base_rate = base_total / max(lookback.total_seconds(), 1)
    window_rate = window_total / max((end - start).total_seconds(), 1)
    out["rate_change"] = round(window_rate / base_rate, 3) if base_rate else None
    if not window_total:
        return out
    for name in EXPLAIN_FIELDS:
        sql = (f"SELECT toString({name}) AS value, countIf({in_window}), countIf(NOT ({in_window})) FROM {LOG_TABLE} "
               f"WHERE {where} GROUP BY value")
        scored = []
        for value, w, b in store.query(sql, params).rows:
            p_w = int(w) / window_total
            p_b = (int(b) + 0.5) / (base_total + 0.5)
            if p_w <= p_b:
                continue
            scored.append({"value": value, "window": int(w), "baseline": int(b), "window_share": round(p_w, 4),
                           "baseline_share": round(int(b) / base_total, 4) if base_total else 0.0,
                           "score": round(p_w * math.log(p_w / p_b), 4)})
        scored.sort(key=lambda v: -v["score"])
        out["fields"][name] = scored[:size]
    return out

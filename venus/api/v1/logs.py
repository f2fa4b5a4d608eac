"""The original Venus's search answers over the log store: filters, histograms and pages in the
shapes its Elasticsearch queries gave (../shared/reference/venus-v1-api.md §1.3, §2).

Field mapping: host_name → host, program_name → program, module_name → service (the original's
`Logger`, e.g. "nova"; "openstack.nova" is read as "nova"), level → level, user_id, project_id;
`query` is a phrase searched in the message. `index_type` flog is the OpenStack and platform
services' logs, slog the operating system's (kernel, sshd, cron, ...).
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone, tzinfo

from venus.api.v1.params import V1Params
from venus.model import COLUMN_NAMES
from venus.query.ast import And, Node, Term
from venus.query.families import family
from venus.query.search import EPOCH, SELECT_COLUMNS, Filter, csv_line, row_to_dict
from venus.store.clickhouse import ClickHouseStore
from venus.store.schema import LOG_TABLE

NO_EXIST = "NO EXIST"
# The original's get_interval: window minutes up to the bound → step seconds, Chinese and English labels.
INTERVALS = (
    (1, 1, "1秒", "1second"), (10, 10, "10秒", "10seconds"), (30, 30, "30秒", "30seconds"),
    (60, 60, "1分钟", "1minute"), (600, 600, "10分钟", "10minutes"), (1800, 1800, "30分钟", "30minutes"),
    (3600, 3600, "1小时", "1hour"), (14400, 10800, "3小时", "3hours"), (21600, 21600, "6小时", "6hours"),
    (43200, 43200, "12小时", "12hours"), (None, 86400, "1天", "1day"),
)
MAX_BUCKETS = 1500  # a longer histogram is cut to the span of the data inside the window


def module_service(module: str) -> str:
    return module[len("openstack."):] if module.startswith("openstack.") else module


def level_node(level: str) -> Node:
    """The original matched the level in its given case and the other; ours are normalised. `NO
    EXIST` (lines without a level) is the lines no parser read, whose level is UNKNOWN."""
    if level.upper() == NO_EXIST:
        return Term("level", "word", "UNKNOWN")
    return Term("level", "phrase", level)


def log_filter(p: V1Params, index_type: str, start: datetime | None, end: datetime | None,
               fields: tuple[str, ...] = ("host_name", "module_name", "program_name", "level", "user_id",
                                          "project_id", "query")) -> Filter:
    """The filters of /search/logs (and the subset other endpoints take) as a query of ours: each
    value is a phrase or an exact keyword, bound as a parameter."""
    items: list[Node] = [family(index_type)]
    columns = {"host_name": "host", "program_name": "program", "user_id": "user_id", "project_id": "project_id"}
    for name in fields:
        value = p.text(name, "querry") if name == "query" else p.text(name)
        if value is None:
            continue
        if name == "level":
            items.append(level_node(value))
        elif name == "module_name":
            items.append(Term("service", "phrase", module_service(value)))
        elif name == "query":
            items.append(Term(None, "phrase", value))
        else:
            items.append(Term(columns[name], "phrase", value))
    node = And(tuple(items)) if len(items) > 1 else items[0]
    # The end second is included, as the original's `lte end*1000` did.
    return Filter(str(node), node, start, end + timedelta(seconds=1) if end else None)


def any_data(store: ClickHouseStore, index_type: str, start: datetime, end: datetime) -> bool:
    """Whether the family has lines on any (UTC) day the window touches: the original answered
    "no data, no index" when none of those days had an index."""
    day0 = start.replace(hour=0, minute=0, second=0, microsecond=0)
    day1 = end.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)
    where = Filter("", family(index_type), day0, day1).where()
    return bool(store.query(f"SELECT 1 FROM {LOG_TABLE} WHERE {where.where} LIMIT 1", where.params).rows)


# -- histograms ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Interval:
    seconds: int
    cn: str
    en: str


def interval_for(start: datetime, end: datetime) -> Interval:
    minutes = (end - start).total_seconds() / 60
    for bound, seconds, cn, en in INTERVALS:
        if bound is None or minutes <= bound:
            return Interval(seconds, cn, en)
    raise AssertionError("unreachable")


def date_histogram(store: ClickHouseStore, flt: Filter, start: datetime, end: datetime, zone: tzinfo,
                   group: str | None = None) -> tuple[Interval, dict, dict]:
    """Buckets as Elasticsearch's date_histogram gave them (min_doc_count 0, extended bounds from
    start to end, in the configured zone): {group value: [{key_as_string, key, doc_count}]}; one
    group "" without `group`. Also each group's total (every matching line, even when a very long
    window shows only the last MAX_BUCKETS buckets)."""
    interval = interval_for(start, end)
    step = interval.seconds
    offset = int(start.astimezone(zone).utcoffset().total_seconds())  # the zone's offset at the start
    where = flt.where()
    params = {**where.params, "h_off": offset, "h_step": step}
    key_sql = "intDiv(toUnixTimestamp(ts) + {h_off:Int64}, {h_step:Int64}) * {h_step:Int64} - {h_off:Int64}"
    group_sql = f"`{group}`" if group else "''"
    sql = (f"SELECT {group_sql} AS g, {key_sql} AS k, count() FROM {LOG_TABLE} WHERE {where.where} "
           f"GROUP BY g, k")
    counts: dict[str, dict[int, int]] = {}
    for g, k, n in store.query(sql, params).rows:
        counts.setdefault(g, {})[int(k)] = int(n)
    first = _floor(start, step, offset)
    last = _floor(end, step, offset)
    if (last - first) // step >= MAX_BUCKETS and counts:
        keys = [k for per in counts.values() for k in per]
        first, last = max(first, min(keys)), min(last, max(keys))
        first = max(first, last - (MAX_BUCKETS - 1) * step)
    out = {}
    for g, per in (counts if group else {"": counts.get("", {})}).items():
        out[g] = [{"key_as_string": datetime.fromtimestamp(k, zone).isoformat(timespec="milliseconds"),
                   "key": k * 1000, "doc_count": per.get(k, 0)} for k in range(first, last + 1, step)]
    totals = {g: sum(per.values()) for g, per in counts.items()}
    return interval, out, {g: totals.get(g, 0) for g in out}


def _floor(t: datetime, step: int, offset: int) -> int:
    seconds = int((t - EPOCH).total_seconds())
    return (seconds + offset) // step * step - offset


# -- results ------------------------------------------------------------------------------------


def iso_ms(ts: datetime) -> str:
    return ts.astimezone(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def hit_values(line: dict) -> dict:
    """One hit as /search/logs lists it."""
    return {"host_name": line["host"], "time": iso_ms(line["ts"]), "level": line["level"], "desc": line["message"],
            "program_name": line["program"], "user_id": line["user_id"], "project_id": line["project_id"],
            "module_name": line["service"]}


def page(store: ClickHouseStore, flt: Filter, offset: int, size: int) -> list[dict]:
    """One page of matching lines, newest first."""
    where = flt.where()
    sql = (f"SELECT {SELECT_COLUMNS} FROM {LOG_TABLE} WHERE {where.where} "
           f"ORDER BY ts DESC, host DESC, source DESC, offset DESC LIMIT {int(size)} OFFSET {int(offset)}")
    return [row_to_dict(COLUMN_NAMES, r) for r in store.query(sql, where.params).rows]


def kolla_document(line: dict) -> dict:
    """A line as kolla's fluentd would have indexed it (the `_source` the original returned)."""
    ts: datetime = line["ts"]
    return {"Hostname": line["host"], "Payload": line["message"], "programname": line["program"],
            "log_level": line["level"], "python_module": line["logger"], "Logger": line["service"],
            "request_id": f"req-{line['request_id']}" if line["request_id"] else "",
            "global_request_id": f"req-{line['global_request_id']}" if line["global_request_id"] else "",
            "user_id": line["user_id"], "project_id": line["project_id"], "instance_id": line["instance_id"],
            "Pid": line["pid"], "Timestamp": ts.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f")[:-3],
            "@timestamp": iso_ms(ts), "id": line["id"]}


DOWNLOAD_COLUMNS = ("time", "host_name", "level", "module_name", "program_name", "user_id", "project_id", "desc")


def download_csv(lines: list[dict]) -> str:
    """The lines as CSV (the columns of /search/logs), base64-encoded as the api-ref documents."""
    rows = [csv_line(list(DOWNLOAD_COLUMNS))]
    for line in lines:
        values = hit_values(line)
        rows.append(csv_line([values[c] for c in DOWNLOAD_COLUMNS]))
    return base64.b64encode(b"".join(rows)).decode()

"""The figures of an operations report: each section read from the store (or the metadata store
for alerts) over the report's range and the previous range of the same length, so every figure
has the one it is compared with; every figure carries the search that produced it (`link`).

Sections: volume by service and level, error rate, typical errors, API status and latency, new
templates and anomalies, alerts that fired, hosts and services gone silent, storage and retention."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlencode

from sqlalchemy import select

from venus.analysis.anomalies import findings
from venus.analysis.chain import ERROR_LEVELS
from venus.analysis.latency import latency_table
from venus.analysis.stats import crosstab
from venus.analysis.template_stats import template_texts
from venus.analysis.typical import Signature, typical_stats
from venus.meta.models import AlertEvent
from venus.meta.store import MetadataStore, from_db, to_db
from venus.query.ast import quote
from venus.query.search import Filter, aware, histogram, iso_z
from venus.store.clickhouse import ClickHouseStore
from venus.store.schema import LOG_TABLE

TOP_SERVICES = 15
TOP_APIS = 15
REGRESSIONS = 5
SLOWEST = 10
TOP_ANOMALIES = 15
CHART_BUCKETS = 48


@dataclass(frozen=True)
class ReportScope:
    """What a report covers: the user's query over [start, end), compared with the range of the
    same length just before it; links point at `console_url`'s Discover."""

    query: str
    start: datetime
    end: datetime
    console_url: str = ""

    @property
    def previous(self) -> tuple[datetime, datetime]:
        return self.start - (self.end - self.start), self.start

    def filter(self, previous: bool = False, extra: str = "") -> Filter:
        start, end = self.previous if previous else (self.start, self.end)
        return Filter.parse(_and(self.query, extra), start, end)

    def link(self, extra: str = "", previous: bool = False) -> str:
        """The console's search behind a figure: the report's query, narrowed by `extra`."""
        start, end = self.previous if previous else (self.start, self.end)
        params = {"q": _and(self.query, extra), "from": iso_z(start), "to": iso_z(end)}
        return f"{self.console_url}/discover?{urlencode({k: v for k, v in params.items() if v})}"


def _and(query: str, extra: str) -> str:
    if query and extra:
        return f"({query}) AND {extra}"
    return query or extra


def change(current: float | None, previous: float | None) -> float | None:
    """The relative change from `previous` to `current` (0.25: a quarter more); None without a base."""
    if current is None or not previous:
        return None
    return round((current - previous) / previous, 4)


# -- sections -----------------------------------------------------------------------------------


def volume(store: ClickHouseStore, scope: ReportScope) -> dict:
    """Lines by service and level, now and before, with the total's series over the range."""
    now = crosstab(store, scope.filter(), ["service", "level"], size=10_000)
    before = crosstab(store, scope.filter(previous=True), ["service", "level"], size=10_000)
    services: dict[str, dict] = {}
    levels: dict[str, dict] = {}
    for rows, when in ((now["rows"], "count"), (before["rows"], "previous")):
        for row in rows:
            service, level = row["key"]["service"], row["key"]["level"]
            entry = services.setdefault(service, {"service": service, "count": 0, "previous": 0, "errors": 0,
                                                  "levels": {}})
            entry[when] += row["count"]
            if when == "count":
                entry["levels"][level] = row["count"]
                if level in ERROR_LEVELS:
                    entry["errors"] += row["count"]
            levels.setdefault(level, {"level": level, "count": 0, "previous": 0})[when] += row["count"]
    ranked = sorted(services.values(), key=lambda s: (-s["count"], -s["previous"], s["service"]))
    for entry in ranked:
        entry["change"] = change(entry["count"], entry["previous"])
        entry["link"] = scope.link(f"service:{quote(entry['service'])}")
    for entry in levels.values():
        entry["change"] = change(entry["count"], entry["previous"])
        entry["link"] = scope.link(f"level:{quote(entry['level'])}")
    series = histogram(store, scope.filter(), CHART_BUCKETS)
    return {"total": now["total"], "previous": before["total"], "change": change(now["total"], before["total"]),
            "link": scope.link(), "services": ranked[:TOP_SERVICES], "services_count": len(ranked),
            "levels": sorted(levels.values(), key=lambda lv: -lv["count"]),
            "series": {"interval_seconds": series["interval_seconds"],
                       "buckets": [{"time": b["time"], "count": b["count"], "errors": b["errors"]}
                                   for b in series["buckets"]]}}


def error_rate(volume_section: dict, scope: ReportScope) -> dict:
    """Error and critical lines over all lines, now and before."""
    errors = {"count": 0, "previous": 0}
    for level in volume_section["levels"]:
        if level["level"] in ERROR_LEVELS:
            errors["count"] += level["count"]
            errors["previous"] += level["previous"]
    rate = errors["count"] / volume_section["total"] if volume_section["total"] else 0.0
    before = errors["previous"] / volume_section["previous"] if volume_section["previous"] else None
    return {"errors": errors["count"], "previous_errors": errors["previous"], "rate": round(rate, 6),
            "previous_rate": None if before is None else round(before, 6),
            "change": change(rate, before), "link": scope.link("level:(ERROR OR CRITICAL)")}


def typical_errors(store: ClickHouseStore, signatures: tuple[Signature, ...], scope: ReportScope) -> list[dict]:
    """Each typical error seen in either range: count, count before, trend, and its newest line."""
    if not signatures:
        return []
    now = typical_stats(store, signatures, scope.filter(), 24)
    earlier = typical_stats(store, signatures, scope.filter(previous=True), 2, examples=False)
    before = {s["id"]: s["total"] for s in earlier["signatures"]}
    out = []
    for sig, stats in zip(signatures, now["signatures"], strict=True):
        if not stats["total"] and not before.get(sig.id):
            continue
        trend = [0] * max((len(p["buckets"]) for p in stats["programs"]), default=0)
        for program in stats["programs"]:
            for i, bucket in enumerate(program["buckets"]):
                trend[i] += bucket["count"]
        example = stats["example"]
        out.append({"id": sig.id, "title": sig.title, "count": stats["total"], "previous": before.get(sig.id, 0),
                    "change": change(stats["total"], before.get(sig.id, 0)), "trend": trend,
                    "programs": [p["program"] for p in stats["programs"][:3]],
                    "example": example and {"ts": example["ts"], "host": example["host"],
                                            "program": example["program"], "message": example["message"][:500]},
                    "link": scope.link(f"({sig.query})")})
    out.sort(key=lambda s: (-s["count"], -s["previous"], s["id"]))
    return out


def api_latency(store: ClickHouseStore, scope: ReportScope) -> dict:
    """Per API: requests, server errors, p50/p95/p99 now and p95 before; the biggest p95
    regressions; the slowest requests with their request ids."""
    now = latency_table(store, scope.filter(), size=TOP_APIS * 4, sort="count", slowest=SLOWEST, buckets=2)
    before = latency_table(store, scope.filter(previous=True), size=10_000, sort="count", slowest=0, buckets=2)
    earlier = {(a["service"], a["method"], a["route"]): a for a in before["apis"]}
    apis = []
    for api in now["apis"]:
        old = earlier.get((api["service"], api["method"], api["route"]))
        route = f"service:{quote(api['service'])} http_method:{quote(api['method'])} http_route:{quote(api['route'])}"
        apis.append({key: api[key] for key in ("service", "method", "route", "count", "errors", "error_rate",
                                                "p50_ms", "p95_ms", "p99_ms")}
                    | {"previous_count": old["count"] if old else 0, "previous_p95_ms": old["p95_ms"] if old else None,
                       "p95_change": change(api["p95_ms"], old["p95_ms"] if old else None), "link": scope.link(route)})
    regressions = sorted((a for a in apis if (a["p95_change"] or 0) > 0), key=lambda a: -(a["p95_change"] or 0))
    slowest = [{**s, "link": scope.link(f"request_id:{quote(s['request_id'])}") if s["request_id"] else None}
               for s in now["slowest"]]
    return {"apis": apis[:TOP_APIS], "apis_count": now["groups"], "regressions": regressions[:REGRESSIONS],
            "slowest": slowest}


def anomalies(store: ClickHouseStore, meta: MetadataStore, scope: ReportScope) -> dict:
    """Templates new in the range and spikes and drops of lines, against the previous range."""
    found = findings(store, scope.filter(), scope.start, scope.end, scope.end - scope.start)
    texts = template_texts(meta, {f["template_id"] for f in found})
    out = []
    for f in found[:TOP_ANOMALIES]:
        narrowed = f"template_id:{f['template_id']}" + (f" host:{quote(f['host'])}" if f.get("host") else "")
        out.append({"kind": f["kind"], "service": f["service"], "host": f.get("host", ""), "level": f.get("level", ""),
                    "count": f["count"], "baseline": f.get("baseline"), "score": f["score"],
                    "template": texts.get(f["template_id"], ""), "reason": f["reason"], "link": scope.link(narrowed)})
    return {"new_templates": sum(f["kind"] == "new_template" for f in found),
            "spikes": sum(f["kind"] == "spike" for f in found), "drops": sum(f["kind"] == "drop" for f in found),
            "findings": out}


def alerts_fired(meta: MetadataStore, scope: ReportScope) -> list[dict]:
    """Every alert that fired in the range: its rule and group, when it fired and resolved (or
    still firing at the end), how long it lasted, and the channels that were notified."""
    with meta.session() as s:
        events = list(s.scalars(select(AlertEvent).where(
            AlertEvent.time >= to_db(scope.start - (scope.end - scope.start)), AlertEvent.time < to_db(scope.end))
            .order_by(AlertEvent.time, AlertEvent.id)))
    open_: dict[tuple[str, str], dict] = {}
    fired: list[dict] = []
    for e in events:
        key, when = (e.rule_id, e.group_key), aware(from_db(e.time))
        if e.kind == "state" and e.state == "firing":
            open_[key] = {"rule": e.rule_name, "group": e.group_key, "labels": e.labels, "fired_at": when,
                          "resolved_at": None, "value": e.value, "threshold": e.threshold, "notified": set()}
            fired.append(open_[key])
        elif e.kind == "state" and key in open_:
            open_.pop(key)["resolved_at"] = when
        elif e.kind == "notification" and key in open_ and e.status == "sent" and e.channel:
            open_[key]["notified"].add(e.channel)
    out = []
    for alert in fired:
        ends = alert["resolved_at"] or scope.end
        if ends < scope.start or alert["fired_at"] >= scope.end:
            continue
        out.append({**alert, "fired_at": iso_z(alert["fired_at"]),
                    "resolved_at": alert["resolved_at"] and iso_z(alert["resolved_at"]),
                    "duration_seconds": round((min(ends, scope.end) - alert["fired_at"]).total_seconds()),
                    "notified": sorted(alert["notified"])})
    return out


def gone_silent(store: ClickHouseStore, scope: ReportScope) -> dict:
    """Hosts and services that logged in the previous range and not in this one, with their last line."""
    prev_start, _ = scope.previous
    where = Filter.parse(scope.query, prev_start, scope.end).where()
    params = {**where.params, "r_start": scope.start}
    out = {}
    for column in ("host", "service"):
        sql = (f"SELECT `{column}`, max(ts) AS last, count() FROM {LOG_TABLE} WHERE {where.where} AND `{column}` != '' "
               f"GROUP BY `{column}` HAVING last < {{r_start:DateTime64(6, 'UTC')}} ORDER BY last LIMIT 100")
        out[f"{column}s"] = [{column: name, "last_seen": iso_z(aware(last)), "previous": int(n),
                              "link": scope.link(f"{column}:{quote(name)}", previous=True)}
                             for name, last, n in store.query(sql, params).rows]
    return out


def storage(store: ClickHouseStore, meta: MetadataStore) -> dict:
    usage = store.disk_usage()
    days = meta.config().get("log_save_days")
    return {"rows": usage["rows"], "bytes_on_disk": usage["bytes_on_disk"],
            "uncompressed_bytes": usage["bytes_uncompressed"],
            "retention_days": int(days) if days and str(days).isdigit() else store.retention_days}


def gather(store: ClickHouseStore, meta: MetadataStore, signatures: tuple[Signature, ...],
           scope: ReportScope, generated_at: datetime) -> dict:
    """Every section of the report."""
    vol = volume(store, scope)
    prev_start, prev_end = scope.previous
    return {"query": scope.query, "start": iso_z(scope.start), "end": iso_z(scope.end),
            "previous_start": iso_z(prev_start), "previous_end": iso_z(prev_end),
            "generated_at": iso_z(generated_at), "volume": vol, "error_rate": error_rate(vol, scope),
            "typical_errors": typical_errors(store, signatures, scope), "latency": api_latency(store, scope),
            "anomalies": anomalies(store, meta, scope), "alerts": alerts_fired(meta, scope),
            "silent": gone_silent(store, scope), "storage": storage(store, meta)}

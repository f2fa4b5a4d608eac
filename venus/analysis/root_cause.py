"""Root cause: for a stretch of time (or the stretch of a request or an instance), the candidate
causes ranked, each a template × service × host with its evidence lines (docs/anomalies.md).

The candidates are the anomalies around the stretch (venus.analysis.anomalies). Each is scored on
three things, as an operator would reason:

- **surprise**: how unexpected it is, not how many lines it wrote (a cause often logs once, its
  effects many times): a template new to its service counts by its severity, a spike by how far it
  lies from its baseline;
- **earliness**: a cause shows before its effects, so the earlier its first line, the higher;
- **dependency**: how many of the other candidates' services depend on its service, in the map
  of which service calls which that Venus learns from call chains (a request's lines name the
  request that started them), infrastructure (MariaDB, RabbitMQ, the hypervisor's host) being
  depended on by every OpenStack service.

The score is the three parts weighed (WEIGHTS), scaled down for a candidate far less surprising
than the most surprising one: a routine spike that came early does not outrank a crash.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from venus.analysis.anomalies import detect
from venus.query.search import Filter, aware, iso_z
from venus.store.clickhouse import ClickHouseStore
from venus.store.schema import LOG_TABLE

# What every OpenStack service rests on; a failure there explains failures above it.
INFRASTRUCTURE = frozenset({"mariadb", "rabbitmq", "memcached", "haproxy", "systemd", "kernel", "libvirt"})
WEIGHTS = {"earliness": 0.45, "surprise": 0.3, "dependency": 0.25}
LEAD = timedelta(minutes=15)  # how long before the stretch a cause may have started
RELEVANT = 0.5  # share of the top surprise below which a candidate's score is scaled down


def dependency_graph(store: ClickHouseStore, since: datetime, until: datetime) -> dict[str, dict[str, int]]:
    """Which service calls which, learned from call chains: the service that logged a request id
    calls every other service whose lines carry it as their global request id (with how many
    requests did so)."""
    sql = (f"SELECT a.service, b.service, uniqExact(a.request_id) FROM "
           f"(SELECT DISTINCT request_id, service FROM {LOG_TABLE} WHERE request_id != '' "
           "AND ts >= {since:DateTime64(6, 'UTC')} AND ts < {until:DateTime64(6, 'UTC')}) AS a "
           f"INNER JOIN (SELECT DISTINCT global_request_id, service FROM {LOG_TABLE} WHERE global_request_id != '' "
           "AND ts >= {since:DateTime64(6, 'UTC')} AND ts < {until:DateTime64(6, 'UTC')}) AS b "
           "ON a.request_id = b.global_request_id WHERE a.service != b.service GROUP BY a.service, b.service")
    graph: dict[str, dict[str, int]] = {}
    for caller, callee, n in store.query(sql, {"since": since, "until": until}).rows:
        graph.setdefault(caller, {})[callee] = int(n)
    return graph


def _depends_on(graph: dict[str, dict[str, int]], service: str, other: str) -> bool:
    """Whether `other` (directly or not) calls `service`, or `service` is infrastructure."""
    if service in INFRASTRUCTURE and other not in INFRASTRUCTURE:
        return True
    seen, todo = {other}, [other]
    while todo:
        for callee in graph.get(todo.pop(), {}):
            if callee == service:
                return True
            if callee not in seen:
                seen.add(callee)
                todo.append(callee)
    return False


def root_causes(store: ClickHouseStore, flt: Filter, start: datetime, end: datetime, lookback: timedelta,
                size: int = 10) -> dict:
    """The candidate causes of what happened in [start, end), the most likely first."""
    window_start = start - LEAD
    findings = _one_per_cause(f for f in detect(store, flt, window_start, end, lookback, size=200)
                              if f["kind"] != "drop")
    graph = dependency_graph(store, window_start - lookback, end)
    out = {"window": {"start": iso_z(window_start), "end": iso_z(end)}, "dependencies": graph, "candidates": []}
    if not findings:
        return out
    out["candidates"] = rank(findings, graph, end)[:size]
    return out


def rank(findings: list[dict], graph: dict[str, dict[str, int]], end: datetime) -> list[dict]:
    """Findings (one per template × service × host) scored as causes, the likeliest first."""
    candidates = []
    firsts = [_first_time(f, end) for f in findings]
    surprises = [surprise(f) for f in findings]
    top_surprise = max(surprises)
    # A cause is surprising before anything else: one less than RELEVANT of the most surprising
    # candidate's surprise (a routine INFO spike beside a crash) loses in proportion, however early
    # it came; and earliness is measured among the relevant candidates only.
    relevances = [min(1.0, x / (RELEVANT * top_surprise)) if top_surprise else 1.0 for x in surprises]
    relevant = [first for first, r in zip(firsts, relevances, strict=True) if r == 1.0] or firsts
    earliest = min(relevant)
    span = max((max(relevant) - earliest).total_seconds(), 1e-3)
    services = {f["service"] for f in findings}
    for f, first, surprised, relevance in zip(findings, firsts, surprises, relevances, strict=True):
        dependents = [s for s in services if s != f["service"] and _depends_on(graph, f["service"], s)]
        parts = {"surprise": surprised,
                 "earliness": min(1.0, max(0.0, 1 - (first - earliest).total_seconds() / span)),
                 "dependency": len(dependents) / max(len(services) - 1, 1)}
        score = relevance * sum(WEIGHTS[k] * v for k, v in parts.items())
        candidates.append({
            "service": f["service"], "host": f["host"], "template_id": f["template_id"], "level": f["level"],
            "kind": f["kind"], "first_seen": iso_z(first), "count": f["count"], "score": round(score, 4),
            "parts": {k: round(v, 3) for k, v in parts.items()}, "relevance": round(relevance, 3),
            "depended_on_by": sorted(dependents),
            "reason": f["reason"], "evidence": f.get("evidence", [])})
    candidates.sort(key=lambda c: (-c["score"], c["first_seen"]))
    return candidates


def surprise(finding: dict) -> float:
    """0 to 1: a new template by its severity, a spike by its deviations (20 or more: 1), both
    weighed by the level of its lines."""
    weight = {"CRITICAL": 1.0, "ERROR": 1.0, "WARNING": 0.75}.get(finding["level"], 0.5)
    if "new_template" in finding["kind"]:
        return weight
    return weight * min(1.0, finding.get("deviations", 0.0) / 20)


def _one_per_cause(findings: Iterable[dict]) -> list[dict]:
    """One finding per template × service × host (a new template can spike too): the highest
    score, the earliest first line, every kind."""
    best: dict[tuple, dict] = {}
    for f in findings:
        key = (f["template_id"], f["service"], f["host"])
        kept = best.get(key)
        if kept is None:
            best[key] = dict(f)
            continue
        kept["kind"] = "+".join(sorted(set(kept["kind"].split("+")) | {f["kind"]}))
        if f["score"] > kept["score"]:
            kept.update(score=f["score"], reason=f["reason"], count=max(kept["count"], f["count"]))
        kept["deviations"] = max(kept.get("deviations", 0.0), f.get("deviations", 0.0))
        if f.get("first_seen") and (not kept.get("first_seen") or f["first_seen"] < kept["first_seen"]):
            kept["first_seen"] = f["first_seen"]
    return list(best.values())


def _first_time(finding: dict, default: datetime) -> datetime:
    """When a finding's first line was logged, to the microsecond (its first evidence line)."""
    if finding.get("evidence"):
        return aware(finding["evidence"][0]["ts"])
    return datetime.fromisoformat(finding["first_seen"]) if finding.get("first_seen") else default

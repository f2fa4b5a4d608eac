"""What a rule measures in the log store at a moment: one value per group, the lines behind it.

Everything is the rule's query compiled to parameters (query/compiler.py) plus a time range and
a GROUP BY; group values are compared as text, so numeric dimensions (http_status) work alike.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from venus.alerts.rules import AlertRule, group_key
from venus.analysis.anomalies import KINDS, findings, first_lines
from venus.analysis.stats import dimension, dimension_sql
from venus.analysis.typical import Signature
from venus.model import COLUMN_NAMES
from venus.query.ast import And, MatchAll, Node, Term
from venus.query.compiler import compile_query
from venus.query.parser import parse_query
from venus.query.search import SELECT_COLUMNS, Filter, row_to_dict
from venus.store.clickhouse import ClickHouseStore
from venus.store.schema import LOG_TABLE

log = logging.getLogger(__name__)

MAX_GROUPS = 10_000  # groups one rule may have; more are left out, with a warning


@dataclass(frozen=True)
class Measure:
    group: dict[str, str]
    value: float
    count: int  # lines in the window (for a ratio: the numerator's; for an anomaly rule: its findings)
    total: int | None = None  # a ratio's denominator
    findings: tuple[dict, ...] = ()  # an anomaly rule's findings in the group, the highest score first


def all_of(*nodes: Node) -> Node:
    """The lines every node matches (match-all parts left out)."""
    parts = [p for p in nodes if not isinstance(p, MatchAll)]
    return parts[0] if len(parts) == 1 else And(tuple(parts)) if parts else MatchAll()


def rule_node(rule: AlertRule, signatures: dict[str, Signature]) -> Node:
    """The rule's query with its signature's and template's conditions."""
    return all_of(parse_query(rule.query), *([signatures[rule.signature].node] if rule.signature else []),
                  *([Term("template_id", "word", str(rule.template_id))] if rule.template_id else []))


def search_query(node: Node, group: dict[str, str]) -> str:
    """The query text that finds a group's lines (for links and `venus search`)."""
    found = all_of(node, *(Term(name, "phrase", value) for name, value in group.items()))
    return "" if isinstance(found, MatchAll) else str(found)


def _dims(rule: AlertRule, params: dict) -> list[str]:
    return [f"toString({dimension_sql(dimension(name), i, params)})" for i, name in enumerate(rule.group_by)]


def anomaly_measure(store: ClickHouseStore, rule: AlertRule, node: Node, now: datetime) -> dict[str, Measure]:
    """Each group's highest anomaly score in the window ending at `now` (groups with findings only)."""
    found = findings(store, Filter(rule.query, node), now - timedelta(seconds=rule.window), now,
                     timedelta(seconds=rule.lookback), rule.kinds or KINDS)
    groups: dict[str, list[dict]] = {}
    for finding in found:  # highest score first, so each group's first finding is its measure
        values = {name: str(finding[name]) for name in rule.group_by}
        groups.setdefault(group_key(values), []).append(finding)
    out = {}
    for key, group in list(groups.items())[:MAX_GROUPS]:
        values = {name: str(group[0][name]) for name in rule.group_by}
        out[key] = Measure(values, group[0]["score"], len(group), findings=tuple(group))
    return out


def measure(store: ClickHouseStore, rule: AlertRule, node: Node, now: datetime) -> dict[str, Measure]:
    """Each group's measure over the window ending at `now` (groups with lines only)."""
    if rule.condition == "anomaly":
        return anomaly_measure(store, rule, node, now)
    where = Filter(rule.query, node, now - timedelta(seconds=rule.span), now).where()
    params = dict(where.params)
    dims = _dims(rule, params)
    if rule.condition == "ratio":
        numerator = compile_query(parse_query(rule.numerator or ""), prefix="n")
        params.update(numerator.params)
        measures = f"countIf({numerator.where}), count()"
    elif rule.condition == "absence":
        measures = "count(), max(ts)"
    else:
        measures = "count(), 0"
    group = f" GROUP BY {', '.join(f'k{i}' for i in range(len(dims)))}" if dims else ""
    keys = "".join(f"{d} AS k{i}, " for i, d in enumerate(dims))
    rows = store.query(f"SELECT {keys}{measures} FROM {LOG_TABLE} WHERE {where.where}{group} "
                       f"LIMIT {MAX_GROUPS + 1}", params).rows
    if len(rows) > MAX_GROUPS:
        log.warning("alert rule %r has over %d groups; the others are not evaluated", rule.name, MAX_GROUPS)
    out = {}
    width = len(dims)
    for row in rows[:MAX_GROUPS]:
        values = dict(zip(rule.group_by, (str(v) for v in row[:width])))
        first, second = row[width], row[width + 1]
        if rule.condition == "ratio":
            if not second:
                continue
            m = Measure(values, first / second, int(first), int(second))
        elif rule.condition == "absence":
            if not first:
                continue
            last = second if second.tzinfo else second.replace(tzinfo=now.tzinfo)
            m = Measure(values, (now - last).total_seconds(), int(first))
        elif rule.condition == "rate":
            m = Measure(values, first / rule.window, int(first))
        else:
            m = Measure(values, float(first), int(first))
        out[group_key(values)] = m
    return out


def quiet_measure(rule: AlertRule, group: dict[str, str]) -> Measure:
    """The measure of a known group that has no line in the span measured."""
    if rule.condition == "absence":
        return Measure(group, rule.lookback, 0)
    return Measure(group, 0.0, 0, 0 if rule.condition == "ratio" else None)


def sample_lines(store: ClickHouseStore, rule: AlertRule, node: Node, m: Measure, now: datetime,
                 limit: int) -> list[dict]:
    """The group's newest lines behind the measure (for absence: its last lines before it went quiet;
    for an anomaly: the first lines of its highest-scoring finding)."""
    group = m.group
    if limit <= 0:
        return []
    if rule.condition == "anomaly":
        return first_lines(store, m.findings[0], now - timedelta(seconds=rule.window), now, limit) if m.findings else []
    if rule.condition == "ratio":
        node = all_of(node, parse_query(rule.numerator or ""))
    params: dict = {}
    dims = _dims(rule, params)
    extra = [f"{d} = {{g{i}:String}}" for i, d in enumerate(dims)]
    params.update({f"g{i}": group.get(name, "") for i, name in enumerate(rule.group_by)})
    where = Filter("", node, now - timedelta(seconds=rule.span), now).where(extra, params)
    rows = store.query(f"SELECT {SELECT_COLUMNS} FROM {LOG_TABLE} WHERE {where.where} "
                       f"ORDER BY ts DESC, host, source, offset DESC LIMIT {int(limit)}", where.params).rows
    return [row_to_dict(COLUMN_NAMES, r) for r in rows]

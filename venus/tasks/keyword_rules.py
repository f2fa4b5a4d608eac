"""The original Venus's anomaly rules: lines of a service whose message holds a keyword become
records. Fixed here (../shared/reference/venus-v1-api.md §4.3): disabled rules (flag 0) do not
fire; matching is on the message, case-sensitive or not (`match_case`); each rule keeps its own
watermark, so every stretch of time is examined once, none skipped even after the server was
down; a record is one window's matches (count, the first line, a few samples), not one row per
line; a rule can notify channels. System-log (slog) rules work.

A rule's `module` names a service (nova) or a program (sshd). Lines are taken by when they were
stored (`received`), so an imported archive of old logs is examined too; a window ends LAG
seconds before now so lines still being committed are not left behind.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime, timedelta, timezone
from urllib.parse import urlencode

import orjson
from sqlalchemy import select, update

from venus.jsonfmt import dumps
from venus.meta.models import AnomalyRecord, AnomalyRule, Channel, Notification
from venus.meta.store import RULE_FIELDS, MetadataStore, from_db, to_db
from venus.model import COLUMN_NAMES
from venus.query.ast import And, Or, Term
from venus.query.families import FAMILIES, family
from venus.query.search import SELECT_COLUMNS, Filter, iso_z, row_to_dict
from venus.store.clickhouse import ClickHouseStore
from venus.store.schema import LOG_TABLE

log = logging.getLogger(__name__)

LEGACY_WATERMARK = "last_detect_timestamp"  # the one watermark of every rule before revision 0002
WINDOW = timedelta(hours=1)  # longest stretch one record covers; a longer gap is examined in several
LAG = timedelta(seconds=10)
SAMPLES = 5


def _match(rule: AnomalyRule) -> str:
    if rule.match_case:
        return "position(message, {w_keyword:String}) > 0"
    return "positionCaseInsensitiveUTF8(message, {w_keyword:String}) > 0"


def _window_matches(store: ClickHouseStore, rule: AnomalyRule, start: datetime, end: datetime) -> tuple[int, list]:
    flt = Filter("", family(rule.log_type if rule.log_type in FAMILIES else "flog"))
    where = flt.where(["received >= {w_start:DateTime('UTC')}", "received < {w_end:DateTime('UTC')}",
                       "(service = {w_module:String} OR program = {w_module:String})", _match(rule)],
                      {"w_start": start, "w_end": end, "w_module": rule.module, "w_keyword": rule.keyword})
    rows = store.query(f"SELECT {SELECT_COLUMNS}, count() OVER () FROM {LOG_TABLE} WHERE {where.where} "
                       f"ORDER BY ts, host, source, offset LIMIT {SAMPLES}", where.params).rows
    if not rows:
        return 0, []
    return int(rows[0][-1]), [row_to_dict(COLUMN_NAMES, r[:-1]) for r in rows]


def detect_keyword_anomalies(store: ClickHouseStore, meta: MetadataStore, now: datetime | None = None,
                             external_url: str = "") -> int:
    """One run: every enabled rule from its watermark to now. Returns the number of records written."""
    end_all = ((now or datetime.now(timezone.utc)) - LAG).replace(microsecond=0)
    legacy = meta.config().get(LEGACY_WATERMARK, "")
    written = 0
    with meta.session() as s:
        channels = {c.name: c.id for c in s.scalars(select(Channel))}
    for rule in meta.rules(flag=1):
        start = from_db(rule.watermark) or (datetime.fromtimestamp(int(legacy), timezone.utc) if legacy.isdigit()
                                            else from_db(rule.create_time).replace(microsecond=0))  # type: ignore[union-attr]
        while start < end_all:
            end = min(start + WINDOW, end_all)
            count, samples = _window_matches(store, rule, start, end)
            with meta.session() as s:  # the record and the watermark move together: once each
                if count:
                    _record(s, rule, start, end, count, samples, channels, external_url)
                    written += 1
                s.execute(update(AnomalyRule).where(AnomalyRule.id == rule.id).values(watermark=to_db(end)))
            start = end
    return written


def _record(s, rule: AnomalyRule, start: datetime, end: datetime, count: int, samples: list[dict],  # type: ignore[no-untyped-def]
            channels: dict[str, str], external_url: str) -> None:
    lines = orjson.loads(dumps([{k: line[k] for k in ("id", "ts", "host", "program", "level", "message")}
                                for line in samples]))
    first = samples[0]
    now = datetime.now(timezone.utc)
    s.add(AnomalyRecord(id=uuid.uuid4().hex, rule_id=rule.id, **{k: getattr(rule, k) for k in RULE_FIELDS},
                        logs=first["message"], line_id=first["id"], start_time=to_db(start), end_time=to_db(end),
                        create_time=to_db(now), count=count, samples=lines))
    if not rule.channels:
        return
    query = And((Or((Term("service", "phrase", rule.module), Term("program", "phrase", rule.module))),
                 Term(None, "phrase", rule.keyword)))
    payload = {"status": "anomaly", "rule": {"id": rule.id, "name": rule.title, "description": rule.desc,
                                             "severity": "warning", "condition": "keyword", "op": "above",
                                             "window": (end - start).total_seconds(), "query": str(query)},
               "labels": {"alertname": rule.title, "module": rule.module}, "group": {"module": rule.module},
               "value": float(count), "threshold": 0.0, "count": count, "samples": lines, "starts_at": iso_z(start), "ends_at": iso_z(end),
               "link": f"{external_url}/api/v1/search?" + urlencode({"q": str(query), "since": iso_z(start),
                                                                     "until": iso_z(end)})}
    for name in rule.channels:
        if name in channels:
            s.add(Notification(channel_id=channels[name], rule_id=rule.id, rule_name=rule.title, group_key="",
                               labels=payload["labels"], event="anomaly", payload=payload, status="pending",
                               attempts=0, next_attempt=to_db(now), create_time=to_db(now)))
        else:
            log.error("anomaly rule %r names the channel %r, which does not exist", rule.title, name)

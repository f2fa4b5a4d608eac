"""The original Venus's anomaly rules: lines of a service whose message holds a keyword become
records. Fixed here (../shared/reference/venus-v1-api.md §4.3): disabled rules (flag 0) do not
fire; the window runs from the last run to now and is capped, never widened; system-log (slog)
rules work; a rule finds at most MAX_RECORDS_PER_RUN lines a run and says when it cut.

A rule's `module` names a service (nova) or a program (sshd); the keyword is a case-sensitive
substring of the message, as in the original. Lines are taken by when they were stored, so an
imported archive of old logs is examined too.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone

from venus.meta.store import RULE_FIELDS, MetadataStore
from venus.model import COLUMN_NAMES
from venus.query.families import FAMILIES, family
from venus.query.search import SELECT_COLUMNS, Filter, row_to_dict
from venus.store.clickhouse import ClickHouseStore
from venus.store.schema import LOG_TABLE

log = logging.getLogger(__name__)

WATERMARK = "last_detect_timestamp"
MAX_WINDOW = timedelta(hours=1)
MAX_RECORDS_PER_RUN = 1000


def detect_keyword_anomalies(store: ClickHouseStore, meta: MetadataStore, now: datetime | None = None) -> int:
    """One run: every enabled rule over the lines stored since the last run. Returns the number
    of records written."""
    now = (now or datetime.now(timezone.utc)).replace(microsecond=0)
    mark = meta.config().get(WATERMARK)
    start = datetime.fromtimestamp(int(mark), timezone.utc) if mark and mark.isdigit() else now - timedelta(minutes=1)
    start = max(start, now - MAX_WINDOW)
    written = 0
    for rule in meta.rules(flag=1):
        flt = Filter("", family(rule.log_type if rule.log_type in FAMILIES else "flog"))
        where = flt.where(["received >= {w_start:DateTime('UTC')}", "received < {w_end:DateTime('UTC')}",
                           "(service = {w_module:String} OR program = {w_module:String})",
                           "position(message, {w_keyword:String}) > 0"],
                          {"w_start": start, "w_end": now, "w_module": rule.module, "w_keyword": rule.keyword})
        rows = store.query(f"SELECT {SELECT_COLUMNS} FROM {LOG_TABLE} WHERE {where.where} ORDER BY ts "
                           f"LIMIT {MAX_RECORDS_PER_RUN + 1}", where.params).rows
        if len(rows) > MAX_RECORDS_PER_RUN:
            log.warning("anomaly rule %s (%s) matched over %d lines this run; recorded the first %d",
                        rule.id, rule.title, MAX_RECORDS_PER_RUN, MAX_RECORDS_PER_RUN)
        records = []
        for row in rows[:MAX_RECORDS_PER_RUN]:
            line = row_to_dict(COLUMN_NAMES, row)
            records.append({"rule_id": rule.id, **{k: getattr(rule, k) for k in RULE_FIELDS},
                            "logs": line["message"], "line_id": line["id"], "start_time": start.replace(tzinfo=None),
                            "end_time": now.replace(tzinfo=None)})
        meta.add_records(records)
        written += len(records)
    meta.set_config(WATERMARK, str(int(now.timestamp())))
    return written

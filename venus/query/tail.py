"""Live tail: the lines matching a query as they are stored, found by polling the store.

Each poll asks for the matching lines stored since the last one, by their `received` time
(seconds), from TAIL_OVERLAP before the newest seen: a batch is stamped when it is parsed and
becomes visible only once its insert commits, so a later poll can find lines stamped earlier.
Lines already sent are recognised by their id and not sent again; at most MAX_POLL_ROWS a poll,
so the ids kept are bounded too. A minmax index on `received` keeps a poll to the newest parts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from venus.query.search import SELECT_COLUMNS, Filter, aware, row_to_dict, search
from venus.store.clickhouse import ClickHouseStore
from venus.store.schema import LOG_TABLE

TAIL_OVERLAP = timedelta(seconds=10)  # far more than a batch waits between its stamp and its commit
MAX_POLL_ROWS = 2000  # lines sent per poll; a faster flow is followed with a delay


@dataclass
class TailCursor:
    watermark: datetime  # the newest `received` seen
    sent: dict[str, datetime] = field(default_factory=dict)  # ids sent within the overlap, with `received`


def start_tail(store: ClickHouseStore, flt: Filter, lines: int, now: datetime | None = None) -> tuple[TailCursor, list[dict]]:
    """The newest `lines` matches, oldest first (as `tail` prints them), and where to follow on."""
    now = now or datetime.now(timezone.utc)
    hits = list(reversed(search(store, flt, lines, with_total=False).hits)) if lines else []
    cursor = TailCursor(now.replace(microsecond=0))
    _remember(cursor, hits)
    return cursor, hits


def poll_tail(store: ClickHouseStore, flt: Filter, cursor: TailCursor) -> list[dict]:
    """The matches stored since the last poll, in the order they were stored."""
    where = flt.where(["received >= {tail_from:DateTime('UTC')}"], {"tail_from": cursor.watermark - TAIL_OVERLAP})
    sql = (f"SELECT {SELECT_COLUMNS} FROM {LOG_TABLE} WHERE {where.where} "
           f"ORDER BY received, ts, host, source, offset LIMIT {MAX_POLL_ROWS + len(cursor.sent)}")
    result = store.query(sql, where.params)
    hits = [h for h in (row_to_dict(result.columns, r) for r in result.rows) if h["id"] not in cursor.sent]
    hits = hits[:MAX_POLL_ROWS]
    _remember(cursor, hits)
    return hits


def _remember(cursor: TailCursor, hits: list[dict]) -> None:
    for hit in hits:
        received = aware(hit["received"])
        cursor.sent[hit["id"]] = received
        cursor.watermark = max(cursor.watermark, received)
    oldest = cursor.watermark - TAIL_OVERLAP
    for line, received in list(cursor.sent.items()):
        if received < oldest:
            del cursor.sent[line]

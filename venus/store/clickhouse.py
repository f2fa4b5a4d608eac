"""`ClickHouseStore`: the Store on the embedded chdb engine or on a ClickHouse server.

Both speak through clickhouse-connect (`chdb:///path` or `http://host:8123`), so there is one SQL
dialect. Connection policy (after Datasette's database.py): each thread that queries gets its own
client, so reads run in parallel and release the GIL; writes go through one lock, so batches are
committed one at a time in the order they were acknowledged; `close()` is idempotent.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import clickhouse_connect
import pyarrow as pa
from clickhouse_connect.driver.exceptions import DatabaseError, OperationalError

from venus.errors import BadRequest, QueryTimeout, StoreUnavailable, VenusError
from venus.model import COLUMNS, DERIVED
from venus.store import schema
from venus.store.ownership import DataDirLock
from venus.store.scope import scoped_settings

log = logging.getLogger(__name__)

_TIMEOUT_CODES = ("TIMEOUT_EXCEEDED", "Code: 159")
_RE2_ERROR = re.compile(r"cannot compile re2: .*?, error: ([^.]*)")


@dataclass
class QueryResult:
    columns: list[str]
    rows: list[tuple]


class ClosedError(StoreUnavailable):
    def __init__(self) -> None:
        super().__init__("the store is closed")


class ClickHouseStore:
    """The Store interface: insert, query, stream, checkpoints, disk usage, close."""

    def __init__(self, *, dsn: str, database: str = "venus", retention_days: int | None = 0,
                 query_timeout: float = 30.0, data_dir: Path | None = None, role: str = "venus",
                 url: str | None = None) -> None:
        self.dsn = dsn
        self.database = database
        self.retention_days = retention_days
        self.query_timeout = query_timeout
        self.embedded = dsn.startswith("chdb:")
        self._lock = DataDirLock(data_dir) if (self.embedded and data_dir is not None) else None
        self._local = threading.local()
        self._clients: list[Any] = []
        self._clients_lock = threading.Lock()
        self._write_lock = threading.Lock()
        self._closed = False
        if self._lock is not None:
            self._lock.acquire(role, url)
        try:
            self._bootstrap()
        except Exception:
            self.close()
            raise

    # -- connections -------------------------------------------------------------------------

    def _new_client(self, database: str | None) -> Any:
        try:
            return clickhouse_connect.get_client(dsn=self.dsn, database=database, tz_mode="aware")
        except OperationalError as exc:
            raise StoreUnavailable(f"cannot reach the ClickHouse store at {self.dsn}: {exc}") from exc
        except Exception as exc:  # chdb raises its own errors when the directory is unusable
            if "Cannot lock file" in str(exc):
                raise StoreUnavailable(
                    f"the chdb data directory behind {self.dsn} is held by another process") from exc
            raise

    def _client(self) -> Any:
        if self._closed:
            raise ClosedError()
        client = getattr(self._local, "client", None)
        if client is None:
            client = self._new_client(self.database)
            self._local.client = client
            with self._clients_lock:
                self._clients.append(client)
        return client

    def _bootstrap(self) -> None:
        first = self._new_client(None)
        try:
            first.command(f"CREATE DATABASE IF NOT EXISTS `{self.database}`")
        finally:
            first.close()
        client = self._client()
        client.command(schema.create_log_table(self.database, self.retention_days or 0))
        client.command(schema.create_checkpoint_table(self.database))
        client.command(schema.add_checkpoint_committing(self.database))
        self._migrate(client)

    def _migrate(self, client: Any) -> None:
        """Add columns that the model gained since the table was made; apply the retention (None:
        the caller sets it with set_retention once it knows it)."""
        existing = {r[0] for r in client.query(
            "SELECT name FROM system.columns WHERE database = {db:String} AND table = {t:String}",
            parameters={"db": self.database, "t": schema.LOG_TABLE}).result_rows}
        for col in COLUMNS + DERIVED:
            if col.name not in existing:
                # A derived column is computed for the older parts when they are read or merged.
                log.info("adding column %s to %s", col.name, schema.LOG_TABLE)
                client.command(f"ALTER TABLE {schema.LOG_TABLE} ADD COLUMN IF NOT EXISTS "
                               f"{schema.column_definition(col)}")
        for index in schema.index_ddl():  # new parts get an index the model gained; old ones go without
            client.command(f"ALTER TABLE {schema.LOG_TABLE} ADD {index.replace('INDEX ', 'INDEX IF NOT EXISTS ', 1)}")
        if self.retention_days is not None:
            self._apply_retention(client, self.retention_days)

    def _apply_retention(self, client: Any, days: int) -> None:
        engine_full = client.query(
            "SELECT engine_full FROM system.tables WHERE database = {db:String} AND name = {t:String}",
            parameters={"db": self.database, "t": schema.LOG_TABLE}).result_rows[0][0]
        wanted = schema.ttl_clause(days)
        # ClickHouse keeps the TTL as "TTL received + toIntervalDay(N)".
        if wanted and f"TTL received + toIntervalDay({days})" not in engine_full:
            log.info("setting the retention to %d days", days)
            client.command(f"ALTER TABLE {schema.LOG_TABLE} MODIFY {wanted}",
                           settings={"materialize_ttl_after_modify": 0})
        elif not wanted and " TTL " in engine_full:
            log.info("keeping logs forever (no retention)")
            client.command(f"ALTER TABLE {schema.LOG_TABLE} REMOVE TTL")
        self.retention_days = days

    def set_retention(self, days: int) -> None:
        """Keep logs `days` days after they were stored (0: forever), from now on."""
        with self._write_lock:
            self._run(lambda c: self._apply_retention(c, int(days)))

    # -- writing -----------------------------------------------------------------------------

    def insert(self, table: pa.Table, dedup_token: str | None = None) -> None:
        """Commit one batch of records (in the schema of venus.model). With a token, a batch
        that was committed before under the same token is not stored again."""
        if table.num_rows == 0:
            return
        settings = {"insert_deduplication_token": dedup_token} if dedup_token else None
        with self._write_lock:
            self._run(lambda c: c.insert_arrow(schema.LOG_TABLE, table, settings=settings))

    def delete(self, where: str, params: dict) -> int:
        """Delete the log lines matching `where` (a lightweight DELETE: gone from every query at
        once, from disk at the next merges); returns how many went."""
        with self._write_lock:
            count = self._run(lambda c: c.query(f"SELECT count() FROM {schema.LOG_TABLE} WHERE {where}",
                                                parameters=params).result_rows[0][0])
            if count:
                self._run(lambda c: c.command(f"DELETE FROM {schema.LOG_TABLE} WHERE {where}", parameters=params))
        return int(count)

    def checkpoint(self, host: str, path: str, fingerprint: str) -> tuple[int, int]:
        """How many bytes of this file (identified by its first bytes) were imported already, and
        the end of the chunk being committed from there when the last writer stopped (0: none)."""
        rows = self.query(
            f"SELECT max(offset), argMax(committing, (offset, updated)) FROM {schema.CHECKPOINT_TABLE} "
            "WHERE host = {h:String} AND path = {p:String} AND fingerprint = {f:String}",
            {"h": host, "p": path, "f": fingerprint}).rows
        return (int(rows[0][0] or 0), int(rows[0][1] or 0)) if rows else (0, 0)

    def save_checkpoint(self, host: str, path: str, fingerprint: str, offset: int, committing: int = 0) -> None:
        with self._write_lock:
            self._run(lambda c: c.insert(schema.CHECKPOINT_TABLE, [[host, path, fingerprint, offset, committing]],
                                         column_names=["host", "path", "fingerprint", "offset", "committing"]))

    # -- reading -----------------------------------------------------------------------------

    def query(self, sql: str, params: dict | None = None, *, timeout: float | None = None,
              settings: dict | None = None) -> QueryResult:
        opts = {"max_execution_time": timeout or self.query_timeout, **scoped_settings(), **(settings or {})}
        result = self._run(lambda c: c.query(sql, parameters=params or {}, settings=opts))
        return QueryResult(list(result.column_names), list(result.result_rows))

    def stream(self, sql: str, params: dict | None = None, *,
               timeout: float | None = None) -> Iterator[pa.RecordBatch]:
        """Record batches of a result too large to hold (exports). The thread's client is busy
        until the iterator is exhausted or closed, so it uses a client of its own."""
        client = self._new_client(self.database)
        try:
            with client.query_arrow_stream(sql, parameters=params or {},
                                           settings={"max_execution_time": timeout or 3600,
                                                     **scoped_settings()}) as stream:
                yield from stream
        except DatabaseError as exc:
            raise self._translate(exc) from exc
        finally:
            client.close()

    def disk_usage(self) -> dict:
        """Rows and bytes of the log table, its parts, and the merges running now (while they run,
        new parts are still being combined and their text index built)."""
        where = {"db": self.database, "t": schema.LOG_TABLE}
        rows = self.query(
            "SELECT sum(rows), sum(bytes_on_disk), sum(data_uncompressed_bytes), count() FROM system.parts "
            "WHERE database = {db:String} AND table = {t:String} AND active", where).rows
        count, on_disk, uncompressed, parts = rows[0] if rows else (0, 0, 0, 0)
        merges = self.query("SELECT count() FROM system.merges WHERE database = {db:String} AND table = {t:String}",
                            where).rows[0][0]
        return {"rows": int(count or 0), "bytes_on_disk": int(on_disk or 0),
                "bytes_uncompressed": int(uncompressed or 0), "parts": int(parts or 0), "merges": int(merges)}

    def partitions(self) -> list[tuple[str, int]]:
        """The log table's days (partition ids, e.g. 20260506) with their bytes on disk, oldest first."""
        return [(p, int(b)) for p, b in self.query(
            "SELECT partition_id, sum(bytes_on_disk) FROM system.parts WHERE database = {db:String} "
            "AND table = {t:String} AND active GROUP BY partition_id ORDER BY partition_id",
            {"db": self.database, "t": schema.LOG_TABLE}).rows]

    def drop_partition(self, partition_id: str) -> None:
        if not re.fullmatch(r"\d{8}", partition_id):  # ids come from system.parts; never spliced unchecked
            raise ValueError(f"not a day partition id: {partition_id!r}")
        with self._write_lock:
            self._run(lambda c: c.command(f"ALTER TABLE {schema.LOG_TABLE} DROP PARTITION ID '{partition_id}'"))

    # -- plumbing ----------------------------------------------------------------------------

    def _run(self, call: Any) -> Any:
        try:
            return call(self._client())
        except DatabaseError as exc:
            raise self._translate(exc) from exc

    def _translate(self, exc: DatabaseError) -> VenusError:
        text = str(exc)
        if any(code in text for code in _TIMEOUT_CODES):
            return QueryTimeout("the query ran past its time limit; narrow the time range or the query")
        if "CANNOT_COMPILE_REGEXP" in text or "Code: 427" in text:
            # A /regex/ of the user's that RE2 refuses: their error, not the store's.
            reason = _RE2_ERROR.search(text)
            return BadRequest(f"invalid regular expression: {reason.group(1) if reason else 'RE2 refused it'}",
                              field="q")
        return StoreUnavailable(f"store error: {text.splitlines()[0][:500]}")

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        with self._clients_lock:
            clients, self._clients = self._clients, []
        for client in clients:
            try:
                client.close()
            except Exception:  # closing is best effort; the process may be exiting
                log.debug("closing a store client failed", exc_info=True)
        if self._lock is not None:
            self._lock.release()

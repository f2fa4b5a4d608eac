"""Group commit for the receivers: their batches → few large inserts, acknowledged once committed.

Receivers (Elasticsearch bulk, Forward, syslog, OTLP, Loki, JSON lines) hand `RecordWriter.submit`
an Arrow table of records and wait on the future it returns: when it resolves, the records are
in the store, and only then does the receiver acknowledge (DESIGN decision 3). Batches that
arrive while an insert runs go into the next insert together, so many small requests make few
parts and the engine is not flooded with merges.

Flow control: the writer holds at most `max_pending_bytes` of records not yet committed. A batch
that would go past it is refused with `Overloaded` (a 429 with Retry-After for HTTP receivers;
stream receivers wait and retry, which slows their reads and pushes back on the sender). One
batch alone is always taken, however large, so that nothing is refused forever.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from concurrent.futures import Future

import numpy as np
import pyarrow as pa

from venus.errors import StoreUnavailable, VenusError
from venus.ingest.templating import Templater
from venus.parse.timestamps import now_us
from venus.store.clickhouse import ClickHouseStore

log = logging.getLogger(__name__)

MAX_INSERT_ROWS = 500_000  # rows of one insert; what is pending beyond goes in the next
RETRY_SECONDS = 0.05  # how often a waiting stream receiver asks again for room


class Overloaded(VenusError):
    """The store is behind: the sender should retry after `retry_after` seconds."""

    status = 429

    def __init__(self, pending: int, limit: int, retry_after: int = 1) -> None:
        super().__init__(f"the store is behind: {pending:,} bytes wait to be written (limit {limit:,}); "
                         f"retry in {retry_after} s", field="body")
        self.retry_after = retry_after


class RecordWriter:
    """One thread that commits what receivers submit, in the order they submitted it."""

    def __init__(self, store: ClickHouseStore, max_pending_bytes: int, templater: Templater | None = None) -> None:
        self.store = store
        self.templater = templater
        self.max_pending_bytes = max_pending_bytes
        self._queue: list[tuple[pa.Table, Future]] = []
        self._pending_bytes = 0  # submitted and not yet committed (queued or being inserted)
        self._cond = threading.Condition()
        self._closed = False
        self._next_sequence = 0
        self._thread = threading.Thread(target=self._run, name="record-writer", daemon=True)
        self._thread.start()

    @property
    def pending_bytes(self) -> int:
        return self._pending_bytes

    def check_room(self, size: int = 0) -> None:
        """Raise Overloaded when a batch of `size` bytes would not be taken now. Receivers call it
        before they parse, so that a server that is behind does not parse what it will refuse."""
        pending = self._pending_bytes
        if pending and pending + size > self.max_pending_bytes:
            raise Overloaded(pending, self.max_pending_bytes)

    def submit(self, table: pa.Table) -> Future:
        """Queue a batch; the future resolves (to None) once it is committed, or raises the
        store's error. Raises Overloaded when the writer is full."""
        size = table.nbytes
        done: Future = Future()
        with self._cond:
            if self._closed:
                raise StoreUnavailable("the server is shutting down")
            self.check_room(size)
            if table.num_rows == 0:
                done.set_result(None)
                return done
            self._queue.append((table, done))
            self._pending_bytes += size
            self._cond.notify()
        return done

    async def wait_for_room(self, size: int) -> None:
        """For stream receivers: wait until a batch of `size` bytes would be taken. They read
        nothing meanwhile, which is how a sender on TCP is pushed back."""
        while True:
            try:
                self.check_room(size)
                return
            except Overloaded:
                await asyncio.sleep(RETRY_SECONDS)

    async def commit(self, table: pa.Table) -> None:
        """For stream receivers: submit (waiting for room) and return once committed."""
        while True:
            try:
                done = self.submit(table)
                break
            except Overloaded:
                await asyncio.sleep(RETRY_SECONDS)
        await asyncio.wrap_future(done)

    def write(self, table: pa.Table) -> None:
        """Submit and wait for the commit (for callers in a thread of their own)."""
        self.submit(table).result()

    def _take(self) -> list[tuple[pa.Table, Future]]:
        with self._cond:
            while not self._queue and not self._closed:
                self._cond.wait()
            taken, rows = [], 0
            while self._queue and (not taken or rows + self._queue[0][0].num_rows <= MAX_INSERT_ROWS):
                item = self._queue.pop(0)
                taken.append(item)
                rows += item[0].num_rows
            return taken

    def _run(self) -> None:
        while True:
            taken = self._take()
            if not taken:
                return  # closed and drained
            tables = [t for t, _ in taken]
            try:
                table = self._sequenced(pa.concat_tables(tables) if len(tables) > 1 else tables[0])
                self.store.insert(self.templater.label(table) if self.templater else table)
            except Exception as exc:  # noqa: BLE001 - every waiter learns why its batch was not stored
                log.warning("could not commit %d received batches: %s", len(taken), exc)
                error = (exc if isinstance(exc, VenusError)
                         else StoreUnavailable(f"the store refused the batch: {exc}"))
                for _, done in taken:
                    done.set_exception(error)
            else:
                for _, done in taken:
                    done.set_result(None)
            with self._cond:
                self._pending_bytes -= sum(t.nbytes for t in tables)

    def _sequenced(self, table: pa.Table) -> pa.Table:
        """Received records have no place in a file: their `offset` becomes a sequence number,
        unique and increasing across batches and restarts (microseconds × 16), so that every
        record has its own line id and pages and context keep their order."""
        base = max(self._next_sequence, now_us() << 4)
        self._next_sequence = base + table.num_rows
        at = table.schema.get_field_index("offset")
        return table.set_column(at, "offset", pa.array(np.arange(base, base + table.num_rows, dtype=np.uint64)))

    def close(self) -> None:
        """Commit what was submitted, then stop."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()
        self._thread.join()

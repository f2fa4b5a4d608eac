"""Every record gets its template before it is stored: the template miner (venus.analysis.
templates) labels each batch, and its catalogue is kept in the metadata store.

What a batch changed in the catalogue (new templates, counts, values seen, examples) is saved
before the batch's lines are inserted, so that a restart never gives an id already stored to
another template. Receivers' small batches reach here grouped by the record writer, so this is a
few small transactions a second at most.
"""

from __future__ import annotations

import logging
import threading

import numpy as np
import pyarrow as pa
from sqlalchemy import select, update

from venus.analysis.templates import Template, TemplateMiner
from venus.meta.models import LogTemplate
from venus.meta.store import MetadataStore, db_now

log = logging.getLogger(__name__)


class Templater:
    """Labels record tables with their template ids; one per server, shared by every ingest path."""

    def __init__(self, meta: MetadataStore) -> None:
        self.meta = meta
        self.miner = TemplateMiner()
        self._lock = threading.Lock()
        self._saved_ids: set[int] = set()
        with meta.session() as s:
            for row in s.scalars(select(LogTemplate).order_by(LogTemplate.id)):
                self.miner.add(Template.from_state(row.id, row.state, row.count, row.examples))
                self._saved_ids.add(row.id)
        if self._saved_ids:
            log.info("%d log templates loaded", len(self._saved_ids))

    def label(self, table: pa.Table) -> pa.Table:
        """The table with `template_id` set from its `message` column. Mining never costs a line:
        if it fails, the batch is stored as it came (template 0) and the failure logged."""
        if table.num_rows == 0:
            return table
        try:
            messages = table.column("message").combine_chunks()
            masked = self.miner.mask(messages)  # concurrent batches mask at once; only assigning is serialised
            with self._lock:
                ids = self.miner.assign(messages, masked)
                self._save(np.unique(ids))
        except Exception:
            log.exception("template mining failed for a batch of %d lines; stored without templates", table.num_rows)
            return table
        at = table.schema.get_field_index("template_id")
        return table.set_column(at, "template_id", pa.array(ids.astype(np.uint64)))

    def _save(self, touched: np.ndarray) -> None:
        """Save the batch's templates that changed: a batch changes no other."""
        changed = [t for t in (self.miner.templates[int(i)] for i in touched) if t.changed]
        if not changed:
            return
        new = [t for t in changed if t.id not in self._saved_ids]
        old = [t for t in changed if t.id in self._saved_ids]
        now = db_now()
        with self.meta.session() as s:
            if new:
                s.add_all(LogTemplate(id=t.id, text=t.text(), state=t.state(), count=t.count, first_seen=now,
                                      last_seen=now, examples=t.examples) for t in new)
            if old:
                s.execute(update(LogTemplate), [{"id": t.id, "text": t.text(), "state": t.state(), "count": t.count,
                                                 "last_seen": now, "examples": t.examples} for t in old])
        self._saved_ids.update(t.id for t in new)
        for t in changed:
            t.changed = False

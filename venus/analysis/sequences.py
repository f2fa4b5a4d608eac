"""Sequence anomalies: the order in which an instance's (or a request's) lines come, learned from
normal operation and checked, in the spirit of DeepLog (Du et al., CCS 2017), with an n-gram model
instead of an LSTM: explainable, and learned in one pass.

Each instance is a sequence of template ids in time order, between a start and an end mark. The
model counts, for every context of the N - 1 templates before a step, which template came next.
A step is normal when its template followed that context at least MIN_SEEN times in the learning
stretch. The first step that is not makes the sequence anomalous; that step is shown, with the
templates that usually follow its context.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from venus.errors import BadRequest
from venus.store.clickhouse import ClickHouseStore
from venus.store.schema import LOG_TABLE

START, END = -1, -2  # the marks around every sequence
ORDER = 3  # n: a step is judged by the two steps before it
MIN_SEEN = 2  # times a step must have followed its context while learning to be normal
EXPECTED = 3  # usual successors shown with a deviating step
KEYS = {"instance": "instance_id", "request": "if(global_request_id != '', global_request_id, request_id)"}
MAX_SEQUENCE = 500  # steps of one sequence that are read
MIN_LEARNED = 20  # sequences learned before any is judged
TAIL = timedelta(minutes=10)  # how long after its first line a sequence is read (and before, to see it starts)


@dataclass
class SequenceModel:
    order: int = ORDER
    min_seen: int = MIN_SEEN
    successors: dict[tuple[int, ...], Counter] = field(default_factory=lambda: defaultdict(Counter))
    learned: int = 0

    def _steps(self, sequence: Sequence[int]) -> Iterable[tuple[int, tuple[int, ...], int]]:
        padded = [START] * (self.order - 1) + list(sequence) + [END]
        for i in range(self.order - 1, len(padded)):
            yield i - self.order + 1, tuple(padded[i - self.order + 1:i]), padded[i]

    def learn(self, sequences: Iterable[Sequence[int]]) -> SequenceModel:
        for sequence in sequences:
            self.learned += 1
            for _, context, step in self._steps(sequence):
                self.successors[context][step] += 1
        return self

    def deviation(self, sequence: Sequence[int]) -> dict | None:
        """The first step that did not follow its context often enough while learning, or None."""
        for position, context, step in self._steps(sequence):
            seen = self.successors.get(context, Counter())
            if seen[step] < self.min_seen:
                return {"position": position, "context": [c for c in context if c != START],
                        "got": None if step == END else step,
                        "expected": [None if s == END else s for s, _ in seen.most_common(EXPECTED)],
                        "seen_context": sum(seen.values())}
        return None


def read_sequences(store: ClickHouseStore, key: str, since: datetime, until: datetime,
                   limit: int = 100_000) -> dict[str, list[int]]:
    """The template ids, in time order, of every instance (or request) whose first line is in
    [since, until): whole, lines up to TAIL after `until` included, and none cut at its start."""
    if key not in KEYS:
        raise BadRequest(f"key: one of {', '.join(KEYS)}", field="key")
    expression = KEYS[key]
    sql = (f"SELECT {expression} AS k, arraySlice(arrayMap(x -> x.4, arraySort(groupArray((ts, source, offset, "
           f"template_id)))), 1, {MAX_SEQUENCE}) FROM {LOG_TABLE} WHERE k != '' AND template_id != 0 "
           "AND ts >= {since:DateTime64(6, 'UTC')} - INTERVAL {tail:Int64} SECOND "
           "AND ts < {until:DateTime64(6, 'UTC')} + INTERVAL {tail:Int64} SECOND "
           "GROUP BY k HAVING min(ts) >= {since:DateTime64(6, 'UTC')} AND min(ts) < {until:DateTime64(6, 'UTC')} "
           f"ORDER BY k LIMIT {int(limit)}")
    params = {"since": since, "until": until, "tail": int(TAIL.total_seconds())}
    return {k: [int(t) for t in steps] for k, steps in store.query(sql, params).rows}


def sequence_anomalies(store: ClickHouseStore, key: str, start: datetime, end: datetime, learn_from: datetime,
                       size: int = 100) -> dict:
    """The sequences of [start, end) that deviate from those of [learn_from, start)."""
    model = SequenceModel().learn(read_sequences(store, key, learn_from, start).values())
    checked = read_sequences(store, key, start, end)
    if model.learned < MIN_LEARNED:  # nothing normal to compare with: every sequence would deviate
        return {"learned": model.learned, "min_learned": MIN_LEARNED, "checked": len(checked), "deviating": 0,
                "sequences": []}
    found = []
    for k, sequence in checked.items():
        deviation = model.deviation(sequence)
        if deviation is not None:
            found.append({"key": k, "steps": sequence, **deviation})
    return {"learned": model.learned, "min_learned": MIN_LEARNED, "checked": len(checked), "deviating": len(found),
            "sequences": found[:size]}

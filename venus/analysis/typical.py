"""Typical errors: a catalogue of failure signatures, counted per program over time.

A signature is a query of the query language with a title, a description and likely causes. The
catalogue is data (typical_errors.toml beside this module, plus an operator's file named by
`[analysis] typical_errors_file`), so adding a signature needs no code. Each signature is its own
`UNION ALL` branch of one query, so each can use the text index for its own words.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from venus.errors import BadRequest, VenusError
from venus.model import COLUMN_NAMES
from venus.query.ast import Node
from venus.query.compiler import compile_query
from venus.query.parser import parse_query
from venus.query.search import (
    SELECT_COLUMNS,
    Filter,
    aware,
    bucket_times,
    iso_z,
    pick_step,
    row_to_dict,
    time_span,
)
from venus.store.clickhouse import ClickHouseStore
from venus.store.schema import LOG_TABLE

BUILT_IN = Path(__file__).with_name("typical_errors.toml")
_KEYS = {"id", "title", "query", "description", "causes"}


class CatalogueError(VenusError):
    """A signature file that cannot be used: says which file, which signature and why."""

    status = 500


@dataclass(frozen=True)
class Signature:
    id: str
    title: str
    query: str
    node: Node = field(repr=False, compare=False)  # the parsed query
    description: str = ""
    causes: tuple[str, ...] = ()

    def describe(self) -> dict:
        return {"id": self.id, "title": self.title, "query": self.query, "description": self.description,
                "causes": list(self.causes)}


def read_signatures(path: Path) -> list[Signature]:
    """The signatures of one TOML file, each checked: known keys, an id, a title, a query that parses."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise CatalogueError(f"{path}: cannot read the typical-error signatures: {exc}") from exc
    entries = data.get("signature", [])
    if not isinstance(entries, list):
        raise CatalogueError(f"{path}: 'signature' must be an array of tables ([[signature]])")
    out = []
    for n, entry in enumerate(entries, start=1):
        where = f"{path}: signature {n}"
        if not isinstance(entry, dict):
            raise CatalogueError(f"{where}: not a table")
        unknown = set(entry) - _KEYS
        if unknown:
            raise CatalogueError(f"{where}: unknown keys {', '.join(sorted(unknown))} "
                                 f"(known: {', '.join(sorted(_KEYS))})")
        for key in ("id", "title", "query"):
            if not isinstance(entry.get(key), str) or not entry[key].strip():
                raise CatalogueError(f"{where}: '{key}' must be a non-empty string")
        causes = entry.get("causes", [])
        if not isinstance(causes, list) or not all(isinstance(c, str) for c in causes):
            raise CatalogueError(f"{where} ({entry['id']}): 'causes' must be a list of strings")
        try:
            node = parse_query(entry["query"])
        except BadRequest as exc:
            raise CatalogueError(f"{where} ({entry['id']}): bad query: {exc.message}") from exc
        out.append(Signature(entry["id"], entry["title"], entry["query"], node,
                             str(entry.get("description", "")), tuple(causes)))
    return out


def load_catalogue(extra: Path | None = None) -> tuple[Signature, ...]:
    """The built-in signatures, then the operator's: one with a built-in id replaces it."""
    by_id: dict[str, Signature] = {}
    for path in (BUILT_IN, extra):
        if path is None:
            continue
        seen: set[str] = set()
        for sig in read_signatures(path):
            if sig.id in seen:
                raise CatalogueError(f"{path}: the id '{sig.id}' is used twice")
            seen.add(sig.id)
            by_id[sig.id] = sig
    return tuple(by_id.values())


def pick(catalogue: tuple[Signature, ...], ids: list[str] | None) -> tuple[Signature, ...]:
    """The signatures named by `ids` (all when None), in catalogue order; an unknown id is a 400."""
    if not ids:
        return catalogue
    known = {s.id for s in catalogue}
    unknown = [i for i in ids if i not in known]
    if unknown:
        raise BadRequest(f"unknown signature {', '.join(unknown)}; known: {', '.join(sorted(known))}",
                         field="signature")
    return tuple(s for s in catalogue if s.id in ids)


def typical_stats(store: ClickHouseStore, signatures: tuple[Signature, ...], flt: Filter,
                  buckets: int = 60, examples: bool = True) -> dict:
    """For each signature: its total, per program a time series, and (with `examples`) the newest
    matching line, over the filter's time range (or the data's when the filter has none)."""
    where = flt.where()
    params = dict(where.params)
    conditions = []
    for i, sig in enumerate(signatures):
        compiled = compile_query(sig.node, prefix=f"s{i}_")
        conditions.append(compiled.where)
        params.update(compiled.params)
    span = time_span(store, flt)
    if span is None or not signatures:
        return {"interval_seconds": 0, "signatures": [
            {**s.describe(), "total": 0, "programs": [], "example": None} for s in signatures]}
    start, end = span
    step = pick_step((end - start).total_seconds(), buckets)
    # One branch per signature in one round trip: each branch can use the text index for its
    # own words, which a single pass over the OR of all signatures could not (measured: slower).
    counts = " UNION ALL ".join(
        f"(SELECT {i} AS s, program, toStartOfInterval(ts, INTERVAL {step} SECOND) AS t, count() AS n "
        f"FROM {LOG_TABLE} WHERE ({where.where}) AND ({c}) GROUP BY program, t)" for i, c in enumerate(conditions))
    rows = store.query(counts, params).rows
    newest = " UNION ALL ".join(
        f"(SELECT {i} AS s, {SELECT_COLUMNS} FROM {LOG_TABLE} WHERE ({where.where}) AND ({c}) "
        "ORDER BY ts DESC LIMIT 1)" for i, c in enumerate(conditions))
    newest_rows = {row[0]: row[1:] for row in store.query(newest, params).rows} if examples else {}
    times = bucket_times(start, end, step, 10 * buckets)
    series: list[dict[str, dict[datetime, int]]] = [{} for _ in signatures]
    for i, program, t, n in rows:
        series[i].setdefault(program, {})[aware(t)] = int(n)
    out = []
    for i, sig in enumerate(signatures):
        programs = [{"program": p, "total": sum(by_time.values()),
                     "buckets": [{"time": iso_z(t), "count": by_time.get(t, 0)} for t in times]}
                    for p, by_time in series[i].items()]
        programs.sort(key=lambda p: (-p["total"], p["program"]))
        example = row_to_dict(COLUMN_NAMES, newest_rows[i]) if i in newest_rows else None
        out.append({**sig.describe(), "total": sum(p["total"] for p in programs), "programs": programs,
                    "example": example})
    return {"interval_seconds": step, "signatures": out}

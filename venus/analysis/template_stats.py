"""The templates of the matching lines: per template its lines in the range and their trend (from
the store, so the figures follow the query and the retention), with what the catalogue knows (its
text, all its lines so far, when it was first and last seen, examples)."""

from __future__ import annotations

from sqlalchemy import select

from venus.analysis.stats import crosstab
from venus.analysis.templates import EXAMPLES, HEAD_CHARS
from venus.errors import NotFound
from venus.meta.models import LogTemplate
from venus.meta.store import MetadataStore, from_db
from venus.query.search import Filter, search
from venus.store.clickhouse import ClickHouseStore


def template_view(row: LogTemplate, examples: bool = False) -> dict:
    out = {"id": row.id, "text": row.text, "total": row.count, "first_seen": from_db(row.first_seen),
           "last_seen": from_db(row.last_seen)}
    if examples:
        out["examples"] = row.examples
    return out


def template_counts(store: ClickHouseStore, meta: MetadataStore, flt: Filter, size: int,
                    buckets: int | None) -> dict:
    """The `size` templates with the most matching lines, the most first, each with a time series
    when `buckets` is given. Lines stored before mining (template 0) are counted apart."""
    counted = crosstab(store, flt, ["template_id"], size + 1, buckets)
    rows = [r for r in counted["rows"] if int(r["key"]["template_id"])][:size]
    unmined = next((r["count"] for r in counted["rows"] if not int(r["key"]["template_id"])), 0)
    ids = [int(r["key"]["template_id"]) for r in rows]
    with meta.session() as s:
        known = {t.id: t for t in s.scalars(select(LogTemplate).where(LogTemplate.id.in_(ids)))}
    templates = []
    for r, tid in zip(rows, ids, strict=True):
        view = template_view(known[tid]) if tid in known else {"id": tid, "text": None}
        view["count"] = r["count"]
        if buckets:
            view["buckets"] = r["buckets"]
        templates.append(view)
    out = {"total": counted["total"], "unmined": unmined, "templates": templates}
    if buckets:
        out["interval_seconds"] = counted["interval_seconds"]
    return out


def template_texts(meta: MetadataStore, ids: set[int]) -> dict[int, str]:
    """The text of each of these templates the catalogue knows."""
    with meta.session() as s:
        return dict(s.execute(select(LogTemplate.id, LogTemplate.text).where(LogTemplate.id.in_(ids))).all())


def template_detail(meta: MetadataStore, tid: int) -> dict:
    with meta.session() as s:
        row = s.get(LogTemplate, tid)
        if row is None:
            raise NotFound(f"no log template {tid}", field="template")
        return template_view(row, examples=True)


def template_detail_in_store(store: ClickHouseStore, view: dict) -> dict:
    """A template as the store's lines show it: its total and examples read from the lines the
    reader may see (under tenant scoping, the catalogue's own span every project), and none when
    the reader may see none of its lines."""
    flt = Filter.parse(f"template_id:{int(view['id'])}")
    hits = search(store, flt, EXAMPLES, with_total=True)
    if not hits.total:  # its text was mined from lines the reader may not see
        raise NotFound(f"no log template {view['id']}", field="template")
    return {**view, "total": hits.total, "examples": [h["message"][:HEAD_CHARS] for h in hits.hits]}

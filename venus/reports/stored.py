"""Reports kept: their files under `<data_dir>/reports/` (HTML and PDF), a row in the metadata store
with the range, the headline figures and where it was sent; dropped after `[reports] keep_days`."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import delete, select

from venus.config import Settings
from venus.errors import NotFound
from venus.meta.models import StoredReport
from venus.meta.store import MetadataStore, db_now, from_db, to_db

FILE_FORMATS = {"pdf": "application/pdf", "html": "text/html; charset=utf-8"}


def reports_dir(settings: Settings) -> Path:
    """Where the kept reports' files are."""
    return settings.data_path / "reports"


def keep_report(meta: MetadataStore, folder: Path, figures: dict, html: str, pdf: bytes, title: str,
                language: str, schedule_id: str | None = None) -> StoredReport:
    folder.mkdir(parents=True, exist_ok=True)
    ident = uuid.uuid4().hex
    (folder / f"{ident}.html").write_text(html)
    (folder / f"{ident}.pdf").write_bytes(pdf)
    summary = {"lines": figures["volume"]["total"], "errors": figures["error_rate"]["errors"],
               "error_rate": figures["error_rate"]["rate"], "alerts": len(figures["alerts"]),
               "anomalies": len(figures["anomalies"]["findings"]), "silent_hosts": len(figures["silent"]["hosts"])}
    row = StoredReport(id=ident, schedule_id=schedule_id, title=title[:255],
                       start=to_db(datetime.fromisoformat(figures["start"])),
                       end=to_db(datetime.fromisoformat(figures["end"])), query=figures["query"], language=language,
                       create_time=db_now(), summary=summary, sizes={"html": len(html.encode()), "pdf": len(pdf)},
                       deliveries=[])
    with meta.session() as s:
        s.add(row)
    return row


def stored_view(row: StoredReport) -> dict:
    return {"id": row.id, "schedule_id": row.schedule_id, "title": row.title, "start": from_db(row.start),
            "end": from_db(row.end), "query": row.query, "language": row.language,
            "create_time": from_db(row.create_time), "summary": row.summary, "sizes": row.sizes,
            "deliveries": row.deliveries}


def list_reports(meta: MetadataStore, limit: int = 200) -> list[StoredReport]:
    with meta.session() as s:
        return list(s.scalars(select(StoredReport).order_by(StoredReport.create_time.desc()).limit(limit)))


def report_file(meta: MetadataStore, folder: Path, ident: str, fmt: str) -> Path:
    """A kept report's file, or NotFound naming what is missing."""
    if fmt not in FILE_FORMATS:
        raise NotFound(f"format: a kept report is {' or '.join(FILE_FORMATS)}", field="format")
    with meta.session() as s:
        if s.get(StoredReport, ident) is None:
            raise NotFound(f"no kept report {ident!r}", field="report")
    path = folder / f"{ident}.{fmt}"
    if not path.is_file():
        raise NotFound(f"the {fmt} of report {ident} is gone from {folder}", field="report")
    return path


def prune(meta: MetadataStore, folder: Path, keep_days: int, now: datetime) -> int:
    """Drop the reports older than `keep_days` (0 keeps them all), rows and files; how many."""
    if keep_days <= 0:
        return 0
    cutoff = to_db(now - timedelta(days=keep_days))
    with meta.session() as s:
        old = list(s.scalars(select(StoredReport.id).where(StoredReport.create_time < cutoff)))
        s.execute(delete(StoredReport).where(StoredReport.id.in_(old)))
    for ident in old:
        for fmt in FILE_FORMATS:
            (folder / f"{ident}.{fmt}").unlink(missing_ok=True)
    return len(old)

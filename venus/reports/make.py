"""One report, from what a user asks (`ReportRequest`: range, query, language, format) to its
bytes: the figures (gather.py), the HTML (html.py), and the PDF made from it (pdf.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from venus.analysis.typical import Signature
from venus.errors import BadRequest
from venus.jsonfmt import dumps
from venus.meta.store import MetadataStore
from venus.query.parser import parse_query
from venus.query.timerange import time_bounds
from venus.reports.gather import ReportScope, gather
from venus.reports.html import render_html
from venus.reports.pdf import render_pdf
from venus.reports.texts import LANGUAGES
from venus.store.clickhouse import ClickHouseStore

FORMATS = {"html": "text/html; charset=utf-8", "pdf": "application/pdf", "json": "application/json"}
DEFAULT_SPAN = timedelta(days=1)
MAX_RANGE = timedelta(days=400)  # a year against the year before, with room


@dataclass(frozen=True)
class ReportRequest:
    query: str
    start: datetime
    end: datetime
    language: str
    format: str

    @classmethod
    def parse(cls, since: str | None, until: str | None, query: str | None, language: str | None,
              fmt: str | None, now: datetime | None = None) -> ReportRequest:
        """A request from user input, or BadRequest naming the field that is wrong."""
        language, fmt = (language or "en").strip(), (fmt or "html").strip()
        if language not in LANGUAGES:
            raise BadRequest(f"language: one of {', '.join(LANGUAGES)}", field="language")
        if fmt not in FORMATS:
            raise BadRequest(f"format: one of {', '.join(FORMATS)}", field="format")
        start, end = time_bounds(since, until)
        end = end or (now or datetime.now(UTC))
        start = start or end - DEFAULT_SPAN  # without --since: the day before the end
        # Whole seconds, as the report writes its range and its links (a link counts what the figure
        # did); the end rounded up, so that what happened in the current second is in.
        start = start.replace(microsecond=0)
        end = end.replace(microsecond=0) + timedelta(seconds=1) if end.microsecond else end
        if start >= end:
            raise BadRequest("since must be before until", field="since")
        if end - start > MAX_RANGE:
            raise BadRequest(f"since: a report covers at most {MAX_RANGE.days} days", field="since")
        parse_query(query or "")  # a syntax error is a 400 naming q, before any work
        return cls(query or "", start, end, language, fmt)

    def file_name(self) -> str:
        return f"venus-report-{self.start:%Y%m%dT%H%M}-{self.end:%Y%m%dT%H%M}.{self.format}"


def make_report(store: ClickHouseStore, meta: MetadataStore, signatures: tuple[Signature, ...],
                asked: ReportRequest, console_url: str, generated_at: datetime | None = None) -> bytes:
    """The report's file in the format asked."""
    figures = gather(store, meta, signatures, ReportScope(asked.query, asked.start, asked.end, console_url),
                     generated_at or datetime.now(UTC))
    if asked.format == "json":
        return dumps(figures)
    html = render_html(figures, asked.language)
    return html.encode() if asked.format == "html" else render_pdf(html)

"""Operations reports over HTTP: one made on demand, as HTML, PDF or the JSON of its figures; the
schedules that make them (and send them), and the reports kept."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import FileResponse, Response
from sqlalchemy import delete, select
from starlette.concurrency import run_in_threadpool

from venus.api.bodies import json_object
from venus.api.responses import JSON
from venus.meta.models import ReportSchedule
from venus.meta.store import now_utc
from venus.reports.make import FORMATS, ReportRequest, make_report
from venus.reports.schedules import run_schedule, save_schedule, schedule_row, schedule_view
from venus.reports.stored import FILE_FORMATS, list_reports, report_file, reports_dir, stored_view
from venus.tasks.server_tasks import external_url


def mount_reports(app: FastAPI) -> None:
    router = APIRouter(tags=["reports"])

    @router.get("/api/v1/report")
    async def report(request: Request, since: str | None = None, until: str | None = None, q: str = "",
                     language: str = "en", format: str = "html", download: bool = False) -> Response:
        """A report over [since, until) (default the last day) of the lines matching `q`, each figure
        compared with the range of the same length before: volume by service and level, error
        rate, typical errors, API latency, new templates and anomalies, alerts, hosts gone
        silent, storage. `format`: html (self-contained), pdf, or json (the figures);
        `language`: en or zh. HTML is shown in the browser unless `download` is true; the others are
        always files."""
        asked = ReportRequest.parse(since, until, q, language, format)
        state = request.app.state
        body = await run_in_threadpool(make_report, state.store, state.meta, state.typical, asked,
                                       external_url(state.settings))
        disposition = "inline" if asked.format == "html" and not download else "attachment"
        return Response(body, media_type=FORMATS[asked.format],
                        headers={"Content-Disposition": f'{disposition}; filename="{asked.file_name()}"'})

    def folder(request: Request) -> Path:
        return reports_dir(request.app.state.settings)

    @router.get("/api/v1/reports")
    def kept(request: Request) -> JSON:
        """The reports kept (made on a schedule), newest first: range, headline figures, deliveries."""
        return JSON({"ok": True, "reports": [stored_view(r) for r in list_reports(request.app.state.meta)]})

    @router.get("/api/v1/reports/{ident}/{fmt}")
    def kept_file(request: Request, ident: str, fmt: str) -> FileResponse:
        """A kept report's PDF or HTML."""
        path = report_file(request.app.state.meta, folder(request), ident, fmt)
        return FileResponse(path, media_type=FILE_FORMATS[fmt], filename=f"venus-report-{ident}.{fmt}",
                            content_disposition_type="inline" if fmt == "html" else "attachment")

    @router.get("/api/v1/report-schedules")
    def schedules(request: Request) -> JSON:
        """Every report schedule, with its next and last run."""
        with request.app.state.meta.session() as s:
            rows = list(s.scalars(select(ReportSchedule).order_by(ReportSchedule.name)))
        return JSON({"ok": True, "schedules": [schedule_view(r) for r in rows]})

    @router.post("/api/v1/report-schedules", status_code=201)
    async def add_schedule(request: Request) -> JSON:
        """A schedule: `name`, `schedule` (daily, weekly, a cron expression or an interval), `span` (what
        each report covers; daily 1d and weekly 7d by default), `query`, `language`, `channels`."""
        row = save_schedule(request.app.state.meta, await json_object(request), request.app.state.settings.tasks.timezone)
        return JSON({"ok": True, "schedule": schedule_view(row)}, status_code=201)

    @router.get("/api/v1/report-schedules/{ident}")
    def get_schedule(request: Request, ident: str) -> JSON:
        return JSON({"ok": True, "schedule": schedule_view(schedule_row(request.app.state.meta, ident))})

    @router.put("/api/v1/report-schedules/{ident}")
    async def replace_schedule(request: Request, ident: str) -> JSON:
        row = save_schedule(request.app.state.meta, await json_object(request),
                            request.app.state.settings.tasks.timezone, ident)
        return JSON({"ok": True, "schedule": schedule_view(row)})

    @router.delete("/api/v1/report-schedules/{ident}")
    def delete_schedule(request: Request, ident: str) -> JSON:
        row = schedule_row(request.app.state.meta, ident)
        with request.app.state.meta.session() as s:
            s.execute(delete(ReportSchedule).where(ReportSchedule.id == row.id))
        return JSON({"ok": True, "deleted": row.id})

    @router.post("/api/v1/report-schedules/{ident}/run")
    async def run_now(request: Request, ident: str) -> JSON:
        """Make the schedule's report now and send it (its next run stays as scheduled)."""
        state = request.app.state
        row = schedule_row(state.meta, ident)
        made = await run_in_threadpool(run_schedule, state.store, state.meta, state.typical, row, now_utc(),
                                       folder(request), external_url(state.settings), state.settings.tasks.timezone)
        return JSON({"ok": True, "report": made})

    app.include_router(router)

"""Operations reports over HTTP: one made on demand, as HTML, PDF or the JSON of its figures."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from venus.reports.make import FORMATS, ReportRequest, make_report
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

    app.include_router(router)

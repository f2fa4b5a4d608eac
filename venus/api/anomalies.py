"""The log-intelligence API: anomalies of a stretch of time (with their reasons and first lines),
what explains a change of rate, root-cause candidates, and the service dependency map."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, FastAPI, Query, Request
from starlette.concurrency import run_in_threadpool

from venus.alerts.episodes import latest_episode
from venus.alerts.rules import AlertRule
from venus.analysis.anomalies import detect, explain
from venus.analysis.chain import call_chain
from venus.analysis.root_cause import dependency_graph, root_causes
from venus.analysis.sequences import sequence_anomalies
from venus.analysis.template_stats import template_texts
from venus.api.responses import JSON
from venus.errors import BadRequest, NotFound
from venus.meta.models import AlertRuleRow
from venus.meta.store import MetadataStore
from venus.query.search import Filter, iso_z
from venus.query.timerange import duration_param, time_bounds

DEFAULT_WINDOW = timedelta(minutes=15)
MAX_LOOKBACK = timedelta(days=30)
Q = Annotated[str, Query(max_length=4096)]


def lookback_of(text: str) -> timedelta:
    return duration_param(text, "lookback", MAX_LOOKBACK)


def window_of(since: str | None, until: str | None, default: timedelta = DEFAULT_WINDOW) -> tuple[datetime, datetime]:
    """The stretch asked for; by default the `default` up to now (or up to `until`)."""
    start, end = time_bounds(since, until)
    end = end or datetime.now(UTC)
    return start or end - default, end


def alert_window(meta: MetadataStore, alert: str, group: str | None) -> tuple[datetime, datetime, dict]:
    """The stretch of an alert's latest episode: from the window before its first breach to when
    it fired (or breached, while pending), and the episode."""
    row = meta.find(AlertRuleRow, alert)
    if row is None:
        raise NotFound(f"alert: no alert rule {alert!r}", field="alert")
    episode = latest_episode(meta, row.id, group)
    if episode is None:
        field = "group" if group else "alert"
        raise BadRequest(f"{field}: the rule {row.name!r} has not breached{' for this group' if group else ''} "
                         "within the history kept", field=field)
    window = timedelta(seconds=AlertRule.model_validate(row.spec).window)
    end = (episode.fired_at or episode.breached_at) + timedelta(seconds=1)
    return episode.breached_at - window, end, {
        "rule_id": row.id, "rule": row.name, "group_key": episode.group_key, "labels": episode.labels,
        "breached_at": iso_z(episode.breached_at), "fired_at": episode.fired_at and iso_z(episode.fired_at)}


def with_templates(request: Request, items: list[dict]) -> list[dict]:
    """Each finding or candidate with its template's text."""
    texts = template_texts(request.app.state.meta, {i["template_id"] for i in items})
    return [{**i, "template": texts.get(i["template_id"])} for i in items]


def mount_anomalies(app: FastAPI) -> None:
    router = APIRouter(tags=["analysis"])

    @router.get("/api/v1/anomalies")
    async def anomalies(request: Request, q: Q = "", since: str | None = None, until: str | None = None,
                        lookback: str = "1d", size: Annotated[int, Query(ge=1, le=1000)] = 50) -> JSON:
        """Anomalies of the stretch (default the last 15 minutes) against the `lookback` before it:
        templates new to a service, spikes and drops of lines per template, service and host. Each
        has its score, reason and first lines."""
        start, end = window_of(since, until)
        flt = Filter.parse(q)
        found = await run_in_threadpool(detect, request.app.state.store, flt, start, end, lookback_of(lookback), size)
        return JSON({"ok": True, "window": {"start": iso_z(start), "end": iso_z(end)},
                     "anomalies": with_templates(request, found)})

    @router.get("/api/v1/anomalies/explain")
    async def explain_rate(request: Request, q: Q = "", since: str | None = None, until: str | None = None,
                           lookback: str = "1d", size: Annotated[int, Query(ge=1, le=100)] = 10) -> JSON:
        """What the stretch's lines have more of than the lookback's: per field, the values whose
        share grew the most, scored; and how the rate of lines changed."""
        start, end = window_of(since, until)
        result = await run_in_threadpool(explain, request.app.state.store, Filter.parse(q), start, end,
                                         lookback_of(lookback), size)
        return JSON({"ok": True, "window": {"start": iso_z(start), "end": iso_z(end)}, **result})

    @router.get("/api/v1/anomalies/sequences")
    async def sequences(request: Request, since: str | None = None, until: str | None = None, key: str = "instance",
                        lookback: str = "1d", size: Annotated[int, Query(ge=1, le=10_000)] = 100) -> JSON:
        """Instances (`key=instance`) or requests (`key=request`) whose lines came in an order not
        seen in the `lookback` before the stretch (default the last hour): the first deviating
        step, its context and what usually follows it, with the templates' texts."""
        start, end = window_of(since, until, timedelta(hours=1))
        result = await run_in_threadpool(sequence_anomalies, request.app.state.store, key, start, end,
                                         start - lookback_of(lookback), size)
        ids = {t for s in result["sequences"] for t in [*s["steps"], *s["expected"]] if t}
        texts = template_texts(request.app.state.meta, ids)
        return JSON({"ok": True, "window": {"start": iso_z(start), "end": iso_z(end)}, **result,
                     "templates": {str(k): v for k, v in texts.items()}})

    @router.get("/api/v1/rca")
    async def rca(request: Request, q: Q = "", since: str | None = None, until: str | None = None,
                  request_id: Annotated[str | None, Query(alias="request", max_length=64)] = None,
                  instance: Annotated[str | None, Query(max_length=64)] = None,
                  alert: Annotated[str | None, Query(max_length=255)] = None,
                  group: Annotated[str | None, Query(max_length=64)] = None, lookback: str = "1d",
                  size: Annotated[int, Query(ge=1, le=100)] = 10) -> JSON:
        """Root-cause candidates (template × service × host) of a stretch of time, or of the
        stretch a request (`request`) or an instance (`instance`) took, or of an alert's latest
        episode (`alert`: a rule's id or name; `group`: one group's key): from a window before
        its first breach to when it fired. The most likely first, each with its score's parts
        and evidence lines."""
        store = request.app.state.store
        subjects = [name for name, value in (("request", request_id), ("instance", instance), ("alert", alert)) if value]
        if len(subjects) > 1:
            raise BadRequest(f"{subjects[1]}: give one of request, instance and alert", field=subjects[1])
        episode = None
        if alert:
            start, end, episode = alert_window(request.app.state.meta, alert, group)
        elif request_id or instance:
            chain = await run_in_threadpool(call_chain, store, request_id or instance or "")
            if not chain["line_count"]:
                raise BadRequest(f"no line carries {request_id or instance}", field="request" if request_id else "instance")
            start, end = chain["start"], chain["end"] + timedelta(seconds=1)
        else:
            start, end = window_of(since, until)
        result = await run_in_threadpool(root_causes, store, Filter.parse(q), start, end, lookback_of(lookback), size)
        result["candidates"] = with_templates(request, result["candidates"])
        if episode is not None:
            result["alert"] = episode
        return JSON({"ok": True, **result})

    @router.get("/api/v1/dependencies")
    async def dependencies(request: Request, since: str | None = None, until: str | None = None) -> JSON:
        """Which service calls which (and in how many requests), learned from call chains over
        the stretch (default the last day)."""
        start, end = window_of(since, until, timedelta(days=1))
        graph = await run_in_threadpool(dependency_graph, request.app.state.store, start, end)
        return JSON({"ok": True, "dependencies": graph})

    app.include_router(router)


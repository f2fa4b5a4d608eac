"""Scheduled reports: a schedule checked and saved, when one is due, and a run: the report made
over the span before the run, kept (venus.reports.stored) and sent to the schedule's channels.
E-mail gets the PDF attached and the HTML as its body; webhooks, Slack, DingTalk and WeCom get a
message with links to the kept report."""

from __future__ import annotations

import logging
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from typing import Annotated

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field
from sqlalchemy import or_, select

from venus.alerts.channels import settings_of
from venus.alerts.notify import Attachment, SendFailed, post_json, send_email
from venus.alerts.rules import Query
from venus.analysis.typical import Signature
from venus.errors import BadRequest, NotFound
from venus.meta.models import Channel, ReportSchedule
from venus.meta.store import MetadataStore, db_now, from_db, to_db
from venus.query.timerange import duration_seconds
from venus.reports.gather import ReportScope, gather
from venus.reports.html import render_html
from venus.reports.make import MAX_RANGE
from venus.reports.pdf import render_pdf
from venus.reports.stored import keep_report, prune, stored_view
from venus.reports.texts import LANGUAGES, TEXTS
from venus.store.clickhouse import ClickHouseStore
from venus.tasks.schedules import Schedule, parse_schedule
from venus.validation import validated

log = logging.getLogger(__name__)

# The shorthands: when they run (cron, in [tasks] timezone) and the span each report covers.
SHORTHANDS = {"daily": ("0 6 * * *", 86_400.0), "weekly": ("0 6 * * mon", 604_800.0)}
REPORT_CHANNELS = ("email", "webhook", "slack", "dingtalk", "wecom")  # alertmanager takes alerts only


def _language(value: str) -> str:
    if value not in LANGUAGES:
        raise ValueError(f"one of {', '.join(LANGUAGES)}")
    return value


class ScheduleSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=255)
    schedule: str = Field(min_length=1, max_length=255)
    span: Annotated[float | None, BeforeValidator(lambda v: None if v is None else duration_seconds(v)),
                    Field(gt=0, le=MAX_RANGE.total_seconds())] = None
    query: Query = ""
    language: Annotated[str, AfterValidator(_language)] = "en"
    channels: list[str] = Field(min_length=1, max_length=20)
    enabled: bool = True


def schedule_of(text: str) -> Schedule:
    cron = SHORTHANDS.get(text.strip(), (None, 0))[0]
    return Schedule(text, cron=cron) if cron else parse_schedule(text)


def span_of(spec: ScheduleSpec, schedule: Schedule) -> float:
    if spec.span:
        return spec.span
    if spec.schedule.strip() in SHORTHANDS:
        return SHORTHANDS[spec.schedule.strip()][1]
    if schedule.every:
        return schedule.every
    raise BadRequest("span: a cron schedule needs the span each report covers, e.g. 1d", field="span")


def _found_channels(meta: MetadataStore, names: list[str]) -> tuple[list[Channel], list[str]]:
    """The channels named (by name or id), and the names no channel has."""
    with meta.session() as s:
        rows = list(s.scalars(select(Channel).where(or_(Channel.name.in_(names), Channel.id.in_(names)))))
    known = {r.name for r in rows} | {r.id for r in rows}
    return rows, [n for n in names if n not in known]


def _channel_rows(meta: MetadataStore, names: list[str]) -> list[Channel]:
    rows, missing = _found_channels(meta, names)
    if missing:
        raise BadRequest(f"channels: no channel {missing[0]!r}", field="channels")
    if wrong := [r for r in rows if r.type not in REPORT_CHANNELS]:
        raise BadRequest(f"channels: {wrong[0].name!r} is an {wrong[0].type} channel, which takes alerts, not "
                         "reports", field="channels")
    return rows


def save_schedule(meta: MetadataStore, data: object, zone: str, ident: str | None = None) -> ReportSchedule:
    """A new schedule, or `ident`'s replaced; BadRequest naming the field that is wrong."""
    spec = validated(ScheduleSpec, data)
    schedule = schedule_of(spec.schedule)
    span = span_of(spec, schedule)
    _channel_rows(meta, spec.channels)
    old = schedule_row(meta, ident) if ident else None
    meta.require_free_name(ReportSchedule, spec.name, old.id if old else None, "a report schedule")
    now = db_now()
    row = ReportSchedule(id=old.id if old else uuid.uuid4().hex, name=spec.name, schedule=spec.schedule, span=span,
                         query=spec.query, language=spec.language, channels=spec.channels, enabled=spec.enabled,
                         next_run=to_db(schedule.next_after(from_db(now), zone)), last_run=old.last_run if old else None,
                         create_time=old.create_time if old else now, update_time=now)
    with meta.session() as s:
        s.merge(row)
    return row


def schedule_row(meta: MetadataStore, ident: str) -> ReportSchedule:
    with meta.session() as s:
        row = s.scalars(select(ReportSchedule).where(or_(ReportSchedule.id == ident,
                                                         ReportSchedule.name == ident))).first()
    if row is None:
        raise NotFound(f"no report schedule {ident!r}", field="schedule")
    return row


def schedule_view(row: ReportSchedule) -> dict:
    return {"id": row.id, "name": row.name, "schedule": row.schedule, "span": row.span, "query": row.query,
            "language": row.language, "channels": row.channels, "enabled": row.enabled,
            "next_run": from_db(row.next_run), "last_run": from_db(row.last_run),
            "create_time": from_db(row.create_time), "update_time": from_db(row.update_time)}


def due(meta: MetadataStore, now: datetime) -> list[ReportSchedule]:
    with meta.session() as s:
        return list(s.scalars(select(ReportSchedule).where(ReportSchedule.enabled, ReportSchedule.next_run <= to_db(now))
                              .order_by(ReportSchedule.next_run)))


def run_schedule(store: ClickHouseStore, meta: MetadataStore, signatures: tuple[Signature, ...],
                 row: ReportSchedule, now: datetime, reports_dir: Path, console_url: str, zone: str) -> dict:
    """Make the schedule's report over the span before `now`, keep it, send it; the kept report's view."""
    end = now.replace(microsecond=0)
    scope = ReportScope(row.query, end - timedelta(seconds=row.span), end, console_url)
    figures = gather(store, meta, signatures, scope, now)
    html = render_html(figures, row.language)
    pdf = render_pdf(html)
    title = f"{TEXTS[row.language]['title']}: {row.name}"
    kept = keep_report(meta, reports_dir, figures, html, pdf, title, row.language, row.id)
    links = {fmt: f"{console_url}/api/v1/reports/{kept.id}/{fmt}" for fmt in ("pdf", "html")}
    channels, gone = _found_channels(meta, row.channels)  # a channel deleted since is a failed delivery
    deliveries = [deliver(channel, kept.title, figures, html, pdf, links) for channel in channels if channel.enabled]
    deliveries += [{"channel": name, "status": "failed", "error": "no such channel"} for name in gone]
    with meta.session() as s:
        stored = s.get(type(kept), kept.id)
        stored.deliveries = deliveries
        schedule = s.get(ReportSchedule, row.id)
        schedule.last_run = to_db(now)
        slot = from_db(row.next_run)
        if slot is None or slot <= now:  # a run asked for ahead of time leaves the next one as it was
            schedule.next_run = to_db(schedule_of(row.schedule).following(slot or now, now, zone))
    return {**stored_view(kept), "deliveries": deliveries}


def deliver(channel: Channel, title: str, figures: dict, html: str, pdf: bytes, links: dict[str, str]) -> dict:
    """Send one report to one channel; what happened, never an exception (the others still get it)."""
    volume, errors = figures["volume"], figures["error_rate"]
    line = (f"{title} ({figures['start']} – {figures['end']}): {volume['total']:,} lines, {errors['errors']:,} errors "
            f"({errors['rate'] * 100:.2f}%), {len(figures['alerts'])} alerts fired. PDF: {links['pdf']}")
    try:
        config = settings_of(channel.type, channel.settings)
        if channel.type == "email":
            name = f"venus-report-{figures['start'][:10]}-{figures['end'][:10]}.pdf"
            send_email(config, title, line, html=html, attachments=(Attachment(name, pdf),))
        elif channel.type == "webhook":
            post_json(config.url, {"kind": "report", "title": title, "start": figures["start"], "end": figures["end"],
                                   "lines": volume["total"], "errors": errors["errors"], "error_rate": errors["rate"],
                                   "alerts": len(figures["alerts"]), "links": links}, config)
        elif channel.type == "slack":
            post_json(config.url, {"text": line}, config)
        else:  # dingtalk, wecom
            text = f"### {title}\n\n{line}"
            body = ({"msgtype": "markdown", "markdown": {"title": title, "text": text}} if channel.type == "dingtalk"
                    else {"msgtype": "markdown", "markdown": {"content": text}})
            post_json(config.url, body, config, errcode=True)
    except SendFailed as exc:
        log.warning("report %r to channel %s: %s", title, channel.name, exc)
        return {"channel": channel.name, "status": "failed", "error": str(exc)[:500]}
    return {"channel": channel.name, "status": "sent", "error": None}


def run_due(store: ClickHouseStore, meta: MetadataStore, signatures: tuple[Signature, ...], now: datetime,
            reports_dir: Path, console_url: str, zone: str, keep_days: int) -> dict:
    """The scheduled task: every due schedule's report made, kept and sent; old reports dropped. A
    schedule whose report fails is logged and waits for its next run (a retry every minute would
    repeat the failure's cost)."""
    made, failed = [], []
    for row in due(meta, now):
        try:
            made.append(run_schedule(store, meta, signatures, row, now, reports_dir, console_url, zone)["id"])
        except Exception as exc:
            log.exception("report schedule %s failed", row.name)
            failed.append({"schedule": row.name, "error": str(exc)[:500]})
            with meta.session() as s:
                schedule = s.get(ReportSchedule, row.id)
                schedule.next_run = to_db(schedule_of(row.schedule).following(from_db(row.next_run) or now, now, zone))
    return {"made": made, "failed": failed, "pruned": prune(meta, reports_dir, keep_days, now)}

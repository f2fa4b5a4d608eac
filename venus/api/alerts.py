"""The alerting API: rules (with a preview of what a rule finds now), the alerts' current states
and history, silences, notification channels (with a test send)."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone
from typing import Annotated

from fastapi import APIRouter, FastAPI, Query, Request
from sqlalchemy import delete, select, update
from starlette.concurrency import run_in_threadpool

from venus.alerts.channels import ChannelSpec, parse_channel
from venus.alerts.engine import backtest, preview
from venus.alerts.notify import SendFailed, send
from venus.alerts.rules import AlertRule, parse_rule
from venus.alerts.silences import SilenceSpec, silence_active
from venus.alerts.states import STATES
from venus.api.bodies import json_object
from venus.api.responses import JSON
from venus.errors import BadRequest, NotFound
from venus.meta.models import AlertEvent, AlertRuleRow, AlertStateRow, Channel, Notification, Silence
from venus.meta.store import MetadataStore, db_now, from_db, now_utc, to_db
from venus.query.timerange import duration_param, parse_time
from venus.tasks.server_tasks import external_url
from venus.validation import validated

Limit = Annotated[int, Query(ge=1, le=10_000)]
MAX_HISTORY = timedelta(days=7)  # the longest stretch a preview looks back over


def _meta(request: Request) -> MetadataStore:
    return request.app.state.meta


def _signatures(request: Request) -> dict:
    return {s.id: s for s in request.app.state.typical}


def rule_view(row: AlertRuleRow, states: list[AlertStateRow] | None = None) -> dict:
    out = {"id": row.id, **row.spec, "enabled": row.enabled, "create_time": from_db(row.create_time),
           "update_time": from_db(row.update_time)}
    if states is not None:
        out["states"] = {s: sum(1 for st in states if st.state == s) for s in STATES}
    return out


def state_view(row: AlertStateRow, rule_name: str) -> dict:
    return {"rule_id": row.rule_id, "rule": rule_name, "group_key": row.group_key, "labels": row.labels,
            "state": row.state, "since": from_db(row.state_since), "pending_since": from_db(row.pending_since),
            "value": row.value, "threshold": row.threshold, "last_eval": from_db(row.last_eval),
            "last_notified": from_db(row.last_notified)}


def event_view(e: AlertEvent) -> dict:
    return {"id": e.id, "time": from_db(e.time), "rule_id": e.rule_id, "rule": e.rule_name, "group_key": e.group_key,
            "labels": e.labels, "kind": e.kind, "state": e.state, "previous": e.previous, "value": e.value,
            "threshold": e.threshold, "channel": e.channel, "status": e.status, "attempt": e.attempt,
            "error": e.error}


def silence_view(x: Silence, now: datetime) -> dict:
    return {"id": x.id, "matchers": x.matchers, "starts_at": from_db(x.starts_at), "ends_at": from_db(x.ends_at),
            "weekly": x.weekly, "comment": x.comment, "created_by": x.created_by,
            "active": silence_active(x.starts_at, x.ends_at, x.weekly, now)}


def channel_view(c: Channel) -> dict:
    settings = dict(c.settings)
    if settings.get("password"):
        settings["password"] = "***"  # shown to nobody once stored
    if settings.get("secret"):
        settings["secret"] = "***"
    return {"id": c.id, "name": c.name, "type": c.type, "settings": settings, "template": c.template,
            "enabled": c.enabled, "create_time": from_db(c.create_time), "update_time": from_db(c.update_time)}


def check_channels(meta: MetadataStore, names: list[str]) -> None:
    """Every name is a notification channel, or a 400 naming `channels.<i>`."""
    i = meta.unknown_channel(names)
    if i is not None:
        raise BadRequest(f"channels.{i}: no channel named {names[i]!r}; create it first (POST /api/v1/channels)",
                         field=f"channels.{i}")


def mount_alerts(app: FastAPI) -> None:
    router = APIRouter(tags=["alerts"])

    # -- rules -------------------------------------------------------------------------------

    def checked_rule(request: Request, data: dict) -> tuple[AlertRule, bool]:
        enabled = data.pop("enabled", True)
        if not isinstance(enabled, bool):
            raise BadRequest("enabled: true or false", field="enabled")
        rule = parse_rule(data, set(_signatures(request)))
        check_channels(_meta(request), rule.channels)
        return rule, enabled

    def rule_row(request: Request, rule_id: str) -> AlertRuleRow:
        row = _meta(request).find(AlertRuleRow, rule_id)
        if row is None:
            raise NotFound(f"no alert rule {rule_id!r}", field="rule")
        return row

    @router.get("/api/v1/alerts/rules")
    def list_rules(request: Request) -> JSON:
        with _meta(request).session() as s:
            rows = list(s.scalars(select(AlertRuleRow).order_by(AlertRuleRow.name)))
            states = list(s.scalars(select(AlertStateRow)))
        return JSON({"ok": True, "rules": [rule_view(r, [st for st in states if st.rule_id == r.id]) for r in rows]})

    @router.post("/api/v1/alerts/rules", status_code=201)
    async def create_rule(request: Request) -> JSON:
        """A new rule (docs/alerts.md has every field)."""
        rule, enabled = checked_rule(request, await json_object(request))
        _meta(request).require_free_name(AlertRuleRow, rule.name, None, "a rule")
        now = db_now()
        row = AlertRuleRow(id=uuid.uuid4().hex, name=rule.name, enabled=enabled, spec=rule.spec(), create_time=now,
                           update_time=now)
        with _meta(request).session() as s:
            s.add(row)
        return JSON({"ok": True, "rule": rule_view(row)}, status_code=201)

    @router.get("/api/v1/alerts/rules/{rule_id}")
    def get_rule(request: Request, rule_id: str) -> JSON:
        row = rule_row(request, rule_id)
        with _meta(request).session() as s:
            states = list(s.scalars(select(AlertStateRow).where(AlertStateRow.rule_id == row.id)))
        return JSON({"ok": True, "rule": rule_view(row, states),
                     "groups": [state_view(st, row.name) for st in states]})

    @router.put("/api/v1/alerts/rules/{rule_id}")
    async def replace_rule(request: Request, rule_id: str) -> JSON:
        row = rule_row(request, rule_id)
        rule, enabled = checked_rule(request, await json_object(request))
        return JSON({"ok": True, "rule": save_rule(request, row, rule, enabled)})

    @router.patch("/api/v1/alerts/rules/{rule_id}")
    async def change_rule(request: Request, rule_id: str) -> JSON:
        """Change some fields; the rule is checked whole again."""
        row = rule_row(request, rule_id)
        changes = await json_object(request)
        rule, enabled = checked_rule(request, {**row.spec, "enabled": row.enabled, **changes})
        return JSON({"ok": True, "rule": save_rule(request, row, rule, enabled)})

    def save_rule(request: Request, row: AlertRuleRow, rule: AlertRule, enabled: bool) -> dict:
        _meta(request).require_free_name(AlertRuleRow, rule.name, row.id, "a rule")
        with _meta(request).session() as s:
            stored = s.get(AlertRuleRow, row.id)
            if stored is None:
                raise NotFound(f"no alert rule {row.id!r}", field="rule")
            stored.name, stored.spec, stored.enabled, stored.update_time = rule.name, rule.spec(), enabled, \
                db_now()
            return rule_view(stored)

    @router.delete("/api/v1/alerts/rules/{rule_id}")
    def delete_rule(request: Request, rule_id: str) -> JSON:
        """The rule, its groups' states and its unsent notifications go; its history stays."""
        row = rule_row(request, rule_id)
        with _meta(request).session() as s:
            s.execute(delete(AlertStateRow).where(AlertStateRow.rule_id == row.id))
            s.execute(delete(Notification).where(Notification.rule_id == row.id, Notification.status == "pending"))
            s.execute(delete(AlertRuleRow).where(AlertRuleRow.id == row.id))
        return JSON({"ok": True, "deleted": row.id})

    async def previewed(request: Request, rule: AlertRule, at: str | None, history: str | None) -> JSON:
        moment = parse_time(at, "at") or now_utc()
        result = await run_in_threadpool(preview, request.app.state.store, rule, _signatures(request), moment)
        if history:
            span = duration_param(history, "history", MAX_HISTORY).total_seconds()
            result["history"] = await run_in_threadpool(backtest, request.app.state.store, rule,
                                                        _signatures(request), moment, span)
        return JSON({"ok": True, **result})

    @router.post("/api/v1/alerts/rules/preview")
    async def preview_rule(request: Request, at: str | None = None, history: str | None = None) -> JSON:
        """What a rule (the body, not stored) measures at `at` (default now): every group with its
        value and whether it breaches the threshold then. With `history` (e.g. 1d, at most 7d),
        also what it would have found over that stretch before `at`. Nothing is stored or sent."""
        rule, _ = checked_rule(request, await json_object(request))
        return await previewed(request, rule, at, history)

    @router.post("/api/v1/alerts/rules/{rule_id}/preview")
    async def preview_stored(request: Request, rule_id: str, at: str | None = None,
                             history: str | None = None) -> JSON:
        return await previewed(request, AlertRule.model_validate(rule_row(request, rule_id).spec), at, history)

    # -- alerts and history ------------------------------------------------------------------

    @router.get("/api/v1/alerts")
    def alerts(request: Request, state: Annotated[list[str] | None, Query()] = None, rule: str | None = None) -> JSON:
        """The groups that are pending, firing or resolved (`state=` narrows), newest change first."""
        wanted = state or ["pending", "firing", "resolved"]
        for s_ in wanted:
            if s_ not in STATES:
                raise BadRequest(f"state: one of {', '.join(STATES)}", field="state")
        query = select(AlertStateRow).where(AlertStateRow.state.in_(wanted)).order_by(
            AlertStateRow.state_since.desc())
        if rule:
            query = query.where(AlertStateRow.rule_id == rule_row(request, rule).id)
        with _meta(request).session() as s:
            names = {rule_id: name for rule_id, name in s.execute(select(AlertRuleRow.id, AlertRuleRow.name))}
            rows = list(s.scalars(query))
        return JSON({"ok": True, "alerts": [state_view(r, names.get(r.rule_id, "?")) for r in rows]})

    @router.get("/api/v1/alerts/history")
    def history(request: Request, rule: str | None = None, kind: str | None = None, since: str | None = None,
                limit: Limit = 200) -> JSON:
        """State changes and notifications (sent, retrying, failed, silenced), newest first."""
        query = select(AlertEvent).order_by(AlertEvent.time.desc(), AlertEvent.id.desc()).limit(limit)
        if rule:
            with _meta(request).session() as s:
                found = s.scalars(select(AlertRuleRow.id).where(AlertRuleRow.name == rule)).first()
            query = query.where(AlertEvent.rule_id == (found or rule))
        if kind:
            if kind not in ("state", "notification"):
                raise BadRequest("kind: state or notification", field="kind")
            query = query.where(AlertEvent.kind == kind)
        if since:
            query = query.where(AlertEvent.time >= to_db(parse_time(since, "since")))  # type: ignore[arg-type]
        with _meta(request).session() as s:
            return JSON({"ok": True, "events": [event_view(e) for e in s.scalars(query)]})

    # -- silences ----------------------------------------------------------------------------

    @router.get("/api/v1/silences")
    def list_silences(request: Request, expired: bool = False) -> JSON:
        now = now_utc()
        query = select(Silence).order_by(Silence.starts_at.desc())
        if not expired:
            query = query.where(Silence.ends_at > to_db(now))
        with _meta(request).session() as s:
            return JSON({"ok": True, "silences": [silence_view(x, now) for x in s.scalars(query)]})

    @router.post("/api/v1/silences", status_code=201)
    async def create_silence(request: Request) -> JSON:
        """Hold back the notifications of alerts whose labels match, from starts_at (default now) to
        ends_at; with `weekly`, only within its days and hours (a maintenance window)."""
        spec = validated(SilenceSpec, await json_object(request))
        now = now_utc()
        starts = spec.starts_at or now
        if starts.tzinfo is None:
            starts = starts.replace(tzinfo=timezone.utc)
        ends = spec.ends_at if spec.ends_at.tzinfo else spec.ends_at.replace(tzinfo=timezone.utc)
        if ends <= starts:
            raise BadRequest("ends_at: must be after starts_at", field="ends_at")
        if ends <= now:
            raise BadRequest("ends_at: is in the past, so the silence would never hold", field="ends_at")
        row = Silence(id=uuid.uuid4().hex, matchers=[m.model_dump() for m in spec.matchers], starts_at=to_db(starts),
                      ends_at=to_db(ends), weekly=spec.weekly.model_dump(by_alias=True) if spec.weekly else None,
                      comment=spec.comment, created_by=spec.created_by, create_time=to_db(now))
        with _meta(request).session() as s:
            s.add(row)
        return JSON({"ok": True, "silence": silence_view(row, now)}, status_code=201)

    @router.delete("/api/v1/silences/{silence_id}")
    def expire_silence(request: Request, silence_id: str) -> JSON:
        """End a silence now (it stays in the list of expired ones)."""
        now = db_now()
        with _meta(request).session() as s:
            done = s.execute(update(Silence).where(Silence.id == silence_id, Silence.ends_at > now).values(
                ends_at=now)).rowcount
        if not done:
            raise NotFound(f"no active silence {silence_id!r}", field="silence")
        return JSON({"ok": True, "expired": silence_id})

    # -- channels ----------------------------------------------------------------------------

    def channel_row(request: Request, ident: str) -> Channel:
        row = _meta(request).find(Channel, ident)
        if row is None:
            raise NotFound(f"no channel {ident!r}", field="channel")
        return row

    def keep_secrets(spec: ChannelSpec, old: Channel | None) -> None:
        """A client that shows '***' for a stored secret sends it back unchanged: keep the stored one."""
        if old is None or old.type != spec.type:
            return
        for key in ("password", "secret"):
            if spec.settings.get(key) == "***":
                spec.settings[key] = old.settings.get(key)

    async def checked_channel(request: Request, old: Channel | None = None) -> ChannelSpec:
        spec = parse_channel(await json_object(request))
        keep_secrets(spec, old)
        _meta(request).require_free_name(Channel, spec.name, old.id if old else None, "a channel")
        return spec

    @router.get("/api/v1/channels")
    def list_channels(request: Request) -> JSON:
        with _meta(request).session() as s:
            return JSON({"ok": True, "channels": [channel_view(c) for c in s.scalars(
                select(Channel).order_by(Channel.name))]})

    @router.post("/api/v1/channels", status_code=201)
    async def create_channel(request: Request) -> JSON:
        spec = await checked_channel(request)
        now = db_now()
        row = Channel(id=uuid.uuid4().hex, name=spec.name, type=spec.type, settings=spec.settings,
                      template=spec.template, enabled=spec.enabled, create_time=now, update_time=now)
        with _meta(request).session() as s:
            s.add(row)
        return JSON({"ok": True, "channel": channel_view(row)}, status_code=201)

    @router.get("/api/v1/channels/{ident}")
    def get_channel(request: Request, ident: str) -> JSON:
        return JSON({"ok": True, "channel": channel_view(channel_row(request, ident))})

    @router.put("/api/v1/channels/{ident}")
    async def replace_channel(request: Request, ident: str) -> JSON:
        old = channel_row(request, ident)
        spec = await checked_channel(request, old)
        with _meta(request).session() as s:
            row = s.get(Channel, old.id)
            if row is None:
                raise NotFound(f"no channel {ident!r}", field="channel")
            row.name, row.type, row.settings, row.template, row.enabled = (spec.name, spec.type, spec.settings,
                                                                          spec.template, spec.enabled)
            row.update_time = db_now()
            if old.name != spec.name:  # the rules that name it follow the rename
                for rule in s.scalars(select(AlertRuleRow)):
                    if old.name in rule.spec.get("channels", []):
                        rule.spec = {**rule.spec, "channels": [spec.name if c == old.name else c
                                                               for c in rule.spec["channels"]]}
            return JSON({"ok": True, "channel": channel_view(row)})

    @router.delete("/api/v1/channels/{ident}")
    def delete_channel(request: Request, ident: str) -> JSON:
        """Delete a channel that no rule names (a rule that names it must drop it first)."""
        row = channel_row(request, ident)
        with _meta(request).session() as s:
            users = [r.name for r in s.scalars(select(AlertRuleRow)) if row.name in r.spec.get("channels", [])]
            if users:
                raise BadRequest(f"channel: the rules {', '.join(users)} send to {row.name}; change them first",
                                 field="channel")
            s.execute(delete(Notification).where(Notification.channel_id == row.id,
                                                 Notification.status == "pending"))
            s.execute(delete(Channel).where(Channel.id == row.id))
        return JSON({"ok": True, "deleted": row.id})

    @router.post("/api/v1/channels/{ident}/test")
    async def test_channel(request: Request, ident: str) -> JSON:
        """Send a test notification now; `sent` false with the error when it did not go."""
        row = channel_row(request, ident)
        settings = request.app.state.settings
        payload = {"status": "test", "rule": {"id": "", "name": "Venus test", "severity": "info", "description": "",
                                              "condition": "count", "op": "above", "window": 0, "query": ""},
                   "labels": {"alertname": "Venus test"}, "group": {}, "group_key": "", "value": None,
                   "threshold": None, "count": 0, "total": None, "samples": [], "link": external_url(settings),
                   "external_url": external_url(settings), "starts_at": now_utc().isoformat(), "ends_at": None}
        try:
            await run_in_threadpool(send, row.type, row.settings, row.template, payload)
        except SendFailed as exc:
            return JSON({"ok": True, "sent": False, "error": str(exc)})
        return JSON({"ok": True, "sent": True})

    app.include_router(router)

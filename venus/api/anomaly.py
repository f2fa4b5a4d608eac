"""The native API of the keyword anomaly rules and their records (the /v1 endpoints serve the
same rows in the original's shapes)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, FastAPI, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from venus.api.alerts import check_channels
from venus.api.bodies import json_object
from venus.api.responses import JSON
from venus.errors import NotFound
from venus.meta.models import AnomalyRecord, AnomalyRule
from venus.meta.store import MetadataStore, from_db, to_db
from venus.query.timerange import parse_time
from venus.validation import validated

Text = Annotated[str, Field(max_length=1024)]


class AnomalyRuleSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Annotated[str, Field(min_length=1, max_length=1024)]
    desc: Text = ""
    keyword: Annotated[str, Field(min_length=1, max_length=1024, pattern=r"\S")]
    log_type: Literal["flog", "slog"] = "flog"
    module: Annotated[str, Field(min_length=1, max_length=1024, pattern=r"\S")]
    enabled: bool = True
    match_case: bool = True
    channels: list[Annotated[str, Field(min_length=1, max_length=255)]] = Field(default_factory=list, max_length=20)


def rule_view(r: AnomalyRule) -> dict:
    return {"id": r.id, "title": r.title, "desc": r.desc, "keyword": r.keyword, "log_type": r.log_type,
            "module": r.module, "enabled": bool(r.flag), "match_case": r.match_case, "channels": r.channels or [],
            "watermark": from_db(r.watermark), "create_time": from_db(r.create_time),
            "update_time": from_db(r.update_time)}


def record_view(r: AnomalyRecord) -> dict:
    return {"id": r.id, "rule_id": r.rule_id, "title": r.title, "module": r.module, "keyword": r.keyword,
            "log_type": r.log_type, "count": r.count, "first_line": r.logs, "first_line_id": r.line_id,
            "samples": r.samples or [], "start_time": from_db(r.start_time), "end_time": from_db(r.end_time),
            "create_time": from_db(r.create_time)}


def mount_anomaly(app: FastAPI) -> None:
    router = APIRouter(tags=["anomaly rules"])

    def meta(request: Request) -> MetadataStore:
        return request.app.state.meta

    def checked(request: Request, data: dict) -> dict:
        spec = validated(AnomalyRuleSpec, data)
        check_channels(meta(request), spec.channels)
        fields = spec.model_dump()
        fields["flag"] = int(fields.pop("enabled"))
        return fields

    def found(request: Request, rule_id: str) -> AnomalyRule:
        rule = meta(request).rule(rule_id)
        if rule is None:
            raise NotFound(f"no anomaly rule {rule_id!r}", field="rule")
        return rule

    @router.get("/api/v1/anomaly/rules")
    def list_rules(request: Request, module: str | None = None, enabled: bool | None = None) -> JSON:
        rules = meta(request).rules(module=module, flag=None if enabled is None else int(enabled))
        return JSON({"ok": True, "rules": [rule_view(r) for r in rules]})

    @router.post("/api/v1/anomaly/rules", status_code=201)
    async def create_rule(request: Request) -> JSON:
        """Lines of `module` (a service or a program) whose message holds `keyword` become records,
        one per detection window, examined from the rule's creation on."""
        rule_id = meta(request).add_rule(checked(request, await json_object(request)))
        return JSON({"ok": True, "rule": rule_view(found(request, rule_id))}, status_code=201)

    @router.get("/api/v1/anomaly/rules/{rule_id}")
    def get_rule(request: Request, rule_id: str) -> JSON:
        return JSON({"ok": True, "rule": rule_view(found(request, rule_id))})

    @router.patch("/api/v1/anomaly/rules/{rule_id}")
    async def change_rule(request: Request, rule_id: str) -> JSON:
        rule = found(request, rule_id)
        current = {k: v for k, v in rule_view(rule).items() if k in AnomalyRuleSpec.model_fields}
        fields = checked(request, {**current, **await json_object(request)})
        meta(request).update_rule(rule_id, fields)
        return JSON({"ok": True, "rule": rule_view(found(request, rule_id))})

    @router.delete("/api/v1/anomaly/rules/{rule_id}")
    def delete_rule(request: Request, rule_id: str) -> JSON:
        found(request, rule_id)
        meta(request).delete_rule(rule_id)
        return JSON({"ok": True, "deleted": rule_id})

    @router.get("/api/v1/anomaly/records")
    def list_records(request: Request, rule: str | None = None, module: str | None = None,
                     since: str | None = None, until: str | None = None,
                     limit: Annotated[int, Query(ge=1, le=10_000)] = 100,
                     offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0) -> JSON:
        """Records newest first: per rule and window, the count and sample lines."""
        start, end = parse_time(since, "since"), parse_time(until, "until")
        records = meta(request).records(module=module, rule_id=rule, since=start and to_db(start),
                                        until=end and to_db(end), offset=offset, limit=limit)
        return JSON({"ok": True, "records": [record_view(r) for r in records]})

    @router.delete("/api/v1/anomaly/records/{record_id}")
    def delete_record(request: Request, record_id: str) -> JSON:
        meta(request).delete_record(record_id)
        return JSON({"ok": True, "deleted": record_id})

    app.include_router(router)

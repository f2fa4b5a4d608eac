"""The original Venus's `/v1` API, path for path and message string for message string.

The contract is ../shared/reference/venus-v1-api.md (§1); docs/v1-api.md lists where Venus keeps
it, where it fixes the original's bugs (§7), and what it adds (a new rule's id, `field` and
`detail` beside "invalid param").
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from http import HTTPStatus
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import RedirectResponse

from venus.analysis.chain import ERROR_LEVELS, call_chain, chain_id
from venus.api.bodies import json_object
from venus.api.responses import JSON
from venus.api.tasks import set_runtime_setting
from venus.api.v1 import logs as L
from venus.api.v1.params import INDEX_TYPES, BadV1Request, InvalidParam, V1Params
from venus.errors import BadRequest
from venus.meta import custom_config
from venus.meta.models import AnomalyRecord, AnomalyRule
from venus.meta.store import RULE_FIELDS, MetadataStore
from venus.parse.timestamps import zone as read_zone
from venus.query.ast import And, Or, Term
from venus.query.search import Filter
from venus.store.clickhouse import ClickHouseStore
from venus.store.schema import LOG_TABLE

VERSION_UPDATED = "2023-02-28T18:43:00Z"
MEDIA_TYPES = [{"base": "application/xml", "type": "application/vnd.openstack.venus+xml;version=1"},
               {"base": "application/json", "type": "application/vnd.openstack.venus+json;version=1"}]
JSON_TYPES = ("application/json", "application/vnd.openstack.venus+json")
PARAM_TYPES = {"host_name": "host", "level": "level", "program_name": "program", "module_name": "service"}
GROUPS = {"host_name": ("host", "Host"), "program_name": ("program", "Program")}
CHAIN_PROGRAMS = ("nova-api", "nova-conductor", "nova-scheduler")
TRACE_ID = re.compile(r"req-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
MAX_OFFSET = 1_000_000
MAX_TRACE_LINES = 10_000


def ok(**data: Any) -> JSON:
    """A search endpoint's success: code 1 (custom config and anomaly answers use 0)."""
    return JSON({"code": 1, "msg": "OK", **data})


def no_data(reason: str) -> JSON:
    return JSON({"code": 0, "msg": f"no data, {reason}"})


def db_time(value: datetime | None) -> str | None:
    """Times from the metadata store as the original wrote them: 2023-08-01T07:54:01.000000 (UTC here)."""
    return value.strftime("%Y-%m-%dT%H:%M:%S.%f") if value else None


def base_url(request: Request) -> str:
    return str(request.base_url).rstrip("/")


def versions_document(request: Request) -> dict:
    return {"versions": [{"id": "v1.0", "status": "SUPPORTED", "updated": VERSION_UPDATED,
                          "links": [{"rel": "self", "href": f"{base_url(request)}/v1/"}]}]}


def mount_v1(app: FastAPI) -> None:
    router = APIRouter(tags=["v1 (original Venus)"])
    settings = app.state.settings
    zone = read_zone(settings.v1.histogram_timezone, field="[v1] histogram_timezone")
    max_page = settings.api.max_page_size

    def store(request: Request) -> ClickHouseStore:
        return request.app.state.store

    def meta(request: Request) -> MetadataStore:
        return request.app.state.meta

    async def body(request: Request) -> dict:
        """The JSON body; the original needed a JSON content type and crashed without one."""
        ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if ctype not in JSON_TYPES:
            raise BadV1Request("send the body as JSON with 'Content-Type: application/json'", field="Content-Type")
        # Read within the limit (a bigger body is refused before it is all in memory).
        return await json_object(request, settings.api.max_v1_body_bytes, "max_v1_body_bytes")

    # -- versions ----------------------------------------------------------------------------

    # GET / (the version document) is venus/api/console.py's: it also serves the console to browsers.

    @router.get("/v1", include_in_schema=False)
    def v1_redirect() -> RedirectResponse:
        return RedirectResponse("/v1/", status_code=302)

    @router.get("/v1/")
    def version(request: Request) -> JSON:
        base = base_url(request)
        return JSON({"version": {"id": "v1.0", "status": "SUPPORTED", "updated": VERSION_UPDATED,
                                 "links": [{"rel": "self", "href": f"{base}/v1/"},
                                           {"rel": "describedby", "type": "text/html",
                                            "href": "http://docs.openstack.org/"}],
                                 "media-types": MEDIA_TYPES}})

    # -- custom config -----------------------------------------------------------------------

    @router.get("/v1/custom_config")
    def get_custom_config(request: Request) -> JSON:
        values = meta(request).config()
        return JSON({key: values.get(key) for key in custom_config.V1_KEYS})

    @router.post("/v1/custom_config")
    async def set_custom_config(request: Request) -> JSON:
        data = await body(request)
        key, value = data.get("id"), data.get("value")
        if key is None or value is None:
            raise InvalidParam("id" if key is None else "value", "send both id and value",
                               msg="invalid param: id or value is missed")
        try:
            set_runtime_setting(store(request), meta(request), str(key), value)
        except BadRequest as exc:
            raise InvalidParam(exc.field or "value", exc.message) from None
        return JSON({"code": 0, "msg": "OK"})

    # -- search ------------------------------------------------------------------------------

    @router.get("/v1/search/params")
    def search_params(request: Request) -> JSON:
        p = V1Params(request.query_params)
        kind = p.choice("type", tuple(PARAM_TYPES))
        index_type = p.index_type()
        now = datetime.now(timezone.utc)
        start = now - timedelta(days=7)
        if not L.any_data(store(request), index_type, start, now):
            return no_data("no index")
        # Every line of the UTC days from a week ago, as the original's daily indices held them.
        day0 = start.replace(hour=0, minute=0, second=0, microsecond=0)
        flt = L.log_filter(p, index_type, day0, None, fields=("module_name",))
        where = flt.where()
        column = PARAM_TYPES[kind]
        rows = store(request).query(f"SELECT DISTINCT `{column}` FROM {LOG_TABLE} WHERE {where.where} AND `{column}` != '' "
                                    f"ORDER BY `{column}` LIMIT 10000", where.params).rows
        values = [r[0] for r in rows]
        if kind == "level":
            values = sorted({v.upper() for v in values if v != "UNKNOWN"}) + [L.NO_EXIST]
        if not values:
            return no_data("no values")
        return ok(values=values)

    @router.get("/v1/search/logs")
    def search_logs(request: Request) -> JSON:
        p = V1Params(request.query_params)
        index_type = p.index_type()
        start, end = p.time_window(crash_was_500=False)
        page_num = p.integer("page_num", None, 1, MAX_OFFSET)
        page_size = p.integer("page_size", None, 1, max_page)
        if (page_num - 1) * page_size > MAX_OFFSET:
            raise InvalidParam("page_num", f"pages end at line {MAX_OFFSET:,}; narrow the time range")
        if not L.any_data(store(request), index_type, start, end):
            return no_data("no index")
        flt = L.log_filter(p, index_type, start, end)
        # The histogram counts every matching line, so its total is the search's.
        interval, buckets, totals = L.date_histogram(store(request), flt, start, end, zone)
        lines = L.page(store(request), flt, (page_num - 1) * page_size, page_size)
        return ok(data_stats={"count": buckets[""], "interval_cn": interval.cn, "interval_en": interval.en},
                  data={"total": totals[""], "values": [L.hit_values(line) for line in lines]})

    @router.get("/v1/search/logs/download")
    def download_logs(request: Request) -> JSON:
        p = V1Params(request.query_params)
        index_type = p.index_type()
        start = p.epoch("start_time", crash_was_500=False)
        end = p.epoch("end_time", required=False) or datetime.now(timezone.utc)
        assert start is not None
        if end < start:
            raise InvalidParam("end_time", "end_time is before start_time")
        size = p.integer("page_size", max_page, 1, max_page)
        lines = L.page(store(request), L.log_filter(p, index_type, start, end), 0, size)
        return ok(data=L.download_csv(lines))

    @router.get("/v1/search/analyse/logs")
    def analyse_logs(request: Request) -> JSON:
        p = V1Params(request.query_params)
        # venus-dashboard's proxy drops the panel's group_name and sends it empty: the panel's own
        # default (program_name) then, so its chart is drawn (docs/horizon.md).
        column, noun = GROUPS[p.choice("group_name", tuple(GROUPS), default="program_name")]
        start, end = p.time_window()
        if not L.any_data(store(request), "flog", start, end):
            return no_data("no index")
        names = ("host_name", "module_name", "program_name", "level")
        flt = L.log_filter(p, "flog", start, end, fields=names)
        where = flt.where()
        rows = store(request).query(f"SELECT `{column}` AS k, count() AS n FROM {LOG_TABLE} WHERE {where.where} "
                                    "GROUP BY k ORDER BY n DESC, k LIMIT 5", where.params).rows
        given = [f"{short}={p.text(name)}" for name, short in zip(names, ("host", "module", "program", "level"))
                 if p.text(name) is not None]
        title = f"{noun} Log Analysis Histogram TOP5" + (f" ({' '.join(given)})" if given else "")
        return ok(data={"count": [{"key": k, "doc_count": int(n)} for k, n in rows], "title_cn": title,
                        "title_en": title})

    @router.get("/v1/search/typical/logs")
    def typical_logs(request: Request) -> JSON:
        p = V1Params(request.query_params)
        catalogue = {s.id: s for s in request.app.state.typical}
        kind = p.choice("type", tuple(catalogue))
        start, end = p.time_window()
        if not L.any_data(store(request), "flog", start, end):
            return no_data("no index")
        node = And((L.family("flog"), catalogue[kind].node))
        flt = Filter(catalogue[kind].query, node, start, end + timedelta(seconds=1))
        interval, per_program, totals = L.date_histogram(store(request), flt, start, end, zone, group="program")
        stats = [{"key": program, "total": totals[program], "count": buckets}
                 for program, buckets in per_program.items()]
        stats.sort(key=lambda s: (-s["total"], s["key"]))
        return ok(data={"stats": stats, "interval_cn": interval.cn, "interval_en": interval.en})

    @router.get("/v1/search/instance/callchain")
    def instance_callchain(request: Request) -> JSON:
        p = V1Params(request.query_params)
        request_id = p.text("request_id")
        if request_id is None:
            raise InvalidParam("request_id", "request_id is required")
        uuid = p.text("uuid")
        if uuid is None:
            raise BadV1Request("uuid is required (the instance's UUID)", field="uuid")
        instance = chain_id(uuid)
        now = datetime.now(timezone.utc)
        if not L.any_data(store(request), "flog", now - timedelta(days=365), now):
            return no_data("no index")
        chain = call_chain(store(request), request_id)
        data: dict[str, list] = {program: _chain_hosts(chain["lines"], program) for program in CHAIN_PROGRAMS}
        compute = [line for line in chain["lines"] if line["program"] == "nova-compute"
                   and line["instance_id"] in ("", instance)]
        data["nova-compute"] = _compute_hosts(compute)
        return ok(data=data)

    @router.get("/v1/search/instance/request_ids")
    def instance_request_ids(request: Request) -> JSON:
        p = V1Params(request.query_params)
        start = p.epoch("start_time", required=False)
        end = p.epoch("end_time", required=False)
        # Boot requests: the API's POST .../servers, and any line about build_and_run_instance.
        boot = Or((And((Term("http_method", "word", "POST"), Term("http_route", "wildcard", "*/servers"))),
                   Term(None, "phrase", "build_and_run_instance")))
        flt = Filter("", boot, start, end + timedelta(seconds=1) if end else None)
        where = flt.where()
        sql = ("SELECT if(global_request_id != '' AND http_method = '', global_request_id, request_id) AS rid, "
               f"max(ts) AS t FROM {LOG_TABLE} WHERE {where.where} AND request_id != '' GROUP BY rid "
               "ORDER BY t DESC LIMIT 10000")
        return ok(request_ids=[r[0] for r in store(request).query(sql, where.params).rows])

    @router.get("/v1/search/trace_log")
    def trace_log(request: Request) -> JSON:
        p = V1Params(request.query_params)
        global_id = p.text("global_id")
        if global_id is None:
            raise BadV1Request("global_id is required (req-<uuid>)", field="global_id")
        if not TRACE_ID.fullmatch(global_id):
            return JSON({"error": "the request param is not correct"})
        chain = call_chain(store(request), global_id, limit=MAX_TRACE_LINES)
        docs = [L.kolla_document(line) for line in chain["lines"]]
        return JSON({"log_size": len(docs), "global_id": global_id, "analysis": docs})

    # -- anomaly rules and records -----------------------------------------------------------

    @router.post("/v1/anomaly/rule")
    async def add_rule(request: Request) -> JSON:
        data = await body(request)
        for name in RULE_FIELDS:
            if data.get(name) is None:
                raise InvalidParam(name, f"{name} is required", msg=f"invalid param: {name} is missed")
        fields = {**check_rule_fields(data), **check_rule_options(data, meta(request))}
        rule_id = meta(request).add_rule(fields)
        return JSON({"code": 0, "msg": "OK", "id": rule_id})

    @router.get("/v1/anomaly/rule/list")
    def list_rules(request: Request) -> JSON:
        p = V1Params(request.query_params)
        flag = p.text("flag")
        if flag is not None and flag not in ("0", "1"):
            raise InvalidParam("flag", "flag is 1 (enabled) or 0 (disabled)")
        page_num = p.integer("page_num", 1, 1, MAX_OFFSET)
        page_size = p.integer("page_size", 10, 1, max_page)
        rules = meta(request).rules(title=p.text("title"), module=p.text("module", "module_name"),
                                    flag=int(flag) if flag is not None else None, log_type=p.text("log_type"),
                                    offset=(page_num - 1) * page_size, limit=page_size)
        return JSON({"code": 0, "msg": "OK", "rules": [rule_dict(r) for r in rules]})

    @router.get("/v1/anomaly/rule/{rule_id}")
    def get_rule(request: Request, rule_id: str) -> JSON:
        rule = meta(request).rule(rule_id)
        if rule is None:
            return JSON({"code": -1, "msg": "not found"})
        return JSON({"code": 0, "msg": "OK", "rule": rule_dict(rule)})

    @router.post("/v1/anomaly/rule/{rule_id}")
    async def update_rule(request: Request, rule_id: str) -> JSON:
        data = await body(request)
        changes = check_rule_fields({k: v for k, v in data.items() if k in RULE_FIELDS and v is not None},
                                    partial=True)
        changes.update(check_rule_options(data, meta(request)))
        if data.get("flag") is not None:
            if str(data["flag"]) not in ("0", "1"):
                raise InvalidParam("flag", "flag is 1 (enabled) or 0 (disabled)")
            changes["flag"] = int(data["flag"])
        if not meta(request).update_rule(rule_id, changes):
            return JSON({"code": -1, "msg": "no found"})
        return JSON({"code": 0, "msg": "OK"})

    @router.delete("/v1/anomaly/rule/{rule_id}")
    def delete_rule(request: Request, rule_id: str) -> JSON:
        meta(request).delete_rule(rule_id)
        return JSON({"code": 0, "msg": "OK"})

    @router.get("/v1/anomaly/record/list")
    def list_records(request: Request) -> JSON:
        p = V1Params(request.query_params)
        start = p.epoch("start_time", required=False)
        end = p.epoch("end_time", required=False)
        if end is not None and end.timestamp() == 0:
            end = None  # the stock library sends end_time=0 when none is given
        page_num = p.integer("page_num", 1, 1, MAX_OFFSET)
        page_size = p.integer("page_size", 10, 1, max_page)
        records = meta(request).records(
            title=p.text("title"), module=p.text("module", "module_name"), log_type=p.text("log_type"),
            since=start.replace(tzinfo=None) if start else None, until=end.replace(tzinfo=None) if end else None,
            offset=(page_num - 1) * page_size, limit=page_size)
        return JSON({"code": 0, "msg": "OK", "records": [record_dict(r) for r in records]})

    @router.delete("/v1/anomaly/record/{record_id}")
    def delete_record(request: Request, record_id: str) -> JSON:
        meta(request).delete_record(record_id)
        return JSON({"code": 0, "msg": "OK"})

    app.include_router(router)


def _chain_hosts(lines: list[dict], program: str) -> list[dict]:
    """Per host, the lines one program logged for the request (the original's step 1)."""
    hosts: dict[str, dict] = {}
    for line in lines:
        if line["program"] != program:
            continue
        entry = hosts.setdefault(line["host"], {"hostname": line["host"], "log_num": 0, "error_log_num": 0,
                                                "start_time": L.iso_ms(line["ts"])})
        entry["log_num"] += 1
        entry["error_log_num"] += line["level"] in ERROR_LEVELS
        entry["end_time"] = L.iso_ms(line["ts"])
    return sorted(hosts.values(), key=lambda e: e["start_time"])


def _compute_hosts(lines: list[dict]) -> list[dict]:
    """Per compute host: whether the build succeeded ("Took N seconds to build"), from its first
    line to the success line (or to its last line when it did not succeed)."""
    hosts: dict[str, dict] = {}
    for line in lines:
        entry = hosts.setdefault(line["host"], {"hostname": line["host"], "is_success": 0,
                                                "start_time": L.iso_ms(line["ts"]), "end_time": ""})
        if not entry["is_success"]:
            entry["end_time"] = L.iso_ms(line["ts"])
            if "Took" in line["message"] and "seconds to build" in line["message"]:
                entry["is_success"] = 1
    return sorted(hosts.values(), key=lambda e: e["start_time"])


def rule_dict(rule: AnomalyRule) -> dict:
    return {"id": rule.id, "title": rule.title, "desc": rule.desc, "keyword": rule.keyword,
            "log_type": rule.log_type, "module": rule.module, "flag": rule.flag, "match_case": rule.match_case,
            "channels": rule.channels or [],
            "create_time": db_time(rule.create_time), "update_time": db_time(rule.update_time)}


def record_dict(record: AnomalyRecord) -> dict:
    return {"id": record.id, "title": record.title, "desc": record.desc, "keyword": record.keyword,
            "log_type": record.log_type, "module": record.module, "logs": record.logs,
            "start_time": db_time(record.start_time), "end_time": db_time(record.end_time),
            "create_time": db_time(record.create_time), "rule_id": record.rule_id, "line_id": record.line_id,
            "count": record.count, "samples": record.samples or []}


def check_rule_fields(data: dict, partial: bool = False) -> dict:
    """Rule fields are strings of at most 1024 characters; log_type is flog or slog; a keyword
    is not empty (an empty one would make every line a record)."""
    out = {}
    for name in RULE_FIELDS:
        if name not in data:
            continue
        value = data[name]
        if not isinstance(value, str):
            raise InvalidParam(name, f"{name} must be a string")
        if len(value) > 1024:
            raise InvalidParam(name, f"{name} is longer than 1024 characters")
        out[name] = value
    if "log_type" in out and out["log_type"] not in INDEX_TYPES:
        raise InvalidParam("log_type", "log_type must be flog or slog")
    if "keyword" in out and not out["keyword"].strip():
        raise InvalidParam("keyword", "keyword must not be empty")
    if not partial and "module" in out and not out["module"].strip():
        raise InvalidParam("module", "module must name a service, e.g. nova")
    return out


def check_rule_options(data: dict, meta: MetadataStore) -> dict:
    """What Venus adds to a rule: `match_case` (true/false, 1/0) and `channels` (names of
    notification channels)."""
    out: dict = {}
    if data.get("match_case") is not None:
        text = str(data["match_case"]).lower()
        if text not in ("0", "1", "true", "false"):
            raise InvalidParam("match_case", "match_case is true or false")
        out["match_case"] = text in ("1", "true")
    if data.get("channels") is not None:
        names = data["channels"]
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names) or len(names) > 20:
            raise InvalidParam("channels", "channels is a list of at most 20 channel names")
        i = meta.unknown_channel(names)
        if i is not None:
            raise InvalidParam("channels", f"no channel named {names[i][:255]!r}")
        out["channels"] = names
    return out


def v1_error_body(exc: Exception, status: int, message: str, field: str | None) -> tuple[int, dict]:
    """The original's error shapes for a /v1 request."""
    if isinstance(exc, InvalidParam):
        body = {"code": exc.code, "msg": exc.msg, "detail": exc.message}
        if exc.field:
            body["field"] = exc.field
        return 200, body
    key = "badRequest" if status < 500 else "computeFault"
    # `errors` (the OpenStack API-SIG shape) is what python-venusclient prints an error from.
    title = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "Error"
    body = {key: {"code": status, "message": message},
            "errors": [{"status": status, "title": f"{title}: {message}", "detail": message}]}
    if field:
        body["field"] = field
    return status, body


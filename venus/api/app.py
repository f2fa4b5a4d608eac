"""The HTTP application: `create_app(settings)` wires the store into the API inside one lifespan.

The server process owns the store (the embedded data directory can have one owner); everything
else (the CLI, tests, shippers) talks to it over these routes.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated

from fastapi import Depends, FastAPI, Query, Request
from fastapi.responses import Response, StreamingResponse
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool

from venus import __version__
from venus.analysis.chain import call_chain, chain_csv, instance_requests
from venus.analysis.latency import SORTS as LATENCY_SORTS
from venus.analysis.latency import latency_table
from venus.analysis.stats import MAX_DIMENSIONS, crosstab
from venus.analysis.template_stats import template_counts, template_detail, template_detail_in_store
from venus.analysis.typical import load_catalogue, pick, typical_stats
from venus.api.alerts import mount_alerts
from venus.api.anomalies import mount_anomalies
from venus.api.anomaly import mount_anomaly
from venus.api.bodies import read_body
from venus.api.console import is_console_path, mount_console
from venus.api.elasticsearch import elasticsearch_app
from venus.api.errors import error_response, install_error_handlers
from venus.api.ports import HttpPort, Listener
from venus.api.receivers import mount_receivers
from venus.api.reports import mount_reports
from venus.api.responses import JSON
from venus.api.searches import mount_searches
from venus.api.tail import LiveTails
from venus.api.tasks import mount_tasks
from venus.api.tokens import mount_tokens
from venus.api.v1 import is_v1_path
from venus.api.v1.routes import MEDIA_TYPES, base_url, mount_v1
from venus.auth.authenticate import Authenticator
from venus.auth.identity import describe
from venus.auth.keystone import KeystoneUnavailable, KeystoneValidator
from venus.auth.policy import Policy, rule_of
from venus.auth.presented import presented_token
from venus.auth.tokens import TokenChecker
from venus.config import Settings, split_list
from venus.errors import BadRequest, Forbidden, NotFound, ParseError, TooManyRequests
from venus.ingest.forward_server import ForwardServer
from venus.ingest.importer import Importer
from venus.ingest.inspect import Inspection, inspect_bytes, unnamed_source
from venus.ingest.notification_consumer import NotificationConsumer
from venus.ingest.syslog_server import SyslogServer, parse_networks
from venus.ingest.templating import Templater
from venus.ingest.workers import ParsePool
from venus.ingest.writer import RecordWriter
from venus.meta import custom_config
from venus.meta.store import open_metadata
from venus.model import COLUMNS
from venus.parse.paths import describe_path
from venus.query import search as S
from venus.query.compiler import compile_query
from venus.query.fields import ALIASES
from venus.query.highlight import highlight_terms
from venus.query.parser import parse_query
from venus.store import open_store
from venus.store.scope import project_scope
from venus.tasks.retention import set_table_ttl
from venus.tasks.scheduler import Scheduler, node_name
from venus.tasks.server_tasks import server_tasks

log = logging.getLogger(__name__)

PUBLIC_PATHS = ("/", "/healthz", "/openapi.json", "/docs", "/docs/oauth2-redirect", "/api/v1/auth",
                "/api/v1/auth/keystone")
OTHER_VERSION = re.compile(r"/v(?!1$)\d+(\.\d+)?")


def create_app(settings: Settings, url: str | None = None) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        extra = settings.analysis.typical_errors_file
        app.state.typical = load_catalogue(Path(extra) if extra else None)  # a bad file stops start-up
        async with contextlib.AsyncExitStack() as opened:  # closed in reverse order, also on failure
            # The retention comes from the metadata store (below): opened without one, the store
            # is altered at most once.
            store = open_store(settings, role="venus serve", url=url, retention_days=None)
            opened.callback(log.info, "store closed")
            opened.callback(store.close)
            app.state.store = store
            app.state.meta = meta = open_metadata(settings)
            opened.callback(meta.close)
            authenticator.tokens = TokenChecker(meta)
            # log_save_days starts as [storage] retention_days; once set through the API, the
            # stored value is the retention (docs/v1-api.md).
            config = meta.seed_config(custom_config.defaults(settings.storage.retention_days))
            set_table_ttl(store, config)
            pool = ParsePool(settings.import_.parse_processes)
            opened.callback(pool.close)
            templater = Templater(meta) if settings.analysis.mine_templates else None
            app.state.importer = Importer(store, pool, settings.import_.timezone, settings.import_.max_line_bytes,
                                          templater)
            app.state.writer = writer = RecordWriter(store, settings.receivers.max_pending_bytes, templater)
            app.state.pool = pool
            if es_app is not None:
                es_app.state.pool, es_app.state.writer = pool, writer
            opened.callback(writer.close)  # commits what was received and not yet written
            for listener in _listeners(settings, es_app, writer, pool):
                await listener.start()
                opened.push_async_callback(listener.stop)
            log.info("store open (%s), metadata in %s", store.dsn, meta.safe_url)
            app.state.scheduler = scheduler = Scheduler(
                meta, server_tasks(settings, store, meta, app.state.typical), node_name(settings.api.port),
                settings.tasks.timezone, settings.tasks.scheduler).start()
            opened.callback(scheduler.stop)
            opened.callback(app.state.tails.stop)
            for hook in app.state.startup_hooks:
                hook(app)
            yield

    rules: dict[tuple[str, str], str] = {}
    policy = Policy(settings.api.policy_file)

    async def authorize(request: Request) -> None:
        """Every endpoint's gate: the identity the middleware found, under the route's rule; with
        tenant scoping, the project the request's reads are confined to. It runs on the event loop,
        in the request's own context, so the scope it sets reaches the handler's threads."""
        route = request.scope["route"]
        rule = rules[(request.method, route.path)]
        identity = getattr(request.state, "identity", None)
        if not policy.allows(rule, identity):
            raise Forbidden(f"the policy rule {rule} does not allow {describe(identity)}", field="Authorization")
        if settings.api.tenant_scoping:
            project_scope.set(policy.project_scope(rule, identity))

    app = FastAPI(title="Venus", version=__version__, lifespan=lifespan, default_response_class=JSON,
                  description="Log platform for OpenStack clouds: import, search, count and context.",
                  dependencies=[Depends(authorize)])
    app.state.policy = policy
    app.state.settings = settings
    es_path = settings.receivers.elasticsearch_path and check_mount_path(
        settings.receivers.elasticsearch_path, "[receivers] elasticsearch_path")
    app.state.startup_hooks = []  # called with the app once the store is open (e.g. demo data)
    app.state.tails = LiveTails()
    install_error_handlers(app)
    keystone = (KeystoneValidator(vars(settings.keystone_authtoken)) if settings.api.auth_strategy == "keystone"
                else None)
    keystone_uri = keystone and (settings.keystone_authtoken.www_authenticate_uri or settings.keystone_authtoken.auth_url)
    app.state.authenticator = authenticator = Authenticator(settings.api.auth_strategy, settings.api.auth_token,
                                                            keystone=keystone)

    @app.middleware("http")
    async def authenticate(request: Request, call_next):  # type: ignore[no-untyped-def]
        path = request.url.path
        public = path in PUBLIC_PATHS or OTHER_VERSION.fullmatch(path) is not None or is_console_path(path)
        # The mounted Elasticsearch app checks the token itself, and answers in its clients' shape.
        public = public or bool(es_path and (path == es_path or path.startswith(f"{es_path}/")))
        try:
            identity = await authenticator.identify(request.headers)
        except KeystoneUnavailable as exc:
            identity = None
            if not public:
                return error_response(503, f"{exc.message}: try again later", "Authorization")
        given = presented_token(request.headers)
        if not public and identity is None:
            refused = error_response(401, "this token is unknown, revoked or expired" if given else
                                     "authentication required: send 'Authorization: Bearer <token>'", "Authorization")
            if keystone_uri:  # where a client gets a token, as keystonemiddleware says it
                refused.headers["WWW-Authenticate"] = f'Keystone uri="{keystone_uri}"'
            return refused
        is_v1 = is_v1_path(path)
        if is_v1 and authenticator.open and not given:
            # noauth as in the original: no token, no work; the answer says what token to send.
            user = request.headers.get("x-auth-user", "admin")
            project = request.headers.get("x-auth-project-id", "admin")
            return Response(status_code=204, headers={"X-Auth-Token": f"{user}:{project}",
                                                      "X-Server-Management-Url": f"{request.url}/{project}"})
        request.state.identity = identity
        response = await call_next(request)
        if is_v1:
            request_id = f"req-{uuid.uuid4()}"
            response.headers["X-Openstack-Request-Id"] = request_id
            response.headers["X-Compute-Request-Id"] = request_id
        return response

    _routes(app, settings)
    mount_receivers(app, settings)
    mount_alerts(app)
    mount_tasks(app)
    mount_anomaly(app)
    mount_anomalies(app)
    mount_searches(app)
    mount_tokens(app)
    mount_reports(app)
    mount_v1(app)
    mount_console(app)
    es_app = elasticsearch_app(settings, authenticator, policy) if es_path or settings.receivers.elasticsearch_port else None

    if es_app is not None and es_path:
        app.mount(es_path, es_app)

    @app.get("/{version}", include_in_schema=False, tags=["meta"])
    def other_version(request: Request, version: str) -> JSON:
        """Any other /vN: the original answered 300 with the versions it has."""
        if not OTHER_VERSION.fullmatch(f"/{version}"):
            raise NotFound(f"no such path: /{version}")
        return JSON({"choices": [{"id": "v1.0", "status": "SUPPORTED", "media-types": MEDIA_TYPES,
                                  "links": [{"rel": "self", "href": f"{base_url(request)}/v1/"}]}]},
                    status_code=300)

    rules.update(route_rules(app))  # every route under a rule, or the server does not start
    return app


def route_rules(app: FastAPI) -> dict[tuple[str, str], str]:
    """(method, path) of every route of the app to the policy rule it is under; a route under none
    is a RuntimeError (an endpoint left open by mistake)."""
    rules = {}
    for route in api_routes(app.routes):
        for method in route.methods:
            rule = rule_of(method, route.path, list(route.tags))
            if rule is None:
                raise RuntimeError(f"{method} {route.path} is under no policy rule (venus/auth/policy.py)")
            rules[(method, route.path)] = rule
    return rules


def api_routes(routes: list) -> Iterator[APIRoute]:
    """The app's endpoints, those of included routers too."""
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        elif hasattr(route, "original_router"):  # a router FastAPI includes lazily
            yield from api_routes(route.original_router.routes)


def _listeners(settings: Settings, es_app: FastAPI | None, writer: RecordWriter, pool: ParsePool) -> list[Listener]:
    """The receivers on ports of their own, as configured."""
    receivers = settings.receivers
    listeners: list[Listener] = []
    if es_app is not None and receivers.elasticsearch_port:
        listeners.append(HttpPort(es_app, settings.api.host, receivers.elasticsearch_port,
                                  "Elasticsearch-compatible ingest"))
    if receivers.forward_port:
        listeners.append(ForwardServer(settings.api.host, receivers.forward_port, writer, pool,
                                       settings.import_.timezone, settings.api.max_body_bytes,
                                       receivers.forward_shared_key))
    if receivers.syslog_port:
        listeners.append(SyslogServer(settings.api.host, receivers.syslog_port, writer, pool, settings.import_.timezone,
                                      settings.import_.max_line_bytes,
                                      parse_networks(receivers.syslog_allowed_networks)))
    notifications = settings.notifications
    if notifications.transport_url:
        listeners.append(NotificationConsumer(notifications.transport_url, split_list(notifications.exchanges),
                                              split_list(notifications.topics), notifications.queue,
                                              notifications.durable_exchanges, writer))
    return listeners


def check_mount_path(path: str, option: str) -> str:
    """A path prefix for a mounted app: /something, not a path of the API itself."""
    path = path.rstrip("/")
    if not re.fullmatch(r"(/[\w.~-]+)+", path) or path.split("/")[1] in ("api", "v1", "docs", "healthz"):
        raise BadRequest(f"{option}: {path!r} should be a path such as /elasticsearch, outside /api and /v1",
                         field=option)
    return path


Q = Annotated[str, Query(description="Query, e.g. 'level:ERROR nova*'; empty matches all", max_length=8192)]
Since = Annotated[str | None, Query(description="Start: ISO time, '15m' ago, or 'now'")]
Until = Annotated[str | None, Query(description="End (exclusive), same forms as since")]


def _routes(app: FastAPI, settings: Settings) -> None:
    max_page = settings.api.max_page_size

    def store(request: Request) -> S.ClickHouseStore:
        return request.app.state.store

    @app.get("/healthz", tags=["meta"])
    def healthz(request: Request) -> JSON:
        return JSON({"ok": True, "version": __version__, "pid": os.getpid(),
                     "store": "chdb" if store(request).embedded else "clickhouse"})

    @app.get("/api/v1/search", tags=["search"])
    def search(request: Request, q: Q = "", since: Since = None, until: Until = None,
               limit: Annotated[int | None, Query(ge=1)] = None, cursor: str | None = None,
               total: bool = True) -> JSON:
        """Matching lines, newest first. Pass `next_cursor` back as `cursor` for the next page."""
        limit = limit or settings.search.default_limit
        if limit > max_page:
            raise BadRequest(f"limit: at most {max_page} lines a page; page with the cursor", field="limit")
        started = time.perf_counter()
        flt = S.Filter.from_text(q, since, until)
        page = S.search(store(request), flt, limit, cursor, with_total=total)
        return JSON({"ok": True, "total": page.total, "count": len(page.hits), "next_cursor": page.next_cursor,
                     "took_ms": round((time.perf_counter() - started) * 1000, 2), "hits": page.hits,
                     "highlight": highlight_terms(flt.node)})

    @app.get("/api/v1/query/check", tags=["search"])
    def check_query(q: Q = "") -> JSON:
        """Whether a query parses (`valid`): its normal form and the message terms to mark, or the
        `position` of the problem and its `reason`. A query that does not parse is the answer
        here, not an error: a console asks while the user types."""
        try:
            node = parse_query(q)
            compile_query(node)  # fields and values the parser leaves to the compiler
        except ParseError as exc:
            return JSON({"ok": True, "valid": False, "error": exc.message, "position": exc.position,
                         "reason": exc.reason})
        except BadRequest as exc:
            return JSON({"ok": True, "valid": False, "error": exc.message, "position": None,
                         "reason": exc.message})
        return JSON({"ok": True, "valid": True, "query": str(node), "highlight": highlight_terms(node)})

    @app.get("/api/v1/fields", tags=["search"])
    def fields(request: Request, since: Since = "1d", until: Until = None) -> JSON:
        """The fields a query can use (columns, their other names) and the attrs keys seen
        between since and until, most frequent first."""
        flt = S.Filter.from_text("", since, until)
        return JSON({"ok": True, "fields": [{"name": c.name, "kind": c.kind, "doc": c.doc}
                                            for c in COLUMNS if c.kind != "map"],
                     "aliases": ALIASES, "attrs": S.attr_keys(store(request), flt, settings.search.facet_timeout)})

    @app.get("/api/v1/tail", tags=["search"])
    async def tail(request: Request, q: Q = "", lines: Annotated[int, Query(ge=0, le=1000)] = 10,
                   interval: Annotated[float, Query(ge=0.5, le=60)] = 1.0) -> StreamingResponse:
        """Server-Sent Events: the newest `lines` matches, then each match as it is stored, one
        `data:` JSON line each; a comment every 15 s keeps proxies from closing a quiet stream."""
        flt = S.Filter.from_text(q, None, None)  # a bad query is a 400 before the stream starts
        tails = request.app.state.tails
        if tails.busy >= settings.search.max_tails:
            raise TooManyRequests(f"{tails.busy} live tails are followed already ([search] max_tails)",
                                  field="tail")
        return StreamingResponse(tails.follow(request, store(request), flt, lines, interval),
                                 media_type="text/event-stream",
                                 headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})

    @app.get("/api/v1/count", tags=["search"])
    def count(request: Request, q: Q = "", since: Since = None, until: Until = None) -> JSON:
        return JSON({"ok": True, "count": S.count(store(request), S.Filter.from_text(q, since, until))})

    @app.get("/api/v1/histogram", tags=["search"])
    def histogram(request: Request, q: Q = "", since: Since = None, until: Until = None,
                  buckets: Annotated[int | None, Query(ge=2, le=1000)] = None) -> JSON:
        """Line counts per time bucket, with errors and warnings, at a step that gives about
        `buckets` bars."""
        result = S.histogram(store(request), S.Filter.from_text(q, since, until),
                             buckets or settings.search.histogram_buckets)
        return JSON({"ok": True, **result})

    @app.get("/api/v1/facets", tags=["search"])
    def facets(request: Request, field: Annotated[list[str], Query(min_length=1, max_length=20)],
               q: Q = "", since: Since = None, until: Until = None,
               size: Annotated[int, Query(ge=1, le=1000)] = 20,
               prefix: Annotated[str, Query(max_length=256)] = "") -> JSON:
        """Top values of one or more fields among the matching lines; with `prefix`, only the
        values that start with it (completion)."""
        flt = S.Filter.from_text(q, since, until)
        return JSON({"ok": True, "facets": [
            S.facet(store(request), flt, f, size, settings.search.facet_timeout, prefix) for f in field]})

    @app.get("/api/v1/typical/signatures", tags=["analysis"])
    def typical_signatures(request: Request) -> JSON:
        """The catalogue of typical-error signatures: id, title, query, description, causes."""
        return JSON({"ok": True, "signatures": [s.describe() for s in request.app.state.typical]})

    @app.get("/api/v1/typical", tags=["analysis"])
    def typical(request: Request, q: Q = "", since: Since = None, until: Until = None,
                signature: Annotated[list[str] | None, Query(max_length=200)] = None,
                buckets: Annotated[int | None, Query(ge=2, le=1000)] = None) -> JSON:
        """Typical errors among the matching lines: per signature its total, a time series per
        program, and the newest example line."""
        chosen = pick(request.app.state.typical, signature)
        result = typical_stats(store(request), chosen, S.Filter.from_text(q, since, until),
                               buckets or settings.search.histogram_buckets)
        return JSON({"ok": True, **result})

    @app.get("/api/v1/templates", tags=["analysis"])
    def templates(request: Request, q: Q = "", since: Since = None, until: Until = None,
                  size: Annotated[int, Query(ge=1, le=10_000)] = 50,
                  buckets: Annotated[int | None, Query(ge=2, le=1000)] = None) -> JSON:
        """The log templates of the matching lines, the most lines first: text, lines in the range
        (with a time series when `buckets` is given), all lines so far, first and last seen. The
        lines of one are `template_id:<id>` in the query language."""
        result = template_counts(store(request), request.app.state.meta, S.Filter.from_text(q, since, until), size,
                                 buckets)
        return JSON({"ok": True, **result})

    @app.get("/api/v1/templates/{template_id}", tags=["analysis"])
    def template(request: Request, template_id: int) -> JSON:
        """One log template with its examples (under tenant scoping, those of the reader's lines)."""
        detail = template_detail(request.app.state.meta, template_id)
        if project_scope.get() is not None:
            detail = template_detail_in_store(store(request), detail)
        return JSON({"ok": True, "template": detail})

    @app.get("/api/v1/crosstab", tags=["analysis"])
    def crosstab_(request: Request, by: Annotated[list[str], Query(min_length=1, max_length=MAX_DIMENSIONS)],
                  q: Q = "", since: Since = None, until: Until = None,
                  size: Annotated[int, Query(ge=1, le=10_000)] = 20,
                  buckets: Annotated[int | None, Query(ge=2, le=1000)] = None) -> JSON:
        """Line counts grouped by one to three fields (`by=host&by=level`), the largest first; with
        `buckets`, a time series for each; with two fields, the cross-tab as a matrix too."""
        return JSON({"ok": True, **crosstab(store(request), S.Filter.from_text(q, since, until), by, size, buckets)})

    @app.get("/api/v1/latency", tags=["analysis"])
    def latency(request: Request, q: Q = "", since: Since = None, until: Until = None,
                route: Annotated[str | None, Query(max_length=4096)] = None,
                size: Annotated[int, Query(ge=1, le=10_000)] = 50, sort: str = "count",
                slowest: Annotated[int, Query(ge=0, le=1000)] = 10,
                buckets: Annotated[int | None, Query(ge=2, le=1000)] = None) -> JSON:
        """API status and latency from the matching access lines: per service, method and route
        the requests, errors, p50/p95/p99/max and status codes; a series over time; the slowest
        requests with their request ids. `sort`: """ + ", ".join(LATENCY_SORTS) + """."""
        result = latency_table(store(request), S.Filter.from_text(q, since, until), route, size, sort, slowest,
                               buckets or settings.search.histogram_buckets)
        return JSON({"ok": True, **result})

    @app.get("/api/v1/chain/{ident}", tags=["analysis"], response_model=None)
    def chain(request: Request, ident: str, format: str = "json") -> JSON | StreamingResponse:
        """The call chain of a global or local request id (`req-` optional) or of an instance UUID:
        every line in time order, grouped into spans. `format=csv` gives the lines as CSV."""
        if format not in ("json", "csv"):
            raise BadRequest("format must be json or csv", field="format")
        result = call_chain(store(request), ident)
        if format == "csv":
            return StreamingResponse(chain_csv(result), media_type="text/csv", headers={
                "Content-Disposition": f'attachment; filename="venus-chain-{result["id"]}.csv"'})
        return JSON({"ok": True, **result})

    @app.get("/api/v1/instances/{uuid}/requests", tags=["analysis"])
    def instance(request: Request, uuid: str) -> JSON:
        """Every request that touched an instance, oldest first."""
        return JSON({"ok": True, **instance_requests(store(request), uuid)})

    @app.get("/api/v1/context/{line_id}", tags=["search"])
    def context(request: Request, line_id: str, before: Annotated[int, Query(ge=0)] = 10,
                after: Annotated[int, Query(ge=0)] = 10) -> JSON:
        """The line and the lines around it in the same file of the same host."""
        most = settings.search.max_context_lines
        for name, value in (("before", before), ("after", after)):
            if value > most:
                raise BadRequest(f"{name}: at most {most} lines", field=name)
        return JSON({"ok": True, **S.context(store(request), line_id, before, after)})

    @app.get("/api/v1/export", tags=["search"])
    def export(request: Request, q: Q = "", since: Since = None, until: Until = None,
               format: str = "ndjson", limit: Annotated[int | None, Query(ge=1)] = None) -> StreamingResponse:
        """Every matching line, streamed as NDJSON or CSV."""
        flt = S.Filter.from_text(q, since, until)
        if format not in S.EXPORT_FORMATS:
            raise BadRequest(f"format must be one of {', '.join(S.EXPORT_FORMATS)}", field="format")
        media = "application/x-ndjson" if format == "ndjson" else "text/csv"
        return StreamingResponse(S.export(store(request), flt, format, limit), media_type=media,
                                 headers={"Content-Disposition": f'attachment; filename="venus-export.{format}"'})

    @app.get("/api/v1/stats", tags=["meta"])
    def stats(request: Request) -> JSON:
        return JSON({"ok": True, **store(request).disk_usage(), "retention_days": store(request).retention_days})

    @app.get("/api/v1/import/checkpoint", tags=["ingest"])
    def checkpoint(request: Request, host: str, path: str, fingerprint: str) -> JSON:
        """Up to which byte this file is already imported."""
        return JSON({"ok": True, "offset": request.app.state.importer.checkpoint(host, path, fingerprint)})

    @app.post("/api/v1/import", tags=["ingest"])
    async def import_chunk(request: Request, path: Annotated[str, Query(min_length=1, max_length=4096)],
                           fingerprint: Annotated[str, Query(min_length=1, max_length=64)],
                           offset: Annotated[int, Query(ge=0)] = 0, final: bool = False,
                           host: Annotated[str, Query(max_length=255)] = "",
                           mtime: float | None = None) -> JSON:
        """Import a chunk of whole lines of a file, starting at byte `offset`. The answer's
        `committed_offset` is where the next chunk starts (docs/api.md, the import protocol)."""
        body = await read_body(request, settings.api.max_body_bytes)
        source = describe_path(path, host or None)
        result = await run_in_threadpool(request.app.state.importer.import_chunk, source, fingerprint,
                                         offset, body, final, mtime)
        return JSON({"ok": True, **result.as_dict()})

    @app.post("/api/v1/parse", tags=["ingest"])
    async def parse_lines(request: Request, source: Annotated[str, Query(max_length=4096)] = "",
                          host: Annotated[str, Query(max_length=255)] = "",
                          format: Annotated[str | None, Query(max_length=64)] = None,
                          timezone: Annotated[str | None, Query(max_length=64)] = None,
                          mtime: float | None = None) -> JSON:
        """How import reads the lines of the body: every record with its fields, `format` and
        `raw`. Nothing is stored. `source` is the path the lines would come from."""
        body = await read_body(request, settings.api.max_parse_bytes, "max_parse_bytes")
        how = Inspection(describe_path(source, host or None) if source else unnamed_source(host),
                         timezone or settings.import_.timezone, mtime, settings.import_.max_line_bytes,
                         format or None)
        records, stats = await run_in_threadpool(inspect_bytes, body, how)
        return JSON({"ok": True, "records": records, "stats": stats.as_dict()})

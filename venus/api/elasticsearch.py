"""The Elasticsearch HTTP subset that log shippers speak: the kolla drop-in.

kolla's fluentd (fluent-plugin-opensearch/elasticsearch), Fluent Bit, Filebeat, Logstash and
Vector write to Elasticsearch with `_bulk`, after a few start-up calls (version, nodes, license,
templates, ILM). This app answers all of them, so that a shipper is switched to Venus by changing
its output host (docs/collecting.md); reference/protocols.md §4b is the specification.

* `GET /` and `HEAD /`: a version document with `X-Elastic-Product: Elasticsearch` (every answer
  has the header; Elastic's clients refuse a server without it). Clients that say they are
  OpenSearch's (User-Agent) get an OpenSearch 2 document instead.
* `POST|PUT /_bulk`, `/{index}/_bulk`, `/{index}/{type}/_bulk`: NDJSON, gzip or not, answered in
  Elasticsearch's shape once the items are committed (`venus.ingest.bulk`).
* `GET /_nodes/http`: this server as the only node (fluentd sniffs it every 10,000 requests).
* Templates, ILM/ISM policies, pipelines, license, cluster health: minimal correct answers;
  nothing is configured by them (retention is Venus's own).

Errors are in Elasticsearch's shape; a store that is behind is a 429 with Retry-After, which
every shipper retries.
"""

from __future__ import annotations

import logging
import time
import uuid
from operator import attrgetter
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from venus import __version__
from venus.api.bodies import read_body
from venus.api.receivers import store_body
from venus.api.responses import JSON
from venus.auth.authenticate import Authenticator
from venus.auth.identity import describe
from venus.auth.keystone import KeystoneUnavailable
from venus.auth.policy import Policy
from venus.config import Settings
from venus.errors import VenusError
from venus.ingest.bulk import parse_bulk
from venus.ingest.writer import Overloaded
from venus.parse.timestamps import now_us

log = logging.getLogger(__name__)

PRODUCT_HEADER = {"X-Elastic-Product": "Elasticsearch"}
CLUSTER_NAME = "venus"
NODE_NAME = "venus-1"
NODE_ID = "venus-node-1"
CLUSTER_UUID = str(uuid.uuid5(uuid.NAMESPACE_URL, "venus"))
ELASTICSEARCH_VERSION = {
    "number": "8.11.0", "build_flavor": "default", "build_type": "venus", "build_hash": __version__,
    "build_date": "2023-11-04T10:04:57Z", "build_snapshot": False, "lucene_version": "9.8.0",
    "minimum_wire_compatibility_version": "7.17.0", "minimum_index_compatibility_version": "7.0.0",
}
OPENSEARCH_VERSION = {
    "distribution": "opensearch", "number": "2.11.0", "build_type": "venus", "build_hash": __version__,
    "build_date": "2023-10-13T02:55:55Z", "build_snapshot": False, "lucene_version": "9.7.0",
    "minimum_wire_compatibility_version": "7.10.0", "minimum_index_compatibility_version": "7.0.0",
}


class EsJSON(JSON):
    """JSON with the product header every Elasticsearch answer carries."""

    def __init__(self, content: Any, status_code: int = 200, headers: dict | None = None) -> None:
        super().__init__(content, status_code, {**PRODUCT_HEADER, **(headers or {})})


def es_error(status: int, kind: str, reason: str, headers: dict | None = None) -> EsJSON:
    cause = {"type": kind, "reason": reason}
    return EsJSON({"error": {"root_cause": [cause], **cause}, "status": status}, status, headers)


_ERROR_TYPES = {400: "illegal_argument_exception", 401: "security_exception", 404: "resource_not_found_exception",
                405: "illegal_argument_exception", 413: "content_too_long_exception",
                429: "es_rejected_execution_exception", 503: "unavailable_shards_exception"}


def elasticsearch_app(settings: Settings, authenticator: Authenticator, policy: Policy) -> FastAPI:
    """The app, to mount under `[receivers] elasticsearch_path` and to serve on its own port. Its
    `state.writer` and `state.pool` are set by the server once the store is open."""
    app = FastAPI(title="Venus: Elasticsearch-compatible ingest", version=__version__, openapi_url=None,
                  docs_url=None, redoc_url=None, default_response_class=EsJSON)
    limit = settings.api.max_body_bytes

    @app.middleware("http")
    async def authenticate(request: Request, call_next):  # type: ignore[no-untyped-def]
        try:
            identity = await authenticator.identify(request.headers)
        except KeystoneUnavailable as exc:
            return es_error(503, "unavailable_shards_exception", f"{exc.message}: try again later")
        if identity is None:
            return es_error(401, "security_exception", "missing authentication credentials: send the "
                            "token as 'Authorization: ApiKey <token>', Basic auth password or Bearer",
                            {"WWW-Authenticate": 'Basic realm="venus"'})
        if not policy.allows("venus:logs:ingest", identity):
            return es_error(403, "security_exception", f"the policy rule venus:logs:ingest does not allow "
                            f"{describe(identity)}")
        return await call_next(request)

    @app.exception_handler(VenusError)
    async def venus_error(request: Request, exc: VenusError) -> EsJSON:
        headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, Overloaded) else None
        field = f" [{exc.field}]" if exc.field else ""
        return es_error(exc.status, _ERROR_TYPES.get(exc.status, "exception"), f"{exc.message}{field}", headers)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> EsJSON:
        first = exc.errors()[0] if exc.errors() else {}
        return es_error(400, "illegal_argument_exception", str(first.get("msg", "invalid request")))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> EsJSON:
        return es_error(exc.status_code, _ERROR_TYPES.get(exc.status_code, "exception"), str(exc.detail))

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> EsJSON:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return es_error(500, "exception", "internal error; the server log has the details")

    @app.api_route("/", methods=["GET", "HEAD"])
    def root(request: Request) -> EsJSON:
        opensearch = "opensearch" in request.headers.get("user-agent", "").lower()
        return EsJSON({"name": NODE_NAME, "cluster_name": CLUSTER_NAME, "cluster_uuid": CLUSTER_UUID,
                       "version": OPENSEARCH_VERSION if opensearch else ELASTICSEARCH_VERSION,
                       "tagline": "The OpenSearch Project: https://opensearch.org/" if opensearch
                       else "You Know, for Search"})

    @app.get("/_nodes")
    @app.get("/_nodes/http")
    @app.get("/_nodes/_all/http")
    def nodes(request: Request) -> EsJSON:
        address = request.headers.get("host") or f"{request.url.hostname}:{request.url.port}"
        return EsJSON({"_nodes": {"total": 1, "successful": 1, "failed": 0}, "cluster_name": CLUSTER_NAME,
                       "nodes": {NODE_ID: {"name": NODE_NAME, "host": request.url.hostname, "ip": request.url.hostname,
                                           "version": ELASTICSEARCH_VERSION["number"], "roles": ["data", "ingest"],
                                           "http_address": address,
                                           "http": {"publish_address": address, "bound_address": [address]}}}})

    @app.api_route("/_bulk", methods=["POST", "PUT"])
    @app.api_route("/{index}/_bulk", methods=["POST", "PUT"])
    @app.api_route("/{index}/{doc_type}/_bulk", methods=["POST", "PUT"])
    async def bulk(request: Request, index: str | None = None, doc_type: str | None = None) -> EsJSON:
        started = time.perf_counter()
        batch = await store_body(request, limit, parse_bulk, index, settings.import_.timezone, now_us(),
                                 table=attrgetter("table"))
        return EsJSON({"took": int((time.perf_counter() - started) * 1000), "errors": batch.errors,
                       "items": batch.items})

    @app.get("/_license")
    def license_() -> EsJSON:
        return EsJSON({"license": {"status": "active", "uid": CLUSTER_UUID, "type": "basic",
                                   "issue_date_in_millis": 0, "max_nodes": 1000, "issued_to": CLUSTER_NAME,
                                   "issuer": "venus", "start_date_in_millis": -1}})

    @app.get("/_xpack")
    def xpack() -> EsJSON:
        return EsJSON({"build": {"hash": __version__}, "license": {"status": "active", "type": "basic"},
                       "features": {}})

    @app.get("/_cluster/health")
    @app.get("/_cluster/health/{index}")
    def health(index: str | None = None) -> EsJSON:
        return EsJSON({"cluster_name": CLUSTER_NAME, "status": "green", "timed_out": False, "number_of_nodes": 1,
                       "number_of_data_nodes": 1, "active_primary_shards": 1, "active_shards": 1,
                       "relocating_shards": 0, "initializing_shards": 0, "unassigned_shards": 0,
                       "delayed_unassigned_shards": 0, "number_of_pending_tasks": 0,
                       "number_of_in_flight_fetch": 0, "task_max_waiting_in_queue_millis": 0,
                       "active_shards_percent_as_number": 100.0})

    # Set-up calls: accepted and answered, configuring nothing (Venus keeps its own schema and
    # retention). A GET of one says it exists, so that shippers do not try to create it again.
    settings_paths = ("/_index_template/{name}", "/_template/{name}", "/_component_template/{name}",
                      "/_ilm/policy/{name}", "/_ingest/pipeline/{name}", "/_plugins/_ism/policies/{name}",
                      "/_opendistro/_ism/policies/{name}", "/_data_stream/{name}", "/_logstash/pipeline/{name}")

    async def setting(request: Request, name: str) -> Response:
        if request.method == "HEAD":
            return Response(status_code=200, headers=PRODUCT_HEADER)
        if request.method == "GET":
            kind = request.url.path.rsplit("/", 2)[-2].lstrip("_")
            return EsJSON({name: {}} if kind not in ("index_template", "component_template") else
                          {f"{kind}s": [{"name": name, kind: {}}]})
        await read_body(request, limit)  # read (and bounded), not applied
        return EsJSON({"acknowledged": True})

    for path in settings_paths:
        app.add_api_route(path, setting, methods=["GET", "HEAD", "PUT", "POST", "DELETE"], include_in_schema=False)

    @app.api_route("/{index}", methods=["PUT", "HEAD"], include_in_schema=False)
    async def create_index(request: Request, index: str) -> Response:
        if request.method == "HEAD":
            return Response(status_code=200, headers=PRODUCT_HEADER)
        await read_body(request, limit)
        return EsJSON({"acknowledged": True, "shards_acknowledged": True, "index": index})

    return app

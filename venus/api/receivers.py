"""Receivers on the API port that speak other products' HTTP: OTLP/HTTP logs, Loki push, JSON lines.

Each reads its body within `[api] max_body_bytes` (gzip too), turns it into records (in a worker
process when large: `venus.ingest.otlp`, `.loki`, `.jsonlines`), and answers once they are
committed, in the shape its clients expect: OTLP 200 with an ExportLogsServiceResponse, Loki 204,
JSON lines our own `{"ok": true, "accepted": N}`. A store that is behind is a 429 with Retry-After,
which every one of those clients retries. The Elasticsearch subset is an app of its own
(`venus.api.elasticsearch`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Annotated, TypeVar

import pyarrow as pa
from fastapi import FastAPI, Query, Request
from starlette.responses import Response

from venus.api.bodies import read_body
from venus.api.responses import JSON
from venus.api.v1 import OTLP_PATH
from venus.config import Settings
from venus.errors import UnsupportedMediaType
from venus.ingest.jsonlines import jsonlines_table
from venus.ingest.loki import loki_table
from venus.ingest.otlp import otlp_table
from venus.parse.timestamps import now_us

T = TypeVar("T")
PROTOBUF = "application/x-protobuf"


def media_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";", 1)[0].strip().lower()


async def store_body(request: Request, limit: int, parse: Callable[..., T], *args: object,
                     table: Callable[[T], pa.Table] = lambda parsed: parsed,
                     plain_encodings: tuple[str, ...] = ()) -> T:
    """How an HTTP receiver stores its body: refused at once when the writer is full (a server
    that is behind does not read what it would refuse), read within `limit`, parsed by
    `parse(body, *args)` (in a worker when large), committed; the parse's result. `table` picks
    the records out of it."""
    state = request.app.state
    state.writer.check_room()
    body = await read_body(request, limit, plain_encodings=plain_encodings)
    parsed = await state.pool.run_async(len(body), parse, body, *args)
    await asyncio.wrap_future(state.writer.submit(table(parsed)))
    return parsed


def mount_receivers(app: FastAPI, settings: Settings) -> None:
    limit = settings.api.max_body_bytes
    timezone = settings.import_.timezone

    @app.post(OTLP_PATH, tags=["ingest"], response_model=None)
    @app.post("/otlp/v1/logs", tags=["ingest"], response_model=None, include_in_schema=False)
    async def otlp_logs(request: Request) -> Response:
        """OTLP/HTTP logs (ExportLogsServiceRequest, protobuf or JSON). Point an OpenTelemetry
        exporter's logs endpoint here."""
        kind = media_type(request)
        if kind not in (PROTOBUF, "application/protobuf", "application/json"):
            raise UnsupportedMediaType(f"Content-Type {kind or 'none'!r}: OTLP/HTTP is application/x-protobuf "
                                       "or application/json", field="Content-Type")
        json = kind == "application/json"
        await store_body(request, limit, otlp_table, json, timezone, now_us())
        # An ExportLogsServiceResponse with nothing rejected: empty in either encoding.
        return JSON({}) if json else Response(b"", media_type=PROTOBUF)

    @app.post("/loki/api/v1/push", tags=["ingest"], status_code=204, response_model=None)
    @app.post("/api/prom/push", tags=["ingest"], status_code=204, response_model=None, include_in_schema=False)
    async def loki_push(request: Request) -> Response:
        """Loki push: JSON, or snappy-compressed protobuf (Promtail, Alloy, Vector, Fluent Bit)."""
        kind = media_type(request)
        if kind not in ("application/json", PROTOBUF, ""):
            raise UnsupportedMediaType(f"Content-Type {kind!r}: Loki push is application/x-protobuf (snappy) "
                                       "or application/json", field="Content-Type")
        await store_body(request, limit, loki_table, kind != "application/json", timezone, now_us(), limit,
                         plain_encodings=("snappy",))  # the protobuf body is snappy whatever the header says
        return Response(status_code=204)

    @app.post("/api/v1/ingest", tags=["ingest"])
    async def ingest_lines(request: Request, source: Annotated[str, Query(max_length=4096)] = "") -> JSON:
        """JSON lines: one event per line, fields named as any shipper names them (docs/collecting.md);
        a line that is not a JSON object is stored as it came. `source` names where they come from."""
        table = await store_body(request, limit, jsonlines_table, source, timezone, now_us())
        return JSON({"ok": True, "accepted": table.num_rows})

"""Request bodies read within their limit, compressed ones included (a gzip bomb stops at the limit)."""

from __future__ import annotations

import orjson
from starlette.requests import Request

from venus.errors import BadRequest, PayloadTooLarge
from venus.ingest.compression import inflate


async def read_body(request: Request, limit: int, option: str = "max_body_bytes",
                    plain_encodings: tuple[str, ...] = ()) -> bytes:
    """The body, decompressed when Content-Encoding says gzip or deflate; over `limit` bytes
    (sent or decompressed) is a 413 that names the `[api] option`. `plain_encodings` are
    encodings the caller opens itself (Loki's snappy)."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise PayloadTooLarge(f"the body is {declared} bytes; the limit is {limit} ([api] {option})",
                              field="body")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise PayloadTooLarge(f"the body is over {limit} bytes ([api] {option})", field="body")
        chunks.append(chunk)
    body = b"".join(chunks)
    encoding = request.headers.get("content-encoding", "").strip().lower()
    if encoding in ("", "identity", *plain_encodings):
        return body
    if encoding in ("gzip", "x-gzip", "deflate"):
        return inflate(body, limit, f"[api] {option}", gzip=encoding != "deflate")
    raise BadRequest(f"Content-Encoding {encoding!r} is not supported: send gzip, deflate or none",
                     field="Content-Encoding")


MAX_JSON_BODY = 1 << 20  # rules, channels, settings: far below this


async def json_object(request: Request, limit: int = MAX_JSON_BODY, option: str = "max_body_bytes") -> dict:
    """A JSON object body (rules, channels, settings); anything else is a 400 naming `body`, a
    body over `limit` a 413 naming the `[api] option`."""
    raw = await read_body(request, limit, option)
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise BadRequest(f"body: not valid JSON ({exc})", field="body") from None
    if not isinstance(data, dict):
        raise BadRequest("body: expected a JSON object", field="body")
    return data

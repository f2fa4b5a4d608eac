"""Request bodies read within their limit, compressed ones included (a gzip bomb stops at the limit)."""

from __future__ import annotations

import zlib

from starlette.requests import Request

from venus.errors import BadRequest, PayloadTooLarge

_INFLATE_STEP = 1 << 20


async def read_body(request: Request, limit: int, option: str = "max_body_bytes") -> bytes:
    """The body, decompressed when Content-Encoding says gzip or deflate; over `limit` bytes
    (sent or decompressed) is a 413 that names the `[api] option`."""
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
    if encoding in ("", "identity"):
        return body
    if encoding in ("gzip", "x-gzip", "deflate"):
        return inflate(body, limit, option, gzip=encoding != "deflate")
    raise BadRequest(f"Content-Encoding {encoding!r} is not supported: send gzip, deflate or none",
                     field="Content-Encoding")


def inflate(data: bytes, limit: int, option: str = "max_body_bytes", gzip: bool = True) -> bytes:
    """gzip (every member of a multi-member stream) or zlib data, refused past `limit` bytes out."""
    out: list[bytes] = []
    size = 0
    rest = data
    while rest:
        inflater = zlib.decompressobj(31 if gzip else 15)
        try:
            while rest:
                piece = inflater.decompress(rest, _INFLATE_STEP)
                rest = inflater.unconsumed_tail
                size += len(piece)
                if size > limit:
                    raise PayloadTooLarge(f"the body is over {limit} bytes once decompressed ([api] {option})",
                                          field="body")
                out.append(piece)
                if inflater.eof:
                    break
        except zlib.error as exc:
            raise BadRequest(f"the body is not valid {'gzip' if gzip else 'deflate'} data: {exc}",
                             field="Content-Encoding") from None
        if not inflater.eof:
            raise BadRequest("the compressed body is truncated", field="Content-Encoding")
        rest = inflater.unused_data
    return b"".join(out)

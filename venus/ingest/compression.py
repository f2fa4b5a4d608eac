"""Compressed payloads opened within a limit, so that a small bomb cannot become a large buffer.

Every receiver takes compressed input: HTTP bodies (`Content-Encoding: gzip`), Forward's
CompressedPackedForward (gzip members, zstd), Loki's snappy. Each is decompressed here, in
steps, and refused as soon as the output passes the limit.
"""

from __future__ import annotations

import zlib

import zstandard

from venus.errors import BadRequest, PayloadTooLarge

_STEP = 1 << 20
_ZSTD_STEP = 512


def _too_large(limit: int, option: str) -> PayloadTooLarge:
    return PayloadTooLarge(f"the body is over {limit} bytes once decompressed ({option})", field="body")


def inflate(data: bytes, limit: int, option: str, gzip: bool = True) -> bytes:
    """gzip (every member of a multi-member stream) or zlib data, refused past `limit` bytes out.
    `option` names the setting that sets the limit, for the error."""
    out: list[bytes] = []
    size = 0
    rest = data
    while rest:
        inflater = zlib.decompressobj(31 if gzip else 15)
        try:
            while rest:
                piece = inflater.decompress(rest, _STEP)
                rest = inflater.unconsumed_tail
                size += len(piece)
                if size > limit:
                    raise _too_large(limit, option)
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


def unzstd(data: bytes, limit: int, option: str) -> bytes:
    """zstd data (one frame or several), refused past `limit` bytes out."""
    out: list[bytes] = []
    size = 0
    rest = data
    try:
        while rest:
            inflater = zstandard.ZstdDecompressor().decompressobj()
            at = 0
            # No output cap here: small input steps bound what one call makes (a block of 128 KiB
            # can come from 4 bytes, so 512 input bytes make at most 16 MiB).
            while at < len(rest) and not inflater.eof:
                piece = inflater.decompress(rest[at:at + _ZSTD_STEP])
                at += _ZSTD_STEP
                size += len(piece)
                if size > limit:
                    raise _too_large(limit, option)
                out.append(piece)
            if not inflater.eof:
                raise BadRequest("the compressed body is truncated", field="Content-Encoding")
            rest = inflater.unused_data + rest[at:]
    except zstandard.ZstdError as exc:
        raise BadRequest(f"the body is not valid zstd data: {exc}", field="Content-Encoding") from None
    return b"".join(out)

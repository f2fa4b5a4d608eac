"""JSON as Venus writes it everywhere (API, exports, the CLI): times in RFC 3339 UTC with 'Z'."""

from __future__ import annotations

from typing import Any

import orjson

OPTIONS = orjson.OPT_NAIVE_UTC | orjson.OPT_UTC_Z | orjson.OPT_NON_STR_KEYS


def dumps(content: Any) -> bytes:
    return orjson.dumps(content, option=OPTIONS)

"""Where a client may put its token."""

from __future__ import annotations

import base64
import binascii

from starlette.datastructures import Headers


def presented_token(headers: Headers) -> str:
    """The token a request carries: `X-Auth-Token`, `Authorization: Bearer <token>`, and for log
    shippers, which speak Elasticsearch's schemes, `ApiKey <token>` or Basic auth with the token
    as the password (any user name)."""
    given = headers.get("x-auth-token") or ""
    scheme, _, value = headers.get("authorization", "").partition(" ")
    scheme, value = scheme.lower(), value.strip()
    if scheme in ("bearer", "apikey"):
        return value
    if scheme == "basic":
        try:
            return base64.b64decode(value, validate=True).decode("utf-8").partition(":")[2]
        except (binascii.Error, UnicodeDecodeError):
            return ""
    return given

"""The static API token ([api] auth_token): where a client may put it, and the check."""

from __future__ import annotations

import base64
import binascii
import hmac

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


def token_accepted(expected: str, given: str) -> bool:
    """True when no token is configured, or `given` is it (compared in constant time)."""
    return not expected or hmac.compare_digest(given.encode(), expected.encode())

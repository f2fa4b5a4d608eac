"""Keystone tokens, validated by keystonemiddleware's `AuthProtocol` as every OpenStack service
does: its `[keystone_authtoken]` options, its token cache (in the process or memcached), its
service-user login. It is called through its public WSGI interface: a request made of the token
alone goes in, and when the token is valid the inner app sees the identity headers that
keystonemiddleware set (X-User-Id, X-Project-Id, X-Roles…). Identity headers a client sends never
reach it, so they cannot be spoofed. Validation may block on Keystone: callers run it in a thread."""

from __future__ import annotations

import io
import logging
import threading
from collections.abc import Iterable

from keystonemiddleware.auth_token import AuthProtocol

from venus.auth.identity import Identity
from venus.errors import StoreUnavailable

log = logging.getLogger(__name__)


class KeystoneUnavailable(StoreUnavailable):
    """Keystone cannot tell whether a token is valid (down, misconfigured): a 503, never a 401."""


def middleware_options(options: dict[str, object]) -> dict[str, str]:
    """`[keystone_authtoken]` as keystonemiddleware reads it: text values, the empty ones left to
    its defaults, and the decision never delayed (a token is valid or the request is refused)."""
    conf = {name: ("true" if value else "false") if isinstance(value, bool) else str(value)
            for name, value in options.items() if value not in ("", None)}
    return {**conf, "delay_auth_decision": "false", "log_name": "venus.keystone"}


class KeystoneValidator:
    def __init__(self, options: dict[str, object]) -> None:
        self._seen = threading.local()

        def inner(environ: dict, start_response) -> Iterable[bytes]:  # type: ignore[no-untyped-def]
            self._seen.environ = environ  # reached only with a valid token
            start_response("204 No Content", [])
            return []

        self._protocol = AuthProtocol(inner, middleware_options(options))

    def identify(self, token: str) -> Identity | None:
        """Who the token is; None when Keystone says it is not valid (bogus, expired, revoked);
        KeystoneUnavailable when Keystone cannot say."""
        environ = {"REQUEST_METHOD": "GET", "SCRIPT_NAME": "", "PATH_INFO": "/", "SERVER_NAME": "venus",
                   "SERVER_PORT": "0", "SERVER_PROTOCOL": "HTTP/1.1", "wsgi.url_scheme": "http",
                   "wsgi.input": io.BytesIO(), "wsgi.errors": io.StringIO(), "HTTP_X_AUTH_TOKEN": token}
        status: list[str] = []
        self._seen.environ = None
        try:
            for _ in self._protocol(environ, lambda s, headers, exc_info=None: status.append(s)):
                pass
        except Exception as exc:  # noqa: BLE001 (keystoneauth's own failures: no endpoint, refused connection…)
            log.warning("Keystone could not validate a token: %s", exc)
            raise KeystoneUnavailable(f"Keystone could not validate the token: {type(exc).__name__}") from None
        seen = self._seen.environ
        if seen is not None and seen.get("HTTP_X_IDENTITY_STATUS") == "Confirmed":
            roles = tuple(r.strip() for r in (seen.get("HTTP_X_ROLES") or "").split(",") if r.strip())
            return Identity(seen.get("HTTP_X_USER_ID") or "", seen.get("HTTP_X_PROJECT_ID") or "", roles, "keystone",
                            seen.get("HTTP_X_USER_NAME") or "", seen.get("HTTP_X_PROJECT_NAME") or "")
        if status and status[0].startswith("401"):
            return None
        raise KeystoneUnavailable(f"Keystone could not validate the token ({status[0] if status else 'no answer'})")

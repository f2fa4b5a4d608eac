"""Authentication: from a request's headers to its `Identity`, or None (a 401).

`[api] auth_strategy`:
- noauth: as the original Venus, no token is needed and /v1 reads any X-Auth-Token as
  user:project; when `[api] auth_token` is set, that token or an API token is needed.
- token: every request needs `[api] auth_token` or an API token (`venus tokens create`).
- keystone: every request needs a Keystone token (venus.auth.keystone), `[api] auth_token` or an
  API token (the agent and log shippers, which have no Keystone user).

A token that looks like an API token (vns_…) and is unknown, revoked or expired is refused under
every strategy: a client presenting one expects it to count."""

from __future__ import annotations

import hmac

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers

from venus.auth.identity import CONFIG_TOKEN, Identity, noauth_identity
from venus.auth.keystone import KeystoneValidator
from venus.auth.presented import presented_token
from venus.auth.tokens import TokenChecker, is_api_token


class Authenticator:
    def __init__(self, strategy: str, config_token: str, tokens: TokenChecker | None = None,
                 keystone: KeystoneValidator | None = None) -> None:
        self.strategy = strategy
        self.config_token = config_token
        self.tokens = tokens  # set once the metadata store is open
        self.keystone = keystone

    @property
    def open(self) -> bool:
        """Whether a request without a token is let in."""
        return self.strategy == "noauth" and not self.config_token

    async def identify(self, headers: Headers) -> Identity | None:
        """Who sent the request, or None; KeystoneUnavailable when Keystone cannot tell. A token
        that may need the metadata store or Keystone is checked in a worker thread, the others
        (none, the configured one, noauth's) here, so most requests never leave the event loop."""
        given = presented_token(headers)
        if is_api_token(given) or (self.keystone is not None and given and not self._is_config_token(given)):
            return await run_in_threadpool(self._identify, given)
        return self._identify(given)

    def _is_config_token(self, given: str) -> bool:
        return bool(self.config_token) and hmac.compare_digest(given.encode(), self.config_token.encode())

    def _identify(self, given: str) -> Identity | None:
        if given and self._is_config_token(given):
            return CONFIG_TOKEN
        if is_api_token(given):
            return self.tokens.identity(given) if self.tokens is not None else None
        if self.keystone is not None and given:
            return self.keystone.identify(given)
        return noauth_identity(given) if self.open else None

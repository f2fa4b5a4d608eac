"""`LogClient`: Venus's HTTP API through a keystoneauth session, which adds the token (and renews
it) as for every other OpenStack client."""

from __future__ import annotations

from typing import Any

from keystoneauth1 import exceptions as ks_exceptions
from osc_lib import exceptions


class LogClient:
    def __init__(self, session: Any, endpoint: str) -> None:
        self.session = session
        self.endpoint = endpoint.rstrip("/")

    def get(self, path: str, **params: Any) -> dict:
        """The JSON answer of GET `path`; an error answer becomes a CommandError with Venus's words."""
        query = {k: v for k, v in params.items() if v is not None}
        try:
            answer = self.session.get(f"{self.endpoint}{path}", params=query, raise_exc=False,
                                      headers={"Accept": "application/json"})
        except ks_exceptions.ConnectFailure as exc:
            raise exceptions.CommandError(f"cannot reach Venus at {self.endpoint}: {exc}") from exc
        try:
            body = answer.json()
        except ValueError:
            body = {"error": answer.text[:500]}
        if answer.status_code >= 400:
            field = f" ({body['field']})" if body.get("field") else ""
            raise exceptions.CommandError(f"Venus answered {answer.status_code}: {body.get('error')}{field}")
        return body

"""Named errors. Each carries the HTTP status the API answers with and, where a request field
is at fault, that field's name; venus.api.errors turns them into one JSON shape."""

from __future__ import annotations

from pathlib import Path


class VenusError(Exception):
    status = 500

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class BadRequest(VenusError):
    status = 400


class ParseError(BadRequest):
    """A query that does not parse; `position` is the 0-based character offset of the problem."""

    def __init__(self, message: str, position: int, query: str, field: str = "q") -> None:
        pointer = f"{query}\n{' ' * position}^"
        super().__init__(f"{message} at position {position}\n{pointer}", field)
        self.position = position
        self.reason = message


class Forbidden(VenusError):
    status = 403


class NotFound(VenusError):
    status = 404


class PayloadTooLarge(VenusError):
    status = 413


class UnsupportedMediaType(VenusError):
    status = 415


class TooManyRequests(VenusError):
    status = 429


class QueryTimeout(VenusError):
    status = 504


class StoreUnavailable(VenusError):
    status = 503


class StoreLocked(StoreUnavailable):
    def __init__(self, data_dir: Path, holder: dict) -> None:
        who = f"{holder.get('role', 'another venus process')} (pid {holder.get('pid', '?')})"
        if holder.get("url"):
            who += f" serving {holder['url']}"
        hint = (f"; talk to it with --url {holder['url']} (or VENUS_URL), or stop it first"
                if holder.get("url") else "; stop it first")
        super().__init__(f"the data directory {data_dir} is in use by {who}{hint}")
        self.holder = holder

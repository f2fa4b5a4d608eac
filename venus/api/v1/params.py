"""Reading /v1 requests the way the original Venus's clients send them, and its two error shapes.

Every value arrives as a string. The stock python-venusclient sends unset options as the string
"None" and free text under the misspelt key `querry`; both are accepted (docs/v1-api.md). Bad
input the original answered with `{"code": -1, "msg": "invalid param"}` still gets that envelope
(with `field` and `detail` added); input that crashed it (a 500 traceback) gets the 400 it meant
to send, `{"badRequest": {"code": 400, "message": ...}}`.
"""

from __future__ import annotations

import math
from datetime import datetime, timezone

from starlette.datastructures import QueryParams

from venus.errors import VenusError
from venus.query.families import FAMILIES

ABSENT = ("", "None", "null")
INDEX_TYPES = FAMILIES


class InvalidParam(VenusError):
    """Answered with HTTP 200 and the original's envelope: code -1, msg "invalid param"."""

    status = 200

    def __init__(self, field: str, detail: str, msg: str = "invalid param", code: int = -1) -> None:
        super().__init__(detail, field)
        self.msg = msg
        self.code = code


class BadV1Request(VenusError):
    """Answered with HTTP 400 and the original's intended fault body."""

    status = 400


class V1Params:
    def __init__(self, query: QueryParams) -> None:
        self.query = query

    def text(self, name: str, *aliases: str) -> str | None:
        """The value, or None when absent, empty or the string "None"."""
        for key in (name, *aliases):
            value = self.query.get(key)
            if value is not None and value.strip() not in ABSENT:
                return value.strip()
        return None

    def epoch(self, name: str, required: bool = True, crash_was_500: bool = True) -> datetime | None:
        """Unix seconds (an integer, or a float as Horizon's JavaScript sends) as a UTC time."""
        raw = self.text(name)
        if raw is None:
            if not required:
                return None
            if crash_was_500:
                raise BadV1Request(f"{name} is required (Unix seconds)", field=name)
            raise InvalidParam(name, f"{name} is required (Unix seconds)")
        try:
            value = float(raw)
            if not math.isfinite(value) or not 0 <= value < 253402300800:  # up to 9999-12-31
                raise ValueError
        except ValueError:
            raise BadV1Request(f"{name}: {raw[:40]!r} is not a time in Unix seconds", field=name) from None
        return datetime.fromtimestamp(int(value), timezone.utc)

    def integer(self, name: str, default: int | None, low: int, high: int) -> int:
        raw = self.text(name)
        if raw is None:
            if default is None:
                raise InvalidParam(name, f"{name} is required")
            return default
        try:
            value = int(raw)
        except ValueError:
            raise InvalidParam(name, f"{name}: {raw[:40]!r} is not a whole number") from None
        if not low <= value <= high:
            raise InvalidParam(name, f"{name} must be between {low} and {high}")
        return value

    def choice(self, name: str, choices: tuple[str, ...], default: str | None = None) -> str:
        value = self.text(name) or default
        if value not in choices:
            raise InvalidParam(name, f"{name} must be one of {', '.join(choices)}")
        return value

    def index_type(self) -> str:
        """flog (OpenStack service logs) or slog (system logs); flog when absent or empty."""
        return self.choice("index_type", INDEX_TYPES, "flog")

    def time_window(self, crash_was_500: bool = True) -> tuple[datetime, datetime]:
        start = self.epoch("start_time", crash_was_500=crash_was_500)
        end = self.epoch("end_time", crash_was_500=crash_was_500)
        assert start is not None and end is not None
        if end < start:
            raise InvalidParam("end_time", "end_time is before start_time")
        return start, end

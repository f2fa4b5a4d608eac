"""--since/--until and API time bounds: ISO times, relative durations ('15m', '2d') and 'now'."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

from venus.errors import BadRequest

_RELATIVE = re.compile(r"(\d+(?:\.\d+)?)\s*(s|sec|m|min|h|d|w)", re.I)
_UNITS = {"s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "d": 86400, "w": 604800}


def duration_seconds(value: str | float) -> float:
    """Seconds from user input: a number of seconds, or '90s', '5m', '2h', '1d', '1w'; ValueError
    says what is wrong."""
    if isinstance(value, bool):
        raise ValueError("a duration such as 5m or 300 (seconds)")
    if isinstance(value, int | float):
        seconds = float(value)
    else:
        raw = str(value).strip()
        m = _RELATIVE.fullmatch(raw)
        try:
            seconds = float(m.group(1)) * _UNITS[m.group(2).lower()] if m else float(raw)
        except ValueError:
            raise ValueError(f"{raw[:64]!r} is not a duration; use seconds or 30s, 5m, 2h, 1d, 1w") from None
    if not 0 <= seconds < 10 * 365 * 86400:
        raise ValueError("a duration from 0 to 10 years")
    return seconds


def duration_param(text: str, field: str, most: timedelta) -> timedelta:
    """A request's duration parameter, more than 0 and at most `most`, or a 400 naming `field`."""
    try:
        seconds = duration_seconds(text)
    except ValueError as exc:
        raise BadRequest(f"{field}: {exc}", field=field) from None
    if not 0 < seconds <= most.total_seconds():
        raise BadRequest(f"{field}: more than 0 and at most {most.days}d", field=field)
    return timedelta(seconds=seconds)


def parse_time(text: str | None, field: str, now: datetime | None = None) -> datetime | None:
    """A point in time from user input: '2026-05-06T18:00', '2026-05-06 18:00:00Z', '15m' (ago),
    'now', or epoch seconds. Naive ISO times are UTC."""
    if text is None or not str(text).strip():
        return None
    raw = str(text).strip()
    now = now or datetime.now(timezone.utc)
    if raw.lower() == "now":
        return now
    m = _RELATIVE.fullmatch(raw)
    if m:
        return now - timedelta(seconds=float(m.group(1)) * _UNITS[m.group(2).lower()])
    if re.fullmatch(r"\d{9,11}(\.\d+)?", raw):
        return datetime.fromtimestamp(float(raw), timezone.utc)
    try:
        dt = datetime.fromisoformat(raw.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise BadRequest(f"{field}: {raw!r} is not a time; use ISO 8601 (2026-05-06T18:00:00Z), "
                         "a duration ago (15m, 6h, 2d) or 'now'", field=field) from None
    return dt if dt.tzinfo else dt.replace(tzinfo=timezone.utc)


def time_bounds(since: str | None, until: str | None) -> tuple[datetime | None, datetime | None]:
    start = parse_time(since, "since")
    end = parse_time(until, "until")
    if start and end and start >= end:
        raise BadRequest("since must be before until", field="since")
    return start, end

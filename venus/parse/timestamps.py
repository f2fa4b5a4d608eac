"""Turn the timestamp spellings found in log files into microseconds since the epoch (UTC).

Log lines arrive in time order, so most lines share their second with the line before. Each
converter caches the epoch seconds of the last whole-second prefixes it saw and only adds the
fraction, which keeps the per-line cost to a slice and a dict lookup.
"""

from __future__ import annotations

import calendar
import re
from datetime import datetime, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from venus.errors import BadRequest

MONTHS = {m: i for i, m in enumerate(
    ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), start=1)}

_CACHE_LIMIT = 4096


def zone(name: str, field: str = "timezone") -> tzinfo:
    """The tzinfo for a zone name from the configuration ('UTC', 'Europe/Paris', ...)."""
    if name.upper() in ("UTC", "Z", ""):
        return timezone.utc
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise BadRequest(f"{name!r} is not a time zone (e.g. UTC, Europe/Paris)", field=field) from None


def _fraction_us(frac: str) -> int:
    """'.123' -> 123000, ',5' -> 500000, '' -> 0 (digits past microseconds are dropped)."""
    digits = frac[1:7]
    return int(digits.ljust(6, "0")) if digits else 0


def _offset_seconds(tz: str) -> int:
    """'Z', '+0000', '+02:00', '-0530' -> seconds east of UTC."""
    if tz in ("Z", "z", ""):
        return 0
    sign = -1 if tz[0] == "-" else 1
    digits = tz[1:].replace(":", "")
    return sign * (int(digits[:2]) * 3600 + int(digits[2:4] or 0) * 60)


class TimestampReader:
    """Converts timestamps for one source; naive times are read in `tz`.

    `reference` is "now" for the source (its mtime for a file): syslog timestamps carry no
    year, so they take the reference's year, or the year before when that would put the line
    more than a day after the reference (December lines read in January).
    """

    def __init__(self, tz: tzinfo = timezone.utc, reference: datetime | None = None) -> None:
        self.tz = tz
        self.reference = reference or datetime.now(timezone.utc)
        self._latest = self.reference.timestamp() + 86400  # later than this is last year's line
        self._seconds: dict[tuple[int, int, int, int, int, int, bool], int] = {}
        self._iso_seconds: dict[str, int] = {}

    def _epoch(self, y: int, mo: int, d: int, h: int, mi: int, s: int, as_utc: bool = False) -> int:
        """Epoch seconds of a wall-clock time in the source's zone (or in UTC with `as_utc`)."""
        key = (y, mo, d, h, mi, s, as_utc)
        cached = self._seconds.get(key)
        if cached is None:
            if as_utc or self.tz is timezone.utc:
                cached = calendar.timegm((y, mo, d, h, mi, s, 0, 0, 0))
            else:
                cached = int(datetime(y, mo, d, h, mi, s, tzinfo=self.tz).timestamp())
            if len(self._seconds) > _CACHE_LIMIT:
                self._seconds.clear()
            self._seconds[key] = cached
        return cached

    def iso(self, text: str) -> int | None:
        """'2017-05-16 00:00:00.008', '2024-05-06 18:06:57.123456+00:00', '2015-07-29 17:41:44,747'."""
        rest = text[19:]
        frac = ""
        if rest[:1] in (".", ","):
            after = rest[1:].lstrip("0123456789")
            frac, rest = rest[:len(rest) - len(after)], after
        key = text[:19] + rest  # the zone, when the time has one
        base = self._iso_seconds.get(key)
        if base is None:
            try:
                # A line with its own zone ('Z', '+00:00') is read in that zone, not the source's.
                base = self._epoch(int(text[0:4]), int(text[5:7]), int(text[8:10]),
                                   int(text[11:13]), int(text[14:16]), int(text[17:19]), as_utc=bool(rest))
                base -= _offset_seconds(rest) if rest else 0
            except (ValueError, IndexError):
                return None
            if len(self._iso_seconds) > _CACHE_LIMIT:
                self._iso_seconds.clear()
            self._iso_seconds[key] = base
        return base * 1_000_000 + (_fraction_us(frac) if frac else 0)

    def syslog(self, text: str) -> int | None:
        """'Jun 14 15:16:01' or 'Jun  9 06:06:20' (no year; see the class doc)."""
        month = MONTHS.get(text[0:3])
        if month is None:
            return None
        try:
            day, h, mi, s = int(text[4:6]), int(text[7:9]), int(text[10:12]), int(text[13:15])
            year = self.reference.year
            epoch = self._epoch(year, month, day, h, mi, s)
            if epoch > self._latest:
                epoch = self._epoch(year - 1, month, day, h, mi, s)
        except ValueError:
            return None
        return epoch * 1_000_000 + _fraction_us(text[15:22] if text[15:16] == "." else "")

    def ctime(self, text: str) -> int | None:
        """'Thu Apr 11 09:46:39 2019' and Apache's 'Sun Dec 04 04:47:44.123456 2005'."""
        parts = text.split()
        if len(parts) != 5 or parts[1] not in MONTHS:
            return None
        hms, _, frac = parts[3].partition(".")
        try:
            h, mi, s = (int(x) for x in hms.split(":"))
            epoch = self._epoch(int(parts[4]), MONTHS[parts[1]], int(parts[2]), h, mi, s)
        except ValueError:
            return None
        return epoch * 1_000_000 + (_fraction_us("." + frac) if frac else 0)

    def apache(self, text: str) -> int | None:
        """'10/Oct/2000:13:55:36 -0700' (also HAProxy's '06/Feb/2009:12:14:14.655')."""
        month = MONTHS.get(text[3:6])
        if month is None:
            return None
        rest = text[20:]
        frac = ""
        if rest[:1] == ".":
            frac, _, rest = rest.partition(" ")
        elif rest[:1] == " ":
            rest = rest[1:]
        try:
            epoch = self._epoch(int(text[7:11]), month, int(text[0:2]),
                                int(text[12:14]), int(text[15:17]), int(text[18:20]), as_utc=bool(rest))
            shift = _offset_seconds(rest) if rest else 0
        except (ValueError, IndexError):
            return None
        return (epoch - shift) * 1_000_000 + _fraction_us(frac)

    def compact(self, text: str) -> int | None:
        """'081109 203615' (yymmdd hhmmss, HDFS) and '240506 18:06:57' (old MySQL)."""
        t = text.replace(":", "").replace(" ", "")
        if len(t) != 12 or not t.isdigit():
            return None
        try:
            epoch = self._epoch(2000 + int(t[0:2]), int(t[2:4]), int(t[4:6]),
                                int(t[6:8]), int(t[8:10]), int(t[10:12]))
        except ValueError:
            return None
        return epoch * 1_000_000

    def erlang(self, text: str) -> int | None:
        """RabbitMQ's old '6-May-2024::18:06:57'."""
        m = _ERLANG.match(text)
        if not m or m.group(2) not in MONTHS:
            return None
        try:
            epoch = self._epoch(int(m.group(3)), MONTHS[m.group(2)], int(m.group(1)),
                                int(m.group(4)), int(m.group(5)), int(m.group(6)))
        except ValueError:
            return None
        return epoch * 1_000_000


_ERLANG = re.compile(r"(\d{1,2})-(\w{3})-(\d{4})::(\d\d):(\d\d):(\d\d)")


def now_us() -> int:
    return int(datetime.now(timezone.utc).timestamp() * 1_000_000)

"""Weekly windows ('mon-fri 08:00-20:00' in a zone): when a scheduled threshold applies and when
a maintenance window silences. Pure functions of a time."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
Day = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


def _clock(text: str) -> str:
    try:
        time.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{text[:16]!r} is not a time of day such as 08:00") from None
    if len(text) != 5:
        raise ValueError(f"{text[:16]!r}: write hours and minutes, HH:MM")
    return text


def zone_name(text: str) -> str:
    try:
        ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"{text[:64]!r} is not a time zone such as UTC or Asia/Shanghai") from None
    return text


Clock = Annotated[str, AfterValidator(_clock)]
Zone = Annotated[str, AfterValidator(zone_name)]


class WeeklyWindow(BaseModel):
    """Days of the week and a time of day from `from` to `to` (to ≤ from: across midnight)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    days: list[Day] = Field(default_factory=lambda: list(DAYS), min_length=1, max_length=7)
    start: Clock = Field("00:00", alias="from")
    end: Clock = Field("00:00", alias="to")

    def contains(self, local: datetime) -> bool:
        """Whether the local (zone-aware) time falls in the window."""
        start, end, now = time.fromisoformat(self.start), time.fromisoformat(self.end), local.time()
        today = DAYS[local.weekday()]
        if start < end:
            return today in self.days and start <= now < end
        yesterday = DAYS[(local - timedelta(days=1)).weekday()]
        # Across midnight (or the whole day when from == to): from `from` today or before `to`
        # of a window that began yesterday.
        return (today in self.days and now >= start) or (yesterday in self.days and now < end)


def local_time(moment: datetime, zone: str) -> datetime:
    return moment.astimezone(ZoneInfo(zone))

"""When a task runs: every N seconds ('30s', '10m', '1h', or a number) or a cron expression of
five fields ('*/5 * * * *', '0 6 * * mon-fri') read in a time zone. Pure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from croniter import CroniterBadCronError, croniter

from venus.errors import BadRequest
from venus.query.timerange import duration_seconds

SHORTEST = 1.0  # seconds between two runs, at least


@dataclass(frozen=True)
class Schedule:
    text: str
    every: float | None = None  # seconds, for an interval
    cron: str | None = None

    def next_after(self, moment: datetime, zone: str = "UTC") -> datetime:
        """The first run time after `moment` (aware)."""
        if self.every is not None:
            return moment + timedelta(seconds=self.every)
        local = moment.astimezone(ZoneInfo(zone))
        return croniter(self.cron, local).get_next(datetime).astimezone(moment.tzinfo)

    def following(self, slot: datetime, now: datetime, zone: str = "UTC") -> datetime:
        """The slot after `slot` that is not yet past at `now`: an interval keeps its rhythm
        (slot + k × every) and skips the slots missed while nothing ran."""
        if self.every is not None:
            missed = max(0, int((now - slot).total_seconds() // self.every))
            return slot + timedelta(seconds=self.every * (missed + 1))
        return self.next_after(max(slot, now), zone)


def parse_schedule(text: str, field: str = "schedule") -> Schedule:
    raw = str(text).strip()
    if len(raw.split()) == 5:
        try:
            croniter(raw)
        except (CroniterBadCronError, ValueError, KeyError) as exc:
            raise BadRequest(f"{field}: {raw[:100]!r} is not a cron expression ({exc})", field=field) from None
        return Schedule(raw, cron=raw)
    try:
        every = duration_seconds(raw.removeprefix("every").strip())
    except ValueError as exc:
        raise BadRequest(f"{field}: {exc}; or a cron expression such as '*/5 * * * *'", field=field) from None
    if every < SHORTEST:
        raise BadRequest(f"{field}: at least {SHORTEST:g} s between runs", field=field)
    return Schedule(raw, every=every)

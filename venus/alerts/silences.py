"""Silences and maintenance windows: label matchers (as Alertmanager's: =, !=, =~, !~) over a
time span, optionally only within a weekly window. Regular expressions are RE2, as in queries:
linear time, whatever an operator types."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from typing import Annotated, Literal

import re2
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from venus.alerts.timewindows import WeeklyWindow, Zone, local_time

_OPTIONS = re2.Options()
_OPTIONS.log_errors = False


@lru_cache(maxsize=1024)
def _regex(pattern: str) -> re2._Regexp:
    return re2.compile(pattern, _OPTIONS)


def _pattern(text: str) -> str:
    try:
        _regex(text)
    except re2.error as exc:
        reason = exc.args[0].decode() if exc.args and isinstance(exc.args[0], bytes) else str(exc)
        raise ValueError(f"invalid regular expression: {reason}") from None
    return text


class Matcher(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=64)
    value: str = Field(max_length=1024)
    op: Literal["=", "!=", "=~", "!~"] = "="

    @model_validator(mode="after")
    def _check_regex(self) -> Matcher:
        if self.op in ("=~", "!~"):
            _pattern(self.value)
        return self

    def matches(self, labels: dict[str, str]) -> bool:
        have = labels.get(self.name, "")
        if self.op == "=":
            return have == self.value
        if self.op == "!=":
            return have != self.value
        found = _regex(self.value).fullmatch(have) is not None
        return found if self.op == "=~" else not found


class Weekly(WeeklyWindow):
    timezone: Zone = "UTC"


class SilenceSpec(BaseModel):
    """A silence as a request gives it; `starts_at` defaults to now."""

    model_config = ConfigDict(extra="forbid")

    matchers: Annotated[list[Matcher], Field(min_length=1, max_length=20)]
    starts_at: datetime | None = None
    ends_at: datetime
    weekly: Weekly | None = None
    comment: Annotated[str, Field(max_length=4096), AfterValidator(str.strip)] = ""
    created_by: str = Field("", max_length=255)


def silences_labels(matchers: list[dict], labels: dict[str, str]) -> bool:
    return all(Matcher.model_validate(m).matches(labels) for m in matchers)


def silence_active(starts_at: datetime, ends_at: datetime, weekly: dict | None, now: datetime) -> bool:
    """Whether a silence holds at `now` (naive times are UTC, as the metadata store keeps them)."""
    naive = now.replace(tzinfo=None)
    if not starts_at <= naive < ends_at:
        return False
    if weekly is None:
        return True
    window = Weekly.model_validate(weekly)
    return window.contains(local_time(now, window.timezone))

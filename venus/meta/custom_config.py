"""Runtime settings: what operators change while Venus runs (through /v1/custom_config, the
native API or `venus config set`), kept in the metadata store's custom_config table.

Every key is declared once with its check; a value is stored as text only after it passed, so
the tasks that read them never meet a bad one.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

import orjson
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, model_validator

from venus.errors import BadRequest
from venus.validation import field_path


class RetentionRule(BaseModel):
    """Lines of this service, program and/or level are kept `days` days (0: forever)."""

    model_config = ConfigDict(extra="forbid")

    service: str | None = Field(None, min_length=1, max_length=255)
    program: str | None = Field(None, min_length=1, max_length=255)
    level: str | None = Field(None, min_length=1, max_length=16)
    days: Annotated[int, Field(ge=0, le=36500)]

    @model_validator(mode="after")
    def _selects(self) -> RetentionRule:
        if self.service is None and self.program is None and self.level is None:
            raise ValueError("a rule names a service, a program or a level (log_save_days covers the rest)")
        if self.level is not None:
            self.level = self.level.upper()
        return self


_RULES = TypeAdapter(Annotated[list[RetentionRule], Field(max_length=100)])


@dataclass(frozen=True)
class Key:
    default: str
    help: str
    check: Callable[[Any], str]


def _whole(low: int, high: int) -> Callable[[Any], str]:
    def check(value: Any) -> str:
        text = str(value).strip()
        if isinstance(value, bool) or not text.lstrip("-").isdigit():
            raise ValueError("must be a whole number")
        if not low <= int(text) <= high:
            raise ValueError(f"must be from {low} to {high}")
        return str(int(text))
    return check


def _number(low: float, high: float) -> Callable[[Any], str]:
    def check(value: Any) -> str:
        try:
            number = float(str(value).strip()) if not isinstance(value, bool) else None
        except ValueError:
            number = None
        if number is None or math.isnan(number):
            raise ValueError("must be a number")
        if not low <= number <= high:
            raise ValueError(f"must be from {low:g} to {high:g}")
        return str(value).strip()
    return check


def _retention_rules(value: Any) -> str:
    if isinstance(value, str):
        try:
            value = orjson.loads(value)
        except orjson.JSONDecodeError:
            raise ValueError("must be a JSON list of rules such as [{\"level\": \"DEBUG\", \"days\": 3}]") from None
    try:
        rules = _RULES.validate_python(value)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise ValueError(f"rule {field_path(first['loc'])}: {first['msg'].removeprefix('Value error, ')}") from None
    return orjson.dumps([r.model_dump(exclude_none=True) for r in rules]).decode()


KEYS: dict[str, Key] = {
    "log_save_days": Key("30", "Days logs are kept after they arrive, unless a log_retention rule says "
                         "otherwise (0: forever).", _whole(0, 36500)),
    "log_retention": Key("[]", "Rules that keep some lines longer or shorter, the first that matches a "
                         "line wins: a JSON list of {service, program, level, days}, e.g. "
                         "[{\"level\": \"DEBUG\", \"days\": 3}, {\"level\": \"ERROR\", \"days\": 90}].",
                         _retention_rules),
    "log_max_gb": Key("100", "Most GB the logs may take on disk; past it the oldest days are dropped "
                      "(0: no cap).", _number(0, 1e9)),
    "anomaly_record_save_days": Key("30", "Days anomaly records are kept (0: forever).", _whole(0, 36500)),
    "alert_history_days": Key("90", "Days the alert history, sent notifications and task runs are kept "
                              "(0: forever).", _whole(0, 36500)),
}
V1_KEYS = ("log_save_days", "anomaly_record_save_days", "log_max_gb")  # what the original's API shows


def check_value(key: str, value: Any) -> str:
    """The value as stored, or BadRequest naming `id` (an unknown key) or `value`."""
    if key not in KEYS:
        raise BadRequest(f"id: unknown setting {key[:64]!r}; known: {', '.join(KEYS)}", field="id")
    if value is None:
        raise BadRequest(f"value: {key} needs a value", field="value")
    try:
        return KEYS[key].check(value)
    except ValueError as exc:
        raise BadRequest(f"value: {key} {exc}", field="value") from None


def retention_rules(config: dict[str, str]) -> list[RetentionRule]:
    return [RetentionRule.model_validate(r) for r in orjson.loads(config.get("log_retention") or "[]")]


def defaults(retention_days: int) -> dict[str, str]:
    """Every key's first value; log_save_days starts as venus.conf's [storage] retention_days."""
    return {**{key: k.default for key, k in KEYS.items()}, "log_save_days": str(retention_days)}

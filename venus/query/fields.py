"""Field names a query may use: the record's columns, kolla's names for them, and attrs.<key>."""

from __future__ import annotations

from dataclasses import dataclass

from venus.model import BY_NAME, Column

# kolla's fluentd field names (and the original Venus's) for the same things.
ALIASES = {
    "Hostname": "host", "hostname": "host", "host_name": "host",
    "programname": "program", "program_name": "program",
    "log_level": "level", "severity_label": "level", "loglevel": "level",
    "python_module": "logger", "module_name": "logger",
    "Pid": "pid", "Payload": "message", "msg": "message",
    "tenant_id": "project_id", "Timestamp": "ts", "@timestamp": "ts", "timestamp": "ts",
    "instance": "instance_id", "status": "http_status", "method": "http_method", "path": "http_path",
}


@dataclass(frozen=True)
class FieldRef:
    name: str  # canonical: a column name or "attrs.<key>"
    column: Column
    attr_key: str | None = None


def resolve_field(name: str) -> FieldRef | None:
    """The field a name refers to, or None when there is no such field."""
    if name.startswith("attrs.") and len(name) > 6:
        return FieldRef(name, BY_NAME["attrs"], name[6:])
    canonical = ALIASES.get(name, name)
    column = BY_NAME.get(canonical)
    if column is None or column.kind == "map":
        return None
    return FieldRef(canonical, column)


def known_fields() -> list[str]:
    return [c.name for c in BY_NAME.values() if c.kind != "map"] + ["attrs.<key>"]

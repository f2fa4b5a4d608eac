"""The log record: one wide row per event, described once here.

Every other part of Venus (parsers, store DDL, query compiler, API, export) reads
the column list from this module, so adding a column is a change in one place.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import pyarrow as pa

Kind = Literal["time", "text", "keyword", "int", "float", "map"]


@dataclass(frozen=True)
class Column:
    name: str
    ch_type: str  # ClickHouse type, used by the DDL
    arrow_type: pa.DataType  # what parsers hand to the store
    kind: Kind  # how the query language treats the field
    doc: str
    codec: str = "ZSTD(3)"
    materialized: str = ""  # SQL the engine computes the value with at insert (a derived column)

    @property
    def missing(self) -> object:
        """The stored value that means "this line did not carry the field"."""
        if self.kind in ("int",):
            return 0
        if self.kind == "float":
            return None
        if self.kind == "map":
            return {}
        return ""


_LC = "LowCardinality(String)"
_MAP = pa.map_(pa.string(), pa.string())

COLUMNS: tuple[Column, ...] = (
    Column("ts", "DateTime64(6, 'UTC')", pa.timestamp("us", tz="UTC"), "time",
           "event time from the line (UTC); receive time when the line has none", "Delta, ZSTD(3)"),
    Column("host", _LC, pa.string(), "keyword", "machine that wrote the line"),
    Column("service", _LC, pa.string(), "keyword", "nova, neutron, mariadb, kernel, ..."),
    Column("program", _LC, pa.string(), "keyword", "nova-compute, neutron-server, sshd, ..."),
    Column("source", _LC, pa.string(), "keyword", "file path or input the line came from"),
    Column("offset", "UInt64", pa.uint64(), "int",
           "byte offset of the line in its source (stable order and context)", "Delta, ZSTD(3)"),
    Column("pid", "UInt32", pa.uint32(), "int", "process id"),
    Column("level", _LC, pa.string(), "keyword",
           "TRACE, DEBUG, INFO, NOTICE, WARNING, ERROR, CRITICAL, or UNKNOWN for unparsed lines"),
    Column("logger", _LC, pa.string(), "keyword", "Python logger name (oslo python_module)"),
    Column("request_id", "String", pa.string(), "keyword", "local request id, without req-"),
    Column("global_request_id", "String", pa.string(), "keyword", "global request id, without req-"),
    Column("user_id", "String", pa.string(), "keyword", "user from the oslo.log context block"),
    Column("project_id", "String", pa.string(), "keyword", "project from the oslo.log context block"),
    Column("domain_id", _LC, pa.string(), "keyword", "domain from the oslo.log context block"),
    Column("user_domain", _LC, pa.string(), "keyword", "user domain from the oslo.log context block"),
    Column("project_domain", _LC, pa.string(), "keyword", "project domain from the oslo.log context block"),
    Column("instance_id", "String", pa.string(), "keyword", "instance uuid from [instance: <uuid>]"),
    Column("message", "String", pa.string(), "text", "everything after the header, tracebacks included"),
    Column("http_method", _LC, pa.string(), "keyword", "HTTP method of an access-log line"),
    Column("http_path", "String", pa.string(), "keyword", "HTTP path of an access-log line"),
    Column("http_status", "UInt16", pa.uint16(), "int", "HTTP status of an access-log line"),
    Column("http_bytes", "Nullable(UInt64)", pa.uint64(), "float", "response bytes of an access-log line"),
    Column("http_time_ms", "Nullable(Float32)", pa.float32(), "float", "response time in milliseconds"),
    Column("template_id", "UInt64", pa.uint64(), "int", "log template the line belongs to (0: none yet)"),
    Column("attrs", "Map(LowCardinality(String), String)", _MAP, "map", "any other fields"),
    Column("received", "DateTime('UTC')", pa.timestamp("s", tz="UTC"), "time",
           "when Venus stored the line; retention counts from here, so an imported archive of old "
           "logs is kept for the whole retention period", "Delta, ZSTD(3)"),
)

# A route is the request path with its variable segments replaced by placeholders, so that
# GET /v2.1/servers/6f1c... and GET /v2.1/servers/0a3e... count as one API (docs/analysis.md):
#   {uuid} a UUID, with or without dashes (Keystone's 32-hex project and user ids are UUIDs too)
#   {id}   another segment of 16 or more hex digits, or a request id (req-<uuid>)
#   {n}    a number
_UUID_RE = "^(req-)?[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$"
ROUTE_SQL = (
    "if(http_path = '', '', arrayStringConcat(arrayMap(s -> multiIf("
    f"match(s, '{_UUID_RE}'), if(startsWith(s, 'req-'), '{{id}}', '{{uuid}}'), "
    "match(s, '^[0-9]+$'), '{n}', match(s, '^[0-9a-fA-F]{16,}$'), '{id}', s), "
    "splitByChar('/', http_path)), '/'))"
)

# Computed by the engine when a line is stored, from the columns above: parsers never fill them,
# queries and results treat them as any other field.
DERIVED: tuple[Column, ...] = (
    Column("http_route", _LC, pa.string(), "keyword",
           "http_path with ids, UUIDs and numbers as placeholders, e.g. /v2.1/servers/{uuid}",
           materialized=ROUTE_SQL),
)

# What a stored line has when read: the parsed columns, then the derived ones.
COLUMN_NAMES: tuple[str, ...] = tuple(c.name for c in COLUMNS + DERIVED)
BY_NAME: dict[str, Column] = {c.name: c for c in COLUMNS + DERIVED}
ARROW_SCHEMA = pa.schema([pa.field(c.name, c.arrow_type) for c in COLUMNS])

LEVELS: tuple[str, ...] = ("TRACE", "DEBUG", "INFO", "NOTICE", "WARNING", "ERROR", "CRITICAL", "UNKNOWN")

LEVEL_ALIASES = {
    "TRACE": "TRACE", "DEBUG": "DEBUG", "INFO": "INFO", "AUDIT": "INFO", "NOTICE": "NOTICE",
    "NOTE": "NOTICE", "WARNING": "WARNING", "WARN": "WARNING", "ERROR": "ERROR", "ERR": "ERROR",
    "CRITICAL": "CRITICAL", "CRIT": "CRITICAL", "FATAL": "CRITICAL", "EMERG": "CRITICAL",
    "EMERGENCY": "CRITICAL", "ALERT": "CRITICAL", "SEVERE": "ERROR", "SYSTEM": "NOTICE",
}


def normalise_level(word: str) -> str:
    """Map the many spellings of a severity to one of LEVELS ('' when it is no level at all)."""
    return LEVEL_ALIASES.get(word.strip("[]:").upper(), "")


_SEVERE_WORDS = (
    (("kernel panic", "panic:", "fatal", "emerg"), "CRITICAL"),
    ((" error", "error:", "error ", "failed", "failure", "segfault", "oops", "traceback"), "ERROR"),
    (("warning", "warn:", " warn ", "deprecated"), "WARNING"),
)


def infer_level(message: str) -> str:
    """Severity for formats that carry none (syslog files, dmesg): from telling words, else INFO.

    Operators filter `level:ERROR` across all sources, so a kernel 'segfault' line must not hide
    under INFO; the words are few and documented in docs/parsing.md.
    """
    low = message.lower()
    for words, level in _SEVERE_WORDS:
        for word in words:
            if word in low:
                return level
    return "INFO"

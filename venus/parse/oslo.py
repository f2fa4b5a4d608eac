"""oslo.log lines, in every shape OpenStack services write them.

    <date> <time>.<ms> <pid> <LEVEL> <logger> [<context>] [instance: <uuid>] <message>

The context block comes in several widths (oslo.log formatters and deployment overrides):

    [None req-L - - - - - -]                 current default, no global id (8 tokens)
    [req-G req-L user project - - d d]       current default with a global id (8 tokens)
    [req-L user project - default default]   pre-global-id releases (request id + 5 identity tokens)
    [None req-L admin admin]                 devstack's user_name/project_name override
    [-]                                      no request context

`parse_oslo_line` returns the record's fields, or None when the line is not oslo.log.
"""

from __future__ import annotations

import re

from venus.model import normalise_level
from venus.parse.access import parse_access_message
from venus.parse.fields import merge
from venus.parse.timestamps import TimestampReader

_HEADER = re.compile(
    r"(\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(?:[.,]\d+)?) (\d+) ([A-Z]+) ([\w.:-]+) ?"
)
# The same header without date and pid, as journald/syslog deliver it after their own prefix.
_BARE_HEADER = re.compile(r"(TRACE|DEBUG|INFO|AUDIT|WARNING|ERROR|CRITICAL) ([\w.:-]+) (?=\[)")
_INSTANCE = re.compile(r"\[instance: ([0-9a-fA-F-]{36})\] ?")
# DEBUG lines end with "<funcName> <pathname>:<lineno>" (logging_debug_format_suffix).
_DEBUG_SUFFIX = re.compile(r" ([\w<>]+) (/\S+\.py):(\d+)$")


def _strip_req(token: str) -> str:
    return token[4:] if token.startswith("req-") else token


def _dash(token: str) -> str:
    return "" if token in ("-", "None") else token


def parse_context(block: str) -> dict[str, str] | None:
    """The fields of a context block's inside ('None req-x u p - - d d'), None if it is not one."""
    tokens = block.split()
    if tokens == ["-"]:
        return {}
    if not tokens:
        return None
    fields: dict[str, str] = {}
    first = tokens[0]
    if first == "None" or (first.startswith("req-") and len(tokens) > 1 and tokens[1].startswith("req-")):
        if len(tokens) < 2:
            return None
        fields["global_request_id"] = _strip_req(_dash(first))
        fields["request_id"] = _strip_req(_dash(tokens[1]))
        identity = tokens[2:]
    elif first.startswith("req-") or (first == "-" and len(tokens) > 1):
        fields["request_id"] = _strip_req(_dash(first))
        identity = tokens[1:]
    else:
        return None
    if len(identity) == 6:
        names = ("user_id", "project_id", "domain_id", "system_scope", "user_domain", "project_domain")
    elif len(identity) == 5:
        names = ("user_id", "project_id", "domain_id", "user_domain", "project_domain")
    else:
        names = ("user_id", "project_id")
    for name, value in zip(names, identity):
        value = _dash(value)
        if value:
            fields[name] = value
    if "system_scope" in fields:  # no column of its own
        fields["attrs"] = {"system_scope": fields.pop("system_scope")}
    return fields


def parse_oslo_body(rest: str, level: str, fields: dict) -> dict:
    """Context block, instance prefix, DEBUG suffix and access-log fields from what follows the logger."""
    fields["_context"] = False
    if rest.startswith("["):
        end = rest.find("]")
        if end > 0 and not rest.startswith("[instance:"):
            ctx = parse_context(rest[1:end])
            if ctx is not None:
                merge(fields, ctx)
                fields["_context"] = True
                rest = rest[end + 1:].lstrip(" ")
    if rest.startswith("[instance:"):
        m = _INSTANCE.match(rest)
        if m:
            fields["instance_id"] = m.group(1).lower()
            rest = rest[m.end():]
    if level == "DEBUG" and rest.endswith(("0", "1", "2", "3", "4", "5", "6", "7", "8", "9")):
        m = _DEBUG_SUFFIX.search(rest)
        if m:
            attrs = fields.setdefault("attrs", {})
            attrs["code_func"] = m.group(1)
            attrs["code_file"] = f"{m.group(2)}:{m.group(3)}"
            rest = rest[: m.start()]
    if '" status: ' in rest:
        access = parse_access_message(rest)
        if access:
            merge(fields, access)
    fields["message"] = rest
    return fields


def parse_oslo_line(line: str, clock: TimestampReader) -> dict | None:
    m = _HEADER.match(line)
    if m is None:
        return None
    ts = clock.iso(m.group(1))
    if ts is None:
        return None
    level = normalise_level(m.group(3))
    if not level:
        return None
    fields = {"ts": ts, "pid": int(m.group(2)), "level": level, "logger": m.group(4),
              "_header": m.group(0)}
    return parse_oslo_body(line[m.end():], level, fields)


def parse_bare_oslo(message: str) -> dict | None:
    """'INFO neutron.wsgi [None req-...] ...' as journald shows an oslo service's line."""
    m = _BARE_HEADER.match(message)
    if m is None:
        return None
    level = normalise_level(m.group(1))
    fields = {"level": level, "logger": m.group(2)}
    return parse_oslo_body(message[m.end():], level, fields)


def continues_traceback(fields: dict, previous: dict) -> bool:
    """True for the lines of an oslo `logging_exception_prefix` traceback: each repeats the header
    (time, pid, ERROR, logger) of the record it belongs to, without a context block."""
    return (not fields.get("_context")
            and fields.get("_header") == previous.get("_header")
            and not fields["message"].startswith("[-]"))

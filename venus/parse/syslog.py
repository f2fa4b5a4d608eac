"""Syslog lines as files hold them, and the <PRI> forms that arrive over the network.

    Jun 14 15:16:01 combo sshd(pam_unix)[19939]: authentication failure; ...   (RFC 3164 file)
    2024-05-06T18:06:57.123456+00:00 ctl1 nova-compute[123]: ...                (rsyslog ISO format)
    <34>Oct 11 22:14:15 mymachine su: 'su root' failed ...                        (RFC 3164 wire)
    <165>1 2003-10-11T22:14:15.003Z host app - ID47 [sd@1 a="1"] message         (RFC 5424)

The message is then read by what the program writes: an OpenStack service's oslo.log line
(journald), HAProxy's access line, the kernel's uptime prefix.
"""

from __future__ import annotations

import re

from venus.model import infer_level, normalise_level
from venus.parse import oslo
from venus.parse.access import parse_haproxy_message
from venus.parse.fields import merge
from venus.parse.paths import service_of
from venus.parse.timestamps import TimestampReader

_PRI = re.compile(r"<(\d{1,3})>")
_BSD = re.compile(
    r"([A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d(?:\.\d+)?) (?:(\S+) )?"
    r"(?:([^\s\[:]+(?:\([^)\s]*\))?)(?:\[(\d+)\])?: )?"
)
_ISO = re.compile(
    r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d)) (\S+) "
    r"(?:([^\s\[:]+(?:\([^)\s]*\))?)(?:\[(\d+)\])?: )?"
)
_RFC5424 = re.compile(
    r"1 (\S+) (\S+) (\S+) (\S+) (\S+) (-|(?:\[(?:[^\]\\]|\\.)*\])+) ?"
)
_TAG_ONLY = re.compile(r"([A-Za-z][\w.@/-]{0,47})(?:\[(\d{1,10})\])?: ")
_KERNEL_UPTIME = re.compile(r"\[\s*(\d+\.\d+)\] ")
_SEVERITIES = ("CRITICAL", "CRITICAL", "CRITICAL", "ERROR", "WARNING", "NOTICE", "INFO", "DEBUG")
_FACILITIES = ("kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news", "uucp", "cron",
               "authpriv", "ftp", "ntp", "audit", "alert", "clock", "local0", "local1", "local2",
               "local3", "local4", "local5", "local6", "local7")


def _dash(value: str | None) -> str:
    return "" if value in (None, "-") else value


def parse_syslog_line(line: str, clock: TimestampReader) -> dict | None:
    """Fields of one syslog line (with or without <PRI>), or None when it is not syslog."""
    pri = None
    body = line
    if line.startswith("<"):
        m = _PRI.match(line)
        if m and int(m.group(1)) < 192:
            pri = int(m.group(1))
            body = line[m.end():]
    fields: dict
    if body.startswith("1 ") and pri is not None:
        m5 = _RFC5424.match(body)
        if m5 is None:
            return None
        ts = clock.iso(m5.group(1).replace("T", " ", 1)) if m5.group(1) != "-" else None
        fields = {"host": _dash(m5.group(2)), "program": _dash(m5.group(3))}
        procid = _dash(m5.group(4))
        if procid.isdigit():
            fields["pid"] = int(procid)
        attrs = {}
        if _dash(m5.group(5)):
            attrs["msgid"] = m5.group(5)
        if m5.group(6) != "-":
            attrs["structured_data"] = m5.group(6)
        if attrs:
            fields["attrs"] = attrs
        message = body[m5.end():].removeprefix("\ufeff")
    else:
        m = _BSD.match(body) or _ISO.match(body)
        if m is None:
            if pri is None:
                return None
            # Python's SysLogHandler sends only "<PRI>message", or "<PRI>ident: message" when
            # given an ident: kept, the receive time applies.
            fields, message, ts = {}, body.rstrip("\x00"), None
            tag = _TAG_ONLY.match(message)
            if tag and not normalise_level(tag.group(1)):  # "ERROR: ..." is a message, not a program
                fields["program"] = tag.group(1)
                if tag.group(2):
                    fields["pid"] = int(tag.group(2))
                message = message[tag.end():]
        else:
            stamp = m.group(1)
            ts = clock.syslog(stamp) if stamp[:1].isalpha() else clock.iso(stamp.replace("T", " ", 1))
            host, tag, pid = m.group(2), m.group(3), m.group(4)
            if tag is None and host is not None and host.endswith(":"):
                host, tag = None, host[:-1]
            fields = {"host": host or ""}
            if tag:
                fields["program"] = tag
            if pid:
                fields["pid"] = int(pid)
            message = body[m.end():]
    return _finish(fields, message, ts, pri, clock)


def program_message(program: str, message: str, clock: TimestampReader) -> dict | None:
    """What a program's message says beyond the syslog header, or None: HAProxy's access fields,
    the kernel's uptime, an OpenStack service's oslo.log line (journald and rsyslog carry them with
    or without their own header). The fields' `message` is what is left of the message."""
    base = program.split("(", 1)[0]
    if base == "haproxy":
        return parse_haproxy_message(message)
    if base == "kernel":
        m = _KERNEL_UPTIME.match(message)
        return {"attrs": {"uptime": m.group(1)}, "message": message[m.end():]} if m else None
    if message[:1].isupper() or message[:1].isdigit():
        inner = oslo.parse_oslo_line(message, clock) if message[:1].isdigit() else oslo.parse_bare_oslo(message)
        if inner:
            inner.pop("_header", None)
        return inner
    return None


def _finish(fields: dict, message: str, ts: int | None, pri: int | None, clock: TimestampReader) -> dict:
    if ts is not None:
        fields["ts"] = ts
    program = fields.get("program", "")
    base = program.split("(", 1)[0]
    if base:
        fields["service"] = service_of(base)
    inner = program_message(base, message, clock)
    if inner:
        merge(fields, inner)
        message = inner.get("message", message)
    if pri is not None:
        fields.setdefault("attrs", {})["facility"] = _FACILITIES[pri >> 3]
        if not (inner and "level" in inner):
            fields["level"] = _SEVERITIES[pri & 7]
    elif "level" not in fields:
        fields["level"] = infer_level(message)
    fields["message"] = message
    return fields

"""Platform services under an OpenStack cloud: MariaDB, RabbitMQ, libvirt and the kernel ring buffer.

    2024-05-06 18:06:57 0 [Note] InnoDB: Buffer pool(s) load completed           (MariaDB 10.x)
    2019-03-05T10:15:20.123456Z 0 [Warning] ...                                    (MySQL 5.7/8)
    240506 18:06:57 [ERROR] mysqld: Table 'x' is marked as crashed                 (MySQL 5.5)
    2024-05-06 18:06:57.123456+00:00 [error] <0.123.0> closing AMQP connection     (RabbitMQ >= 3.9)
    =ERROR REPORT==== 6-May-2024::18:06:57 ===                                     (RabbitMQ < 3.7,
    2024-05-06 18:06:57.123+0000: 12345: error : virNetSocketReadWire:1806 : ...  message follows) (libvirtd)
    [  12.345678] usb 1-1: new high-speed USB device                              (dmesg)
    [Mon Jun  2 10:00:00 2025] usb 1-1: ...                                         (dmesg -T)
"""

from __future__ import annotations

import re

from venus.model import infer_level, normalise_level
from venus.parse.timestamps import TimestampReader

_MARIADB = re.compile(
    r"(\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(?:\.\d+)?Z?|\d{6} [ \d]\d:\d\d:\d\d)\s+(?:(\d+) )?"
    r"\[(Note|Warning|ERROR|Error|System|Info|Debug)\] "
)
_RABBIT = re.compile(
    r"(\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d)?) \[([a-z]+)\] (<[\d.]+>) ?"
)
_RABBIT_REPORT = re.compile(r"=([A-Z]+)(?: REPORT)?==== (\S+) ===$")
_LIBVIRT = re.compile(
    r"(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+[+-]\d{4}): (\d+): (debug|info|warning|error) : "
    r"(?:([\w]+)(?::(\d+))? : )?"
)
_DMESG = re.compile(r"\[\s*(\d+\.\d+)\] ")
_DMESG_T = re.compile(r"\[([A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \d{4})\] ")
_DMESG_X = re.compile(r"(kern|user|mail|daemon|auth|syslog|lpr|news)\s*:(\w+)\s*: ")


def parse_mariadb_line(line: str, clock: TimestampReader) -> dict | None:
    m = _MARIADB.match(line)
    if m is None:
        return None
    stamp = m.group(1)
    ts = clock.compact(stamp) if stamp[6:7] == " " else clock.iso(stamp.replace("T", " ", 1))
    if ts is None:
        return None
    fields: dict = {"ts": ts, "level": normalise_level(m.group(3)) or "INFO", "message": line[m.end():]}
    if m.group(2):
        fields["attrs"] = {"thread": m.group(2)}
    return fields


def parse_rabbitmq_line(line: str, clock: TimestampReader) -> dict | None:
    m = _RABBIT.match(line)
    if m is not None:
        ts = clock.iso(m.group(1).replace("T", " ", 1))
        if ts is None:
            return None
        return {"ts": ts, "level": normalise_level(m.group(2)) or "INFO",
                "attrs": {"erlang_pid": m.group(3)}, "message": line[m.end():]}
    m = _RABBIT_REPORT.match(line)
    if m is not None:
        ts = clock.erlang(m.group(2))
        if ts is None:
            return None
        # The report's text follows on the next lines, which join this record as continuations.
        return {"ts": ts, "level": normalise_level(m.group(1)) or "INFO", "message": ""}
    return None


def parse_libvirt_line(line: str, clock: TimestampReader) -> dict | None:
    m = _LIBVIRT.match(line)
    if m is None:
        return None
    ts = clock.iso(m.group(1))
    if ts is None:
        return None
    fields: dict = {"ts": ts, "level": normalise_level(m.group(3)), "message": line[m.end():],
                    "attrs": {"thread": m.group(2)}}
    if m.group(4):
        fields["logger"] = m.group(4)
    return fields


def parse_dmesg_line(line: str, clock: TimestampReader) -> dict | None:
    level = ""
    x = _DMESG_X.match(line)
    if x is not None:
        level = normalise_level(x.group(2))
        line = line[x.end():]
    fields: dict = {"program": "kernel", "service": "kernel"}
    m = _DMESG_T.match(line)
    if m is not None:
        ts = clock.ctime(m.group(1))
        if ts is None:
            return None
        fields["ts"] = ts
    else:
        m = _DMESG.match(line)
        if m is None:
            return None
        # Seconds since boot: the line has no wall time, the receive time stands in.
        fields["attrs"] = {"uptime": m.group(1)}
    message = line[m.end():]
    fields["level"] = level or infer_level(message)
    fields["message"] = message
    return fields

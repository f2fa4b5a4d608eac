"""API access lines: method, path, status, bytes and latency.

    oslo message (nova requestlog, placement, eventlet wsgi with two spaces before len):
        10.0.0.11 "GET /v2.1/servers/detail" status: 200 len: 1834 microversion: 2.1 time: 0.081234
    uWSGI request log:
        [pid: 19300|app: 0|req: 8/12] 10.13.15.113 () {40 vars in 760 bytes} [Thu Apr 11 09:46:39 2019]
        GET /resource/ => generated 2 bytes in 6 msecs (HTTP/1.1 200) 2 headers in 65 bytes ...
    Apache combined, optionally with %D (microseconds) before or after the quoted fields:
        10.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET /a HTTP/1.1" 200 2326 1234 "-" "curl/8"
    HAProxy (after its syslog header): http log and the default tcp log.
"""

from __future__ import annotations

import re

from venus.parse.timestamps import TimestampReader

_OSLO_ACCESS = re.compile(
    r'(?P<client>\S+) "(?P<method>[A-Z]+) (?P<uri>\S+)(?: HTTP/[\d.]+)?" status: (?P<status>\d{3}) +'
    r"len: (?P<len>\d+|-)(?: microversion: \S+)?(?: time: (?P<secs>\d*\.?\d+))?"
)
_UWSGI = re.compile(
    r"\[pid: (?P<pid>\d+)\|app: [-\d]+\|req: [-\d]+/\d+\] (?P<client>\S+) \((?P<user>[^)]*)\) "
    r"\{\d+ vars in \d+ bytes\} \[(?P<ts>[^\]]+)\] (?P<method>[A-Z]+) (?P<uri>\S+) => "
    r"generated (?P<bytes>\d+) bytes in (?P<msecs>\d+) msecs \(HTTP/[\d.]+ (?P<status>\d{3})\)"
)
_APACHE = re.compile(
    r'(?P<client>\S+) \S+ (?P<user>\S+) \[(?P<ts>[^\]]+)\] "(?P<method>[A-Z]+) (?P<uri>\S+)[^"]*" '
    r'(?P<status>\d{3}) (?P<bytes>\d+|-)(?: (?P<usecs>\d+))?(?: "[^"]*" "(?P<agent>[^"]*)")?(?: (?P<usecs2>\d+))?'
)
_HAPROXY_HTTP = re.compile(
    r"(?P<client>[\d.:a-fA-F\[\]]+):\d+ \[(?P<ts>[^\]]+)\] (?P<frontend>\S+) (?P<backend>[^/\s]+)/(?P<server>\S+) "
    r"-?\d+/-?\d+/-?\d+/-?\d+/(?P<total>\+?-?\d+) (?P<status>\d{3}) (?P<bytes>\+?\d+) .*?"
    r'"(?P<method>[A-Z]+) (?P<uri>\S+)'
)
_HAPROXY_TCP = re.compile(
    r"(?P<client>[\d.:a-fA-F\[\]]+):\d+ \[(?P<ts>[^\]]+)\] (?P<frontend>\S+) (?P<backend>[^/\s]+)/(?P<server>\S+) "
    r"-?\d+/-?\d+/(?P<total>\+?-?\d+) (?P<bytes>\+?\d+) "
)


def _path(uri: str) -> str:
    """The path of a request URI, without its query string."""
    return uri.split("?", 1)[0]


def parse_access_message(message: str) -> dict | None:
    """HTTP fields from the message of an oslo.log access line, or None."""
    m = _OSLO_ACCESS.search(message)
    if m is None:
        return None
    fields: dict = {"http_method": m.group("method"), "http_path": _path(m.group("uri")),
                    "http_status": int(m.group("status"))}
    if m.group("len") != "-":
        fields["http_bytes"] = int(m.group("len"))
    if m.group("secs"):
        fields["http_time_ms"] = float(m.group("secs")) * 1000.0
    fields["attrs"] = {"client_ip": m.group("client")}
    return fields


def parse_uwsgi_line(line: str, clock: TimestampReader) -> dict | None:
    m = _UWSGI.match(line)
    if m is None:
        return None
    return {"ts": clock.ctime(m.group("ts")), "pid": int(m.group("pid")), "level": "INFO",
            "http_method": m.group("method"), "http_path": _path(m.group("uri")),
            "http_status": int(m.group("status")), "http_bytes": int(m.group("bytes")),
            "http_time_ms": float(m.group("msecs")), "attrs": {"client_ip": m.group("client")},
            "message": line}


def parse_apache_access_line(line: str, clock: TimestampReader) -> dict | None:
    m = _APACHE.match(line)
    if m is None:
        return None
    ts = clock.apache(m.group("ts"))
    if ts is None:
        return None
    status = int(m.group("status"))
    fields: dict = {"ts": ts, "level": status_level(status), "http_method": m.group("method"),
                    "http_path": _path(m.group("uri")), "http_status": status,
                    "attrs": {"client_ip": m.group("client")}, "message": line}
    if m.group("bytes") != "-":
        fields["http_bytes"] = int(m.group("bytes"))
    usecs = m.group("usecs") or m.group("usecs2")
    if usecs:
        fields["http_time_ms"] = int(usecs) / 1000.0
    return fields


def parse_haproxy_message(message: str) -> dict | None:
    """HTTP (option httplog) or TCP fields from the message part of a HAProxy syslog line."""
    m = _HAPROXY_HTTP.match(message) or _HAPROXY_TCP.match(message)
    if m is None:
        return None
    groups = m.groupdict()
    fields: dict = {"http_bytes": int(groups["bytes"].lstrip("+")),
                    "attrs": {"client_ip": groups["client"], "frontend": groups["frontend"],
                              "backend": groups["backend"], "server": groups["server"]}}
    total = int(groups["total"].lstrip("+"))
    if total >= 0:
        fields["http_time_ms"] = float(total)
    if groups.get("status"):
        fields["http_status"] = int(groups["status"])
        fields["http_method"] = groups["method"]
        fields["http_path"] = _path(groups["uri"])
        fields["level"] = status_level(fields["http_status"])
    return fields


def status_level(status: int) -> str:
    """Severity of an access line that has no level of its own: 5xx is an error, 4xx a warning."""
    return "ERROR" if status >= 500 else "WARNING" if status >= 400 else "INFO"

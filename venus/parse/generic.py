"""Common "timestamp, level, message" layouts of other software, so their lines are not left raw.

    [Sun Dec 04 04:47:44 2005] [error] mod_jk child workerEnv in error state 6      (Apache error log)
    [Wed Oct 11 14:32:52.123 2000] [core:error] [pid 123] [client 1.2.3.4:5] msg     (Apache 2.4)
    2015-07-29 17:41:44,747 - INFO  [QuorumPeer[myid=1]/0.0.0.0:2181:Leader@774] - msg  (log4j, ZooKeeper)
    2024-05-06 18:06:57,123 INFO org.apache.kafka.Foo: msg                                 (log4j)
    081109 203615 148 INFO dfs.DataNode$PacketResponder: PacketResponder 1 ...         (Hadoop)
"""

from __future__ import annotations

import re

from venus.model import normalise_level
from venus.parse.timestamps import TimestampReader

_APACHE_ERROR = re.compile(
    r"\[([A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d(?:\.\d+)? \d{4})\] \[(?:(\w+):)?(\w+)\] "
    r"(?:\[pid (\d+)(?::tid \d+)?\] )?(?:\[client ([^\]]+)\] )?"
)
_LOG4J = re.compile(
    r"(\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d[,.]\d{3}) (?:- )?([A-Z]{4,8})\s+"
    r"(?:\[([^\]]*(?:\][^\]]*)*?)\] - |\[([^\]]+)\] |([\w.$]+): )"
)
_HADOOP = re.compile(r"(\d{6} \d{6}) (\d+) ([A-Z]+) ([\w.$]+): ")


def parse_apache_error_line(line: str, clock: TimestampReader) -> dict | None:
    m = _APACHE_ERROR.match(line)
    if m is None:
        return None
    level = normalise_level(m.group(3))
    ts = clock.ctime(m.group(1))
    if ts is None or not level:
        return None
    fields: dict = {"ts": ts, "level": level, "message": line[m.end():]}
    if m.group(2):
        fields["logger"] = m.group(2)
    if m.group(4):
        fields["pid"] = int(m.group(4))
    if m.group(5):
        fields["attrs"] = {"client_ip": m.group(5)}
    return fields


def parse_log4j_line(line: str, clock: TimestampReader) -> dict | None:
    m = _LOG4J.match(line)
    if m is None:
        return None
    level = normalise_level(m.group(2))
    ts = clock.iso(m.group(1))
    if ts is None or not level:
        return None
    thread = m.group(3) or m.group(4)
    fields: dict = {"ts": ts, "level": level, "message": line[m.end():]}
    if thread:
        # ZooKeeper: "QuorumPeer[myid=1]/0:0:0:0:0:0:0:0:2181:FastLeaderElection@774" -> logger FastLeaderElection
        tail = thread.rsplit(":", 1)[-1]
        fields["logger"] = tail.split("@", 1)[0]
        fields["attrs"] = {"thread": thread}
    elif m.group(5):
        fields["logger"] = m.group(5)
    return fields


def parse_hadoop_line(line: str, clock: TimestampReader) -> dict | None:
    m = _HADOOP.match(line)
    if m is None:
        return None
    level = normalise_level(m.group(3))
    ts = clock.compact(m.group(1))
    if ts is None or not level:
        return None
    return {"ts": ts, "pid": int(m.group(2)), "level": level, "logger": m.group(4), "message": line[m.end():]}

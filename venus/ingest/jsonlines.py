"""JSON lines (`POST /api/v1/ingest`) → records: the plainest way to send Venus events.

One JSON object per line, named as any shipper names its fields (`parse_document`): `message`,
`@timestamp` or `time`, `host`, `level`, `request_id`, ... A line that is not a JSON object is
stored as it came, so a plain text line is accepted too.
"""

from __future__ import annotations

import pyarrow as pa

from venus.parse.documents import parse_json_line
from venus.parse.lines import received_table
from venus.parse.timestamps import TimestampReader, zone

JSONLINES_SOURCE = "jsonlines"


def jsonlines_table(body: bytes, source: str, timezone_name: str, received_us: int) -> pa.Table:
    """The records of the body's non-blank lines; `source` names them (default "jsonlines")."""
    clock = TimestampReader(zone(timezone_name))
    records = [parse_json_line(line, clock) for line in body.split(b"\n") if line.strip()]
    return received_table(records, source or JSONLINES_SOURCE, received_us)

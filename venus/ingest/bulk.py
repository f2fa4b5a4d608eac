"""An Elasticsearch `_bulk` body → a table of records and the per-item answer, as Elasticsearch gives it.

The body is NDJSON: an action line (`{"index": {...}}` or `{"create": {...}}`), then the
document; `delete` has no document and `update` one of its own. Log shippers send `index` and
`create`; every such item is stored, whatever its document holds (decision 3: an item error
makes Fluent Bit resend its whole chunk forever and fluentd drop the record):

* a document that is not JSON, or not an object, is stored raw (level UNKNOWN, the line as
  message);
* a document is read by `parse_document`, and the index it was sent to is kept in
  `attrs.index` (`flog-2026.05.06`), which is how the /v1 API tells the families apart.

Only the body's frame can fail the request: an action line that is not a JSON object naming
one action is a 400 that names the line (Elasticsearch does the same); `update` and `delete`
items get an item error (a log store keeps what it was sent).

`parse_bulk` is pure and picklable, so that large bodies are parsed in worker processes.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

import orjson
import pyarrow as pa

from venus.errors import BadRequest
from venus.parse.documents import parse_json_line
from venus.parse.lines import received_table
from venus.parse.timestamps import TimestampReader, zone

BULK_SOURCE = "bulk"  # the `source` of records received through _bulk
_STORED_ACTIONS = ("index", "create")
_NO_DOCUMENT = "delete"
_ACTIONS = ("index", "create", "update", "delete")


@dataclass
class BulkBatch:
    table: pa.Table  # the records of the stored items, in request order
    items: list[dict]  # the answer's items, in request order
    errors: bool  # whether an item failed (update/delete)


def parse_bulk(body: bytes, default_index: str | None, timezone_name: str, received_us: int) -> BulkBatch:
    """Read a whole bulk body; see the module doc."""
    clock = TimestampReader(zone(timezone_name))
    lines = body.split(b"\n")
    records: list[dict] = []
    items: list[dict] = []
    errors = False
    id_prefix = secrets.token_urlsafe(9)
    at, count = 0, len(lines)
    while at < count:
        line = lines[at].strip()
        at += 1
        if not line:
            continue
        action, meta = _action(line, at)
        index = _text_meta(meta, "_index") or default_index or ""
        given_id = _text_meta(meta, "_id")
        if action == _NO_DOCUMENT:
            items.append(_failed(action, index, given_id, "delete is not supported: Venus keeps the logs it is sent"))
            errors = True
            continue
        document = lines[at] if at < count else b""
        at += 1
        if action not in _STORED_ACTIONS:
            items.append(_failed(action, index, given_id, f"{action} is not supported: send index or create"))
            errors = True
            continue
        record = parse_json_line(document, clock)
        if index:
            record.setdefault("attrs", {})["index"] = index
        records.append(record)
        items.append({action: {
            "_index": index, "_id": given_id or f"{id_prefix}{len(items):x}", "_version": 1, "result": "created",
            "_shards": {"total": 1, "successful": 1, "failed": 0}, "_seq_no": len(items), "_primary_term": 1,
            "status": 201}})
    return BulkBatch(received_table(records, BULK_SOURCE, received_us), items, errors)


def _action(line: bytes, number: int) -> tuple[str, dict]:
    try:
        value = orjson.loads(line)
    except orjson.JSONDecodeError as exc:
        raise BadRequest(f"line {number} of the bulk body is not a JSON action line: {exc}", field="body") from None
    if not isinstance(value, dict) or len(value) != 1:
        raise BadRequest(f"line {number} of the bulk body should be one action, such as "
                         '{"create": {}}', field="body")
    action, meta = next(iter(value.items()))
    if action not in _ACTIONS:
        raise BadRequest(f"line {number} of the bulk body: unknown action {action!r}; expected one of "
                         f"{', '.join(_ACTIONS)}", field="body")
    if not isinstance(meta, dict):
        raise BadRequest(f"line {number} of the bulk body: the {action!r} action's metadata is not an object",
                         field="body")
    return action, meta


def _text_meta(meta: dict, key: str) -> str:
    value = meta.get(key)
    return value if isinstance(value, str) else "" if value is None else str(value)


def _failed(action: str, index: str, given_id: str, reason: str) -> dict:
    return {action: {"_index": index, "_id": given_id, "status": 400,
                     "error": {"type": "illegal_argument_exception", "reason": reason}}}

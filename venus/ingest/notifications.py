"""OpenStack notifications (oslo.messaging, from RabbitMQ) → records, so that call chains and
instance histories show them beside the log lines.

reference/protocols.md §5. A message is the 2.0 envelope `{"oslo.version": "2.0", "oslo.message":
"<JSON>"}` (driver messagingv2) or the bare message (driver messaging). The message carries
`event_type`, `publisher_id` (`nova-compute:cmp1`: program and host), `priority`, `timestamp` (UTC,
naive), `payload` (versioned ones wrapped as `nova_object.data`) and the request context as
`_context_<key>`.

A record gets: the time; the level from the priority; program, service and host from the
publisher; the request ids, user and project from the context; the instance from the payload;
a message that names the event and sums up its payload (`instance.create.error uuid=... state=error
fault: NoValidHost: No valid host was found.`); and in attrs the event type, publisher, message
id, priority and the payload's top-level values (`payload.state`). A message that is not a
notification is stored raw.
"""

from __future__ import annotations

from typing import Any

import orjson
import pyarrow as pa

from venus.model import normalise_level
from venus.parse.lines import received_table
from venus.parse.paths import service_of
from venus.parse.timestamps import TimestampReader, zone

NOTIFICATION_SOURCE = "notifications"
MAX_SUMMARY_FIELDS = 8  # payload values named in the message
MAX_PAYLOAD_ATTRS = 40  # payload values kept in attrs
MAX_VALUE_CHARS = 1024
_PRIORITY_LEVELS = {"AUDIT": "NOTICE", "SAMPLE": "INFO", "WARN": "WARNING"}
# Payload keys worth naming first in the message, when the payload has them.
_SUMMARY_FIRST = ("uuid", "instance_id", "id", "display_name", "name", "state", "status", "task_state",
                  "host", "old_state", "new_task_state")
_INSTANCE_KEYS = ("instance_uuid", "instance_id", "uuid")


def unwrap(body: Any) -> dict | None:
    """The notification inside an AMQP body (envelope 2.0 or bare), or None when it is not one."""
    if isinstance(body, bytes | str):
        try:
            body = orjson.loads(body)
        except orjson.JSONDecodeError:
            return None
    if isinstance(body, dict) and "oslo.message" in body:
        try:
            body = orjson.loads(body["oslo.message"])
        except (orjson.JSONDecodeError, TypeError):
            return None
    return body if isinstance(body, dict) and "event_type" in body else None


def notification_record(body: Any, clock: TimestampReader, routing_key: str = "") -> dict:
    """The record fields of one AMQP message body."""
    message = unwrap(body)
    if message is None:
        text = body.decode("utf-8", "backslashreplace") if isinstance(body, bytes) else \
            body if isinstance(body, str) else orjson.dumps(body, default=str).decode()
        return {"level": "UNKNOWN", "message": text, "attrs": {"routing_key": routing_key} if routing_key else {}}
    event_type = str(message.get("event_type") or "")
    publisher = str(message.get("publisher_id") or "")
    program, _, host = publisher.partition(":")
    priority = str(message.get("priority") or "INFO").upper()
    payload = _data(message.get("payload"))
    record: dict = {
        "level": _PRIORITY_LEVELS.get(priority) or normalise_level(priority) or "INFO",
        "program": program, "service": service_of(program) if program else "", "host": host,
        "logger": "notification",
    }
    stamp = message.get("timestamp")
    if isinstance(stamp, str):
        ts = clock.iso(stamp.replace("T", " ", 1))
        if ts is not None:
            record["ts"] = ts
    for column, keys in (("request_id", ("_context_request_id",)),
                         ("global_request_id", ("_context_global_request_id",)),
                         ("user_id", ("_context_user_id", "_context_user")),
                         ("project_id", ("_context_project_id", "_context_tenant", "_context_project"))):
        value = next((message[k] for k in keys if isinstance(message.get(k), str) and message[k]), "")
        if value:
            record[column] = value.removeprefix("req-") if column.endswith("request_id") else value
    if not record.get("request_id") and isinstance(payload, dict) and isinstance(payload.get("request_id"), str):
        record["request_id"] = payload["request_id"].removeprefix("req-")
    if isinstance(payload, dict):
        instance = next((payload[k] for k in _INSTANCE_KEYS if isinstance(payload.get(k), str)), "")
        if instance and event_type.startswith(("instance.", "compute.instance.")):
            record["instance_id"] = instance
    attrs = {"event_type": event_type, "publisher_id": publisher, "priority": priority}
    if message.get("message_id"):
        attrs["message_id"] = str(message["message_id"])
    if routing_key:
        attrs["routing_key"] = routing_key
    scalars = _scalars(payload)
    attrs.update((f"payload.{k}", v[:MAX_VALUE_CHARS]) for k, v in list(scalars.items())[:MAX_PAYLOAD_ATTRS])
    record["attrs"] = attrs
    record["message"] = _summary(event_type, scalars, payload)
    return record


def _data(payload: Any) -> Any:
    """A versioned payload's fields (`nova_object.data`), or the legacy payload as it is."""
    if isinstance(payload, dict):
        for key, value in payload.items():
            if key.endswith("_object.data") and isinstance(value, dict):
                return value
    return payload


def _scalars(payload: Any) -> dict[str, str]:
    if not isinstance(payload, dict):
        return {} if payload is None else {"value": _text(payload)}
    first = [k for k in _SUMMARY_FIRST if k in payload]
    ordered = first + [k for k in payload if k not in first]
    return {k: _text(payload[k]) for k in ordered if isinstance(payload[k], str | int | float | bool)}


def _summary(event_type: str, scalars: dict[str, str], payload: Any) -> str:
    parts = [event_type or "notification"]
    parts.extend(f"{k}={v}" for k, v in list(scalars.items())[:MAX_SUMMARY_FIELDS] if v)
    fault = _data(payload.get("fault") or payload.get("exception")) if isinstance(payload, dict) else None
    if isinstance(fault, dict):
        kind = fault.get("exception") or fault.get("kind") or ""
        text = fault.get("exception_message") or fault.get("message") or ""
        parts.append(f"fault: {kind}: {text}" if kind else f"fault: {text}")
    return " ".join(parts)


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return value if isinstance(value, str) else str(value)


def notifications_table(bodies: list[Any], routing_keys: list[str], received_us: int) -> pa.Table:
    """The records of a batch of AMQP message bodies."""
    clock = TimestampReader(zone("UTC"))  # oslo.messaging stamps with utcnow()
    records = [notification_record(b, clock, k) for b, k in zip(bodies, routing_keys, strict=True)]
    return received_table(records, NOTIFICATION_SOURCE, received_us)

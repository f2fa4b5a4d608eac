"""The notification outbox: each message is tried at once, then again with back-off (30 s,
doubling, up to an hour between tries) until it is sent or has failed MAX_ATTEMPTS times. Every
try is written to the alert history, so an operator sees why a message did not arrive.

Messages are sent outside any database transaction; one scheduler runs delivery at a time (the
task lease), so a message is not sent twice by two nodes.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import select

from venus.alerts.notify import SendFailed, send
from venus.meta.models import AlertEvent, Channel, Notification
from venus.meta.store import MetadataStore, to_db

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
FIRST_RETRY = 30.0
LONGEST_WAIT = 3600.0
BATCH = 200


def backoff(attempts: int) -> float:
    """Seconds before the next try after `attempts` failed ones."""
    return min(FIRST_RETRY * 2 ** (attempts - 1), LONGEST_WAIT)


def deliver_due(meta: MetadataStore, now: datetime) -> dict[str, int]:
    """Send the messages whose time has come; returns how many were sent, will be retried, failed."""
    with meta.session() as s:
        due = list(s.scalars(select(Notification).where(Notification.status == "pending",
                                                        Notification.next_attempt <= to_db(now))
                             .order_by(Notification.id).limit(BATCH)))
        channels = {c.id: c for c in s.scalars(select(Channel))}
    counts = {"sent": 0, "retrying": 0, "failed": 0}
    for note in due:
        channel = channels.get(note.channel_id)
        error = None
        if channel is None:
            error = "the channel was deleted"
        elif not channel.enabled:
            error = f"the channel {channel.name} is disabled"
        else:
            try:
                send(channel.type, channel.settings, channel.template, note.payload)
            except SendFailed as exc:
                error = str(exc)
            except Exception as exc:  # a template error met only now, a bad stored setting
                log.exception("notification %d to %s", note.id, channel.name)
                error = f"{type(exc).__name__}: {exc}"
        attempts = note.attempts + 1
        if error is None:
            status = "sent"
        elif channel is None or not channel.enabled or attempts >= MAX_ATTEMPTS:
            status = "failed"
        else:
            status = "retrying"
        counts[status] += 1
        if error:
            log.warning("notification %d (%s, %s) to %s: try %d %s: %s", note.id, note.rule_name, note.event,
                        channel.name if channel else "?", attempts, status, error)
        _record(meta, note, channel, status, attempts, error, now)
    return counts


def _record(meta: MetadataStore, note: Notification, channel: Channel | None, status: str, attempts: int,
            error: str | None, now: datetime) -> None:
    with meta.session() as s:
        row = s.get(Notification, note.id)
        if row is None:
            return
        row.attempts, row.last_error = attempts, error
        row.status = "pending" if status == "retrying" else status
        if status == "sent":
            row.sent_time = to_db(now)
        elif status == "retrying":
            row.next_attempt = to_db(now + timedelta(seconds=backoff(attempts)))
        s.add(AlertEvent(time=to_db(now), rule_id=note.rule_id, rule_name=note.rule_name, group_key=note.group_key,
                         labels=note.labels, kind="notification", state=note.event, previous=None,
                         value=note.payload.get("value"), threshold=note.payload.get("threshold"),
                         channel=channel.name if channel else note.channel_id, status=status, attempt=attempts,
                         error=error))

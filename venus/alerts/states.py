"""The life of one group of a rule: ok → pending → firing → resolved, and when to notify.

Pure functions of the previous state, what was measured and the time, so every transition can be
tested without a store or a clock.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

OK, PENDING, FIRING, RESOLVED = "ok", "pending", "firing", "resolved"
STATES = (OK, PENDING, FIRING, RESOLVED)


@dataclass(frozen=True)
class GroupState:
    state: str
    state_since: datetime
    pending_since: datetime | None = None
    last_notified: datetime | None = None  # when the current firing was last notified (None: not yet)


def advance(prev: GroupState | None, breached: bool, now: datetime, hold: float) -> GroupState:
    """The state after one evaluation. `hold` is the rule's `for`: how long a breach lasts before
    it fires (pending meanwhile)."""
    current = prev.state if prev else OK
    if breached:
        if current == FIRING:
            return prev  # type: ignore[return-value]
        started = prev.pending_since if prev and current == PENDING else now
        if (now - started).total_seconds() >= hold:
            return GroupState(FIRING, now, started, None)
        return prev if current == PENDING else GroupState(PENDING, now, now)  # type: ignore[return-value]
    if current == FIRING:
        return GroupState(RESOLVED, now, None, prev.last_notified)  # type: ignore[union-attr]
    if current == PENDING:
        return GroupState(OK, now)
    return prev or GroupState(OK, now)


def notification_due(state: GroupState, prev: GroupState | None, now: datetime, renotify: float,
                     notify_resolved: bool, silenced: bool) -> str | None:
    """'firing' or 'resolved' when this evaluation should notify, else None. A firing is told
    once, then again every `renotify` seconds (0: never) while it lasts; a silenced one is told
    once the silence ends; a resolution is told when its firing was."""
    if silenced:
        return None
    if state.state == FIRING:
        if state.last_notified is None:
            return FIRING
        if renotify and (now - state.last_notified).total_seconds() >= renotify:
            return FIRING
        return None
    if state.state == RESOLVED and prev is not None and prev.state == FIRING:
        return RESOLVED if notify_resolved and state.last_notified is not None else None
    return None


def notified(state: GroupState, now: datetime) -> GroupState:
    return replace(state, last_notified=now)

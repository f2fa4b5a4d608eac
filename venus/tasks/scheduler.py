"""`Scheduler`: the tasks of `venus serve` (alert evaluation, anomaly rules, retention, clean-up),
each on its schedule, with a lease in the metadata database so that when several Venus nodes share
it, exactly one runs each scheduled run.

A node claims a run with one conditional UPDATE: it moves the task's `next_run` from the slot it
saw to the following slot and takes the lease, only if nobody moved it first and no lease is held.
The database decides who wins (SQLite, MariaDB and PostgreSQL alike), so no clock or node needs to
be trusted beyond its own. A node that dies mid-run holds the lease until it expires; the slot it
took is not run twice. Run-now takes the lease the same way and leaves the schedule alone.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import orjson
from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError

from venus.errors import BadRequest, NotFound, StoreUnavailable, TooManyRequests
from venus.jsonfmt import dumps
from venus.meta.models import Task, TaskRun
from venus.meta.store import MetadataStore, db_now, from_db, now_utc, to_db
from venus.tasks.schedules import parse_schedule

log = logging.getLogger(__name__)

TICK = 1.0  # seconds between two looks at the task table


@dataclass(frozen=True)
class TaskDef:
    """A task the server can run: what it does, its first schedule, how long its lease lasts."""

    name: str
    description: str
    run: Callable[[], object]
    schedule: str
    enabled: bool = True
    lease: float = 3600.0  # a run longer than this may be started again by another node


def node_name(port: int | None = None) -> str:
    return f"{socket.gethostname()}:{port or '-'}:{os.getpid()}"


class Scheduler:
    def __init__(self, meta: MetadataStore, tasks: list[TaskDef], node: str, zone: str = "UTC",
                 run_scheduled: bool = True) -> None:
        self.meta = meta
        self.tasks = {t.name: t for t in tasks}
        self.node = node
        try:
            ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError):
            raise BadRequest(f"[tasks] timezone: {zone!r} is not a time zone such as UTC or Asia/Shanghai",
                             field="[tasks] timezone") from None
        self.zone = zone
        self.run_scheduled = run_scheduled
        self._stop = threading.Event()
        self._running: set[str] = set()
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(max_workers=max(1, len(tasks)), thread_name_prefix="venus-task")
        self._thread = threading.Thread(target=self._loop, name="venus-scheduler", daemon=True)

    # -- the table ---------------------------------------------------------------------------

    def seed(self) -> None:
        """Add the tasks the table does not have yet, with their first schedule."""
        now = now_utc()
        for task in self.tasks.values():
            with self.meta.session() as s:
                exists = s.get(Task, task.name) is not None
            if exists:
                continue
            first = parse_schedule(task.schedule).next_after(now, self.zone)
            try:
                with self.meta.session() as s:
                    s.add(Task(name=task.name, schedule=task.schedule, enabled=task.enabled, next_run=to_db(first),
                               update_time=to_db(now)))
            except StoreUnavailable as exc:
                if not isinstance(exc.__cause__, IntegrityError):  # another node seeded it first
                    raise

    def describe(self) -> list[dict]:
        with self.meta.session() as s:
            rows = {t.name: t for t in s.scalars(select(Task))}
        return [self._describe(rows[name]) for name in self.tasks if name in rows]

    def _describe(self, row: Task) -> dict:
        now = now_utc()
        lease = from_db(row.lease_until)
        return {"name": row.name, "description": self.tasks[row.name].description, "schedule": row.schedule,
                "enabled": row.enabled, "next_run": from_db(row.next_run) if row.enabled else None,
                "running": bool(row.lease_owner and lease and lease > now), "running_on": row.lease_owner,
                "last_run": from_db(row.last_start), "last_duration": row.last_duration,
                "last_outcome": row.last_outcome, "last_error": row.last_error}

    def task(self, name: str) -> dict:
        if name not in self.tasks:
            raise NotFound(f"no task {name!r}; tasks: {', '.join(self.tasks)}", field="name")
        with self.meta.session() as s:
            row = s.get(Task, name)
            if row is None:
                raise NotFound(f"task {name!r} is not in the metadata store yet", field="name")
            return self._describe(row)

    def change(self, name: str, schedule: str | None = None, enabled: bool | None = None) -> dict:
        """A new schedule (checked, the next run counted from now) and/or enabled flag."""
        self.task(name)
        values: dict = {"update_time": db_now()}
        if schedule is not None:
            parsed = parse_schedule(schedule)
            values.update(schedule=parsed.text, next_run=to_db(parsed.next_after(now_utc(), self.zone)))
        if enabled is not None:
            values["enabled"] = enabled
            if enabled and schedule is None:
                with self.meta.session() as s:
                    current = s.get(Task, name).schedule  # type: ignore[union-attr]
                values["next_run"] = to_db(parse_schedule(current).next_after(now_utc(), self.zone))
        with self.meta.session() as s:
            s.execute(update(Task).where(Task.name == name).values(**values))
        return self.task(name)

    def runs(self, name: str | None = None, limit: int = 50) -> list[dict]:
        query = select(TaskRun).order_by(TaskRun.started.desc(), TaskRun.id.desc()).limit(limit)
        if name is not None:
            self.task(name)
            query = query.where(TaskRun.task == name)
        with self.meta.session() as s:
            return [{"id": r.id, "task": r.task, "node": r.node, "scheduled_for": from_db(r.scheduled_for),
                     "started": from_db(r.started), "duration": r.duration, "outcome": r.outcome, "error": r.error,
                     "result": r.result} for r in s.scalars(query)]

    # -- claiming and running ----------------------------------------------------------------

    def _claim(self, name: str, slot: datetime | None, following: datetime | None, now: datetime) -> bool:
        """Take the lease (and, for a scheduled run, move next_run from `slot` to `following`)."""
        free = or_(Task.lease_until.is_(None), Task.lease_until < to_db(now))
        values: dict = {"lease_owner": self.node,
                        "lease_until": to_db(now + timedelta(seconds=self.tasks[name].lease))}
        where = [Task.name == name, free]
        if slot is not None:
            where += [Task.enabled.is_(True), Task.next_run == to_db(slot)]
            values["next_run"] = to_db(following)  # type: ignore[arg-type]
        with self.meta.session() as s:
            return s.execute(update(Task).where(*where).values(**values)).rowcount == 1

    def _run(self, name: str, slot: datetime | None) -> dict:
        """Run a claimed task here, record the run, release the lease."""
        started = now_utc()
        with self.meta.session() as s:
            run = TaskRun(task=name, node=self.node, scheduled_for=slot and to_db(slot), started=to_db(started),
                          outcome="running")
            s.add(run)
            s.flush()
            run_id = run.id
        began = time.perf_counter()
        outcome, error, result = "ok", None, None
        try:
            value = self.tasks[name].run()
            result = _jsonable(value)
        except Exception as exc:  # a failed run is recorded; the next one still comes
            log.exception("task %s failed", name)
            outcome, error = "error", f"{type(exc).__name__}: {getattr(exc, 'message', None) or exc}"
        duration = round(time.perf_counter() - began, 3)
        with self.meta.session() as s:
            s.execute(update(TaskRun).where(TaskRun.id == run_id).values(duration=duration, outcome=outcome,
                                                                         error=error, result=result))
            s.execute(update(Task).where(Task.name == name, Task.lease_owner == self.node).values(
                lease_owner=None, lease_until=None, last_start=to_db(started), last_duration=duration,
                last_outcome=outcome, last_error=error))
        return {"id": run_id, "task": name, "node": self.node, "scheduled_for": slot, "started": started,
                "duration": duration, "outcome": outcome, "error": error, "result": result}

    def run_now(self, name: str) -> dict:
        """Run a task at once on this node (and wait for it); 429 when it is running somewhere."""
        info = self.task(name)
        if not self._claim(name, None, None, now_utc()):
            raise TooManyRequests(f"task {name} is running on {info['running_on'] or 'another node'}; "
                                  "try again when it has finished", field="name")
        with self._lock:
            self._running.add(name)
        try:
            return self._run(name, None)
        finally:
            with self._lock:
                self._running.discard(name)

    def due(self, now: datetime) -> list[tuple[str, datetime, datetime]]:
        """(task, its slot, the slot after) for each enabled task whose time has come."""
        with self.meta.session() as s:
            rows = list(s.scalars(select(Task).where(Task.enabled.is_(True), Task.next_run <= to_db(now))))
        out = []
        for row in rows:
            if row.name not in self.tasks:
                continue  # a task of a newer Venus sharing the database
            try:
                schedule = parse_schedule(row.schedule)
            except BadRequest:
                log.error("task %s has the schedule %r, which is not valid; not run", row.name, row.schedule)
                continue
            slot = from_db(row.next_run)
            out.append((row.name, slot, schedule.following(slot, now, self.zone)))  # type: ignore[arg-type]
        return out

    def tick(self) -> None:
        now = now_utc()
        for name, slot, following in self.due(now):
            with self._lock:
                if name in self._running:
                    continue
            if self._claim(name, slot, following, now):
                with self._lock:
                    self._running.add(name)
                self._pool.submit(self._run_claimed, name, slot)

    def _run_claimed(self, name: str, slot: datetime) -> None:
        try:
            self._run(name, slot)
        except Exception:
            log.exception("task %s: could not record its run", name)
        finally:
            with self._lock:
                self._running.discard(name)

    def _loop(self) -> None:
        while not self._stop.wait(TICK):
            try:
                self.tick()
            except Exception as exc:  # the metadata database away: try again at the next tick
                log.error("scheduler: %s", getattr(exc, "message", None) or exc)

    # -- life --------------------------------------------------------------------------------

    def start(self) -> Scheduler:
        self.seed()
        if self.run_scheduled:
            self._thread.start()
        return self

    def stop(self) -> None:
        """Stop claiming runs; wait for the runs in progress to finish."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()
        self._pool.shutdown(wait=True)


def _jsonable(value: object) -> object:
    """A task's result as the JSON column takes it (times as text), or None."""
    if value is None:
        return None
    return orjson.loads(dumps(value if isinstance(value, dict) else {"result": value}))

"""Tables of the metadata store, as SQLAlchemy 2 declarative models.

Times are stored in UTC without a zone; the /v1 API writes them as the original did. The newer
tables keep microseconds on MariaDB too (`Moment`): the scheduler compares times it wrote.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, DateTime, Float, Integer, String, Text, true
from sqlalchemy.dialects import mysql
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# MySQL's and MariaDB's DATETIME drops the fraction of a second unless told to keep it.
Moment = DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb")


class Base(DeclarativeBase):
    pass


class CustomConfig(Base):
    """Settings operators change at run time (retention, size cap); one row per key."""

    __tablename__ = "custom_config"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(String(10240))
    update_time: Mapped[datetime] = mapped_column(DateTime)


class RuleFields:
    """What a rule says and each of its records repeats (a record outlives its rule's edits)."""

    title: Mapped[str] = mapped_column(String(1024))
    desc: Mapped[str] = mapped_column(String(1024))
    keyword: Mapped[str] = mapped_column(String(1024))
    log_type: Mapped[str] = mapped_column(String(1024))
    module: Mapped[str] = mapped_column(String(1024))


class AnomalyRule(RuleFields, Base):
    """A keyword rule of the original Venus: lines of `module` (a service or a program) whose
    message holds `keyword` become anomaly records. `flag` 1 is enabled, 0 disabled."""

    __tablename__ = "anomaly_rules"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    flag: Mapped[int] = mapped_column(Integer, default=1)
    create_time: Mapped[datetime] = mapped_column(DateTime, index=True)
    update_time: Mapped[datetime] = mapped_column(DateTime)
    # Added by revision 0002: case-insensitive matching, the end of the last window examined,
    # and the notification channels (names) a new record is sent to.
    match_case: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    watermark: Mapped[datetime | None] = mapped_column(Moment, nullable=True)
    channels: Mapped[list | None] = mapped_column(JSON, nullable=True)


class AnomalyRecord(RuleFields, Base):
    """The lines that matched a rule in one detection window, with the rule's fields: `count`
    lines, the first as `logs`/`line_id` (as the original's one-line records), a few in `samples`."""

    __tablename__ = "anomaly_records"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    rule_id: Mapped[str] = mapped_column(String(64), index=True)
    logs: Mapped[str] = mapped_column(Text)
    line_id: Mapped[str] = mapped_column(String(512))
    start_time: Mapped[datetime] = mapped_column(DateTime)
    end_time: Mapped[datetime] = mapped_column(DateTime)
    create_time: Mapped[datetime] = mapped_column(DateTime, index=True)
    count: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    samples: Mapped[list | None] = mapped_column(JSON, nullable=True)


class AlertRuleRow(Base):
    """An alert rule; `spec` is the validated rule (venus.alerts.rules.AlertRule) as JSON."""

    __tablename__ = "alert_rules"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(255), unique=True)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    spec: Mapped[dict[str, Any]] = mapped_column(JSON)
    create_time: Mapped[datetime] = mapped_column(Moment)
    update_time: Mapped[datetime] = mapped_column(Moment)


class AlertStateRow(Base):
    """Where one group of a rule stands (ok, pending, firing, resolved) and what was notified."""

    __tablename__ = "alert_states"

    rule_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    group_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    labels: Mapped[dict[str, str]] = mapped_column(JSON)
    state: Mapped[str] = mapped_column(String(16))
    state_since: Mapped[datetime] = mapped_column(Moment)
    pending_since: Mapped[datetime | None] = mapped_column(Moment, nullable=True)
    value: Mapped[float | None] = mapped_column(Float, nullable=True)
    threshold: Mapped[float | None] = mapped_column(Float, nullable=True)
    last_eval: Mapped[datetime] = mapped_column(Moment)
    last_notified: Mapped[datetime | None] = mapped_column(Moment, nullable=True)


class AlertEvent(Base):
    """The history: a group's change of state, or a notification's fate (sent, retrying, failed,
    silenced)."""

    __tablename__ = "alert_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    time: Mapped[datetime] = mapped_column(Moment, index=True)
    rule_id: Mapped[str] = mapped_column(String(64), index=True)
    rule_name: Mapped[str] = mapped_column(String(255))
    group_key: Mapped[str] = mapped_column(String(64))
    labels: Mapped[dict[str, str]] = mapped_column(JSON)
    kind: Mapped[str] = mapped_column(String(16))  # state | notification
    state: Mapped[str] = mapped_column(String(16))  # the new state; for a notification, its event
    previous: Mapped[str | None] = mapped_column(String(16), nullable=True)
    value: Mapped[float | None] = mapped_column(Float, nullable=True)
    threshold: Mapped[float | None] = mapped_column(Float, nullable=True)
    channel: Mapped[str | None] = mapped_column(String(255), nullable=True)
    status: Mapped[str | None] = mapped_column(String(16), nullable=True)
    attempt: Mapped[int | None] = mapped_column(Integer, nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)


class Silence(Base):
    """Notifications of the alerts whose labels match every matcher are held back between
    `starts_at` and `ends_at`; with `weekly`, only within its days and hours (a maintenance window)."""

    __tablename__ = "silences"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    matchers: Mapped[list[dict[str, str]]] = mapped_column(JSON)
    starts_at: Mapped[datetime] = mapped_column(Moment)
    ends_at: Mapped[datetime] = mapped_column(Moment, index=True)
    weekly: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    comment: Mapped[str] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(255))
    create_time: Mapped[datetime] = mapped_column(Moment)


class Channel(Base):
    """Where notifications go: `type` (email, webhook, alertmanager, dingtalk, wecom, slack), its
    settings, and a template of the operator's (None: the type's own)."""

    __tablename__ = "channels"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(255), unique=True)
    type: Mapped[str] = mapped_column(String(32))
    settings: Mapped[dict[str, Any]] = mapped_column(JSON)
    template: Mapped[str | None] = mapped_column(Text, nullable=True)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    create_time: Mapped[datetime] = mapped_column(Moment)
    update_time: Mapped[datetime] = mapped_column(Moment)


class Notification(Base):
    """A message to send to a channel (the outbox): sent at once, retried with back-off on failure."""

    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    channel_id: Mapped[str] = mapped_column(String(64))
    rule_id: Mapped[str] = mapped_column(String(64))
    rule_name: Mapped[str] = mapped_column(String(255))
    group_key: Mapped[str] = mapped_column(String(64))
    labels: Mapped[dict[str, str]] = mapped_column(JSON)
    event: Mapped[str] = mapped_column(String(16))  # firing | resolved | test | anomaly
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), index=True)  # pending | sent | failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt: Mapped[datetime] = mapped_column(Moment)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    create_time: Mapped[datetime] = mapped_column(Moment)
    sent_time: Mapped[datetime | None] = mapped_column(Moment, nullable=True)


class Task(Base):
    """A scheduled task: its schedule, and the lease that lets one node of many run it."""

    __tablename__ = "tasks"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    schedule: Mapped[str] = mapped_column(String(255))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    next_run: Mapped[datetime] = mapped_column(Moment)
    lease_owner: Mapped[str | None] = mapped_column(String(255), nullable=True)
    lease_until: Mapped[datetime | None] = mapped_column(Moment, nullable=True)
    last_start: Mapped[datetime | None] = mapped_column(Moment, nullable=True)
    last_duration: Mapped[float | None] = mapped_column(Float, nullable=True)
    last_outcome: Mapped[str | None] = mapped_column(String(16), nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    update_time: Mapped[datetime] = mapped_column(Moment)


class TaskRun(Base):
    """One run of a task: on which node, for which scheduled time (None: run by hand), how it ended."""

    __tablename__ = "task_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    task: Mapped[str] = mapped_column(String(64), index=True)
    node: Mapped[str] = mapped_column(String(255))
    scheduled_for: Mapped[datetime | None] = mapped_column(Moment, nullable=True)
    started: Mapped[datetime] = mapped_column(Moment, index=True)
    duration: Mapped[float | None] = mapped_column(Float, nullable=True)
    outcome: Mapped[str] = mapped_column(String(16))  # running | ok | error
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)


class SavedSearch(Base):
    """A named query with its time range, for the console and the CLI."""

    __tablename__ = "saved_searches"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(255), unique=True)
    query: Mapped[str] = mapped_column(Text)
    since: Mapped[str | None] = mapped_column(String(64), nullable=True)
    until: Mapped[str | None] = mapped_column(String(64), nullable=True)
    create_time: Mapped[datetime] = mapped_column(Moment)
    update_time: Mapped[datetime] = mapped_column(Moment)


class LogTemplate(Base):
    """A mined log template (venus.analysis.templates): its text, the miner's state to resume from
    (masked tokens, separators, values seen per position), its lines so far, when it was first
    and last seen and a few example messages."""

    __tablename__ = "log_templates"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    text: Mapped[str] = mapped_column(Text)
    state: Mapped[dict[str, Any]] = mapped_column(JSON)
    count: Mapped[int] = mapped_column(BigInteger, default=0)
    first_seen: Mapped[datetime] = mapped_column(Moment)
    last_seen: Mapped[datetime] = mapped_column(Moment, index=True)
    examples: Mapped[list] = mapped_column(JSON)


class ApiToken(Base):
    """A static API token (venus.auth.tokens): only its SHA-256 is kept, with the roles and the
    project it acts with, until it expires or is revoked."""

    __tablename__ = "api_tokens"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(255), unique=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    roles: Mapped[list] = mapped_column(JSON)
    project_id: Mapped[str] = mapped_column(String(64), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    create_time: Mapped[datetime] = mapped_column(Moment)
    expires_at: Mapped[datetime | None] = mapped_column(Moment, nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(Moment, nullable=True)


class ReportSchedule(Base):
    """An operations report made on a schedule (venus.reports.schedules) over the `span` before each
    run, and sent to channels."""

    __tablename__ = "report_schedules"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(255), unique=True)
    schedule: Mapped[str] = mapped_column(String(255))  # daily, weekly, a cron expression or an interval
    span: Mapped[float] = mapped_column(Float)  # seconds each report covers
    query: Mapped[str] = mapped_column(Text, default="")
    language: Mapped[str] = mapped_column(String(8), default="en")
    channels: Mapped[list] = mapped_column(JSON)  # channel names or ids
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    next_run: Mapped[datetime | None] = mapped_column(Moment, nullable=True)
    last_run: Mapped[datetime | None] = mapped_column(Moment, nullable=True)
    create_time: Mapped[datetime] = mapped_column(Moment)
    update_time: Mapped[datetime] = mapped_column(Moment)


class StoredReport(Base):
    """A report kept on disk (`<data_dir>/reports/<id>.html|.pdf`) until `[reports] keep_days`:
    its range, what it said in short, and where it was sent."""

    __tablename__ = "reports"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    schedule_id: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    title: Mapped[str] = mapped_column(String(255))
    start: Mapped[datetime] = mapped_column(Moment)
    end: Mapped[datetime] = mapped_column(Moment)
    query: Mapped[str] = mapped_column(Text, default="")
    language: Mapped[str] = mapped_column(String(8))
    create_time: Mapped[datetime] = mapped_column(Moment, index=True)
    summary: Mapped[dict] = mapped_column(JSON)
    sizes: Mapped[dict] = mapped_column(JSON)  # format: bytes
    deliveries: Mapped[list] = mapped_column(JSON)  # {channel, status, error}

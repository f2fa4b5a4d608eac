"""Alerting and scheduling: alert rules, states, history, silences, channels, the notification
outbox, tasks and their runs, saved searches; anomaly rules gain case options, a watermark and
channels, anomaly records a count and sample lines.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

from venus.meta.models import Moment

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def _moment(name: str, nullable: bool = False, index: bool = False) -> sa.Column:
    return sa.Column(name, Moment, nullable=nullable, index=index)


def upgrade() -> None:
    with op.batch_alter_table("anomaly_rules") as batch:
        batch.add_column(sa.Column("match_case", sa.Boolean, nullable=False, server_default=sa.true()))
        batch.add_column(_moment("watermark", nullable=True))
        batch.add_column(sa.Column("channels", sa.JSON, nullable=True))
    with op.batch_alter_table("anomaly_records") as batch:
        batch.add_column(sa.Column("count", sa.Integer, nullable=False, server_default="1"))
        batch.add_column(sa.Column("samples", sa.JSON, nullable=True))
    op.create_table(
        "alert_rules",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(255), nullable=False, unique=True),
        sa.Column("enabled", sa.Boolean, nullable=False),
        sa.Column("spec", sa.JSON, nullable=False),
        _moment("create_time"), _moment("update_time"),
    )
    op.create_table(
        "alert_states",
        sa.Column("rule_id", sa.String(64), primary_key=True),
        sa.Column("group_key", sa.String(64), primary_key=True),
        sa.Column("labels", sa.JSON, nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        _moment("state_since"), _moment("pending_since", nullable=True),
        sa.Column("value", sa.Float, nullable=True),
        sa.Column("threshold", sa.Float, nullable=True),
        _moment("last_eval"), _moment("last_notified", nullable=True),
    )
    op.create_table(
        "alert_events",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        _moment("time", index=True),
        sa.Column("rule_id", sa.String(64), nullable=False, index=True),
        sa.Column("rule_name", sa.String(255), nullable=False),
        sa.Column("group_key", sa.String(64), nullable=False),
        sa.Column("labels", sa.JSON, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("previous", sa.String(16), nullable=True),
        sa.Column("value", sa.Float, nullable=True),
        sa.Column("threshold", sa.Float, nullable=True),
        sa.Column("channel", sa.String(255), nullable=True),
        sa.Column("status", sa.String(16), nullable=True),
        sa.Column("attempt", sa.Integer, nullable=True),
        sa.Column("error", sa.Text, nullable=True),
    )
    op.create_table(
        "silences",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("matchers", sa.JSON, nullable=False),
        _moment("starts_at"), _moment("ends_at", index=True),
        sa.Column("weekly", sa.JSON, nullable=True),
        sa.Column("comment", sa.Text, nullable=False),
        sa.Column("created_by", sa.String(255), nullable=False),
        _moment("create_time"),
    )
    op.create_table(
        "channels",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(255), nullable=False, unique=True),
        sa.Column("type", sa.String(32), nullable=False),
        sa.Column("settings", sa.JSON, nullable=False),
        sa.Column("template", sa.Text, nullable=True),
        sa.Column("enabled", sa.Boolean, nullable=False),
        _moment("create_time"), _moment("update_time"),
    )
    op.create_table(
        "notifications",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("channel_id", sa.String(64), nullable=False),
        sa.Column("rule_id", sa.String(64), nullable=False),
        sa.Column("rule_name", sa.String(255), nullable=False),
        sa.Column("group_key", sa.String(64), nullable=False),
        sa.Column("labels", sa.JSON, nullable=False),
        sa.Column("event", sa.String(16), nullable=False),
        sa.Column("payload", sa.JSON, nullable=False),
        sa.Column("status", sa.String(16), nullable=False, index=True),
        sa.Column("attempts", sa.Integer, nullable=False),
        _moment("next_attempt"),
        sa.Column("last_error", sa.Text, nullable=True),
        _moment("create_time"), _moment("sent_time", nullable=True),
    )
    op.create_table(
        "tasks",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("schedule", sa.String(255), nullable=False),
        sa.Column("enabled", sa.Boolean, nullable=False),
        _moment("next_run"),
        sa.Column("lease_owner", sa.String(255), nullable=True),
        _moment("lease_until", nullable=True), _moment("last_start", nullable=True),
        sa.Column("last_duration", sa.Float, nullable=True),
        sa.Column("last_outcome", sa.String(16), nullable=True),
        sa.Column("last_error", sa.Text, nullable=True),
        _moment("update_time"),
    )
    op.create_table(
        "task_runs",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("task", sa.String(64), nullable=False, index=True),
        sa.Column("node", sa.String(255), nullable=False),
        _moment("scheduled_for", nullable=True), _moment("started", index=True),
        sa.Column("duration", sa.Float, nullable=True),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("error", sa.Text, nullable=True),
        sa.Column("result", sa.JSON, nullable=True),
    )
    op.create_table(
        "saved_searches",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(255), nullable=False, unique=True),
        sa.Column("query", sa.Text, nullable=False),
        sa.Column("since", sa.String(64), nullable=True),
        sa.Column("until", sa.String(64), nullable=True),
        _moment("create_time"), _moment("update_time"),
    )


def downgrade() -> None:
    for table in ("saved_searches", "task_runs", "tasks", "notifications", "channels", "silences",
                  "alert_events", "alert_states", "alert_rules"):
        op.drop_table(table)
    with op.batch_alter_table("anomaly_records") as batch:
        batch.drop_column("samples")
        batch.drop_column("count")
    with op.batch_alter_table("anomaly_rules") as batch:
        batch.drop_column("channels")
        batch.drop_column("watermark")
        batch.drop_column("match_case")

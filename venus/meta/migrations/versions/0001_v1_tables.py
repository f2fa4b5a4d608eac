"""The original Venus's tables: custom config, anomaly rules, anomaly records.

The custom config's defaults are written by the server (log_save_days comes from venus.conf).

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

def _rule_columns() -> list[sa.Column]:
    return [sa.Column(name, sa.String(1024), nullable=False) for name in ("title", "desc", "keyword", "log_type",
                                                                          "module")]


def upgrade() -> None:
    op.create_table(
        "custom_config",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("value", sa.String(10240), nullable=False),
        sa.Column("update_time", sa.DateTime, nullable=False),
    )
    op.create_table(
        "anomaly_rules",
        sa.Column("id", sa.String(64), primary_key=True),
        *_rule_columns(),
        sa.Column("flag", sa.Integer, nullable=False),
        sa.Column("create_time", sa.DateTime, nullable=False, index=True),
        sa.Column("update_time", sa.DateTime, nullable=False),
    )
    op.create_table(
        "anomaly_records",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("rule_id", sa.String(64), nullable=False, index=True),
        *_rule_columns(),
        sa.Column("logs", sa.Text, nullable=False),
        sa.Column("line_id", sa.String(512), nullable=False),
        sa.Column("start_time", sa.DateTime, nullable=False),
        sa.Column("end_time", sa.DateTime, nullable=False),
        sa.Column("create_time", sa.DateTime, nullable=False, index=True),
    )


def downgrade() -> None:
    op.drop_table("anomaly_records")
    op.drop_table("anomaly_rules")
    op.drop_table("custom_config")

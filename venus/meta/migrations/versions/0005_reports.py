"""Operations reports: their schedules, and the reports kept (venus.reports).

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

from venus.meta.models import Moment

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "report_schedules",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(255), nullable=False, unique=True),
        sa.Column("schedule", sa.String(255), nullable=False),
        sa.Column("span", sa.Float, nullable=False),
        sa.Column("query", sa.Text, nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("channels", sa.JSON, nullable=False),
        sa.Column("enabled", sa.Boolean, nullable=False),
        sa.Column("next_run", Moment, nullable=True),
        sa.Column("last_run", Moment, nullable=True),
        sa.Column("create_time", Moment, nullable=False),
        sa.Column("update_time", Moment, nullable=False),
    )
    op.create_table(
        "reports",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("schedule_id", sa.String(64), nullable=True, index=True),
        sa.Column("title", sa.String(255), nullable=False),
        sa.Column("start", Moment, nullable=False),
        sa.Column("end", Moment, nullable=False),
        sa.Column("query", sa.Text, nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("create_time", Moment, nullable=False, index=True),
        sa.Column("summary", sa.JSON, nullable=False),
        sa.Column("sizes", sa.JSON, nullable=False),
        sa.Column("deliveries", sa.JSON, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("reports")
    op.drop_table("report_schedules")

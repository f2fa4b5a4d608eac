"""Log templates: the catalogue the template miner keeps (venus.analysis.templates).

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

from venus.meta.models import Moment

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "log_templates",
        sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("state", sa.JSON, nullable=False),
        sa.Column("count", sa.BigInteger, nullable=False),
        sa.Column("first_seen", Moment, nullable=False),
        sa.Column("last_seen", Moment, nullable=False, index=True),
        sa.Column("examples", sa.JSON, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("log_templates")

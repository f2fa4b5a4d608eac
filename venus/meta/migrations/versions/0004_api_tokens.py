"""Static API tokens (venus.auth.tokens): their SHA-256, roles and project.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

from venus.meta.models import Moment

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(255), nullable=False, unique=True),
        sa.Column("digest", sa.String(64), nullable=False, unique=True),
        sa.Column("prefix", sa.String(16), nullable=False),
        sa.Column("roles", sa.JSON, nullable=False),
        sa.Column("project_id", sa.String(64), nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("create_time", Moment, nullable=False),
        sa.Column("expires_at", Moment, nullable=True),
        sa.Column("revoked_at", Moment, nullable=True),
    )


def downgrade() -> None:
    op.drop_table("api_tokens")

"""receiver heartbeats and listeners at start

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("airings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("listeners_at_start", sa.Integer(), nullable=True))

    with op.batch_alter_table("receivers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("last_seen", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("status", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("volume", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("clock_offset_ms", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("playing", sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("receivers", schema=None) as batch_op:
        batch_op.drop_column("playing")
        batch_op.drop_column("clock_offset_ms")
        batch_op.drop_column("volume")
        batch_op.drop_column("status")
        batch_op.drop_column("last_seen")

    with op.batch_alter_table("airings", schema=None) as batch_op:
        batch_op.drop_column("listeners_at_start")

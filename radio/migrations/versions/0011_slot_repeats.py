"""repeats within an airing: a slot's occurrence airs 1 to 10 times with a pause between

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("slots") as table:
        table.add_column(sa.Column("repeats", sa.Integer(), nullable=False, server_default="1"))
        table.add_column(
            sa.Column("repeat_gap_s", sa.Integer(), nullable=False, server_default="0")
        )


def downgrade() -> None:
    with op.batch_alter_table("slots") as table:
        table.drop_column("repeat_gap_s")
        table.drop_column("repeats")

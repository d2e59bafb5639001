"""relay programs: a program may be an outside station relayed for a length of time

Revision ID: 0014
Revises: 0013
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("programs") as table:
        table.add_column(sa.Column("relay_source_id", sa.Integer(), nullable=True))
        table.add_column(sa.Column("relay_url", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("programs") as table:
        table.drop_column("relay_url")
        table.drop_column("relay_source_id")

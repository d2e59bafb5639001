"""recorded revisions: what a revision is made of (text or a recording) and its language

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("revisions") as table:
        table.add_column(
            sa.Column(
                "source",
                sa.Enum("text", "recording", name="source", native_enum=False, length=16),
                nullable=False,
                server_default="text",
            )
        )
        table.add_column(
            sa.Column("language", sa.String(length=8), nullable=False, server_default="vi")
        )


def downgrade() -> None:
    with op.batch_alter_table("revisions") as table:
        table.drop_column("language")
        table.drop_column("source")

"""on-air integrity: the playout lease, retired zones, who made a slot, when a slot next
needs materializing, and indexes for the scheduler's passes

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "leases",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("holder", sa.String(length=200), nullable=False),
        sa.Column("url", sa.String(length=300), nullable=False, server_default=""),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    with op.batch_alter_table("zones", schema=None) as batch_op:
        batch_op.add_column(sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("slots", schema=None) as batch_op:
        batch_op.add_column(sa.Column("created_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("next_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_foreign_key(
            "fk_slots_created_by_id_users", "users", ["created_by_id"], ["id"], ondelete="SET NULL"
        )
        batch_op.create_index("ix_slots_next_at", ["next_at"])
    with op.batch_alter_table("airings", schema=None) as batch_op:
        batch_op.create_index("ix_airings_open", ["status", "started_at", "scheduled_at"])
        batch_op.create_index("ix_airings_slot", ["slot_id", "scheduled_at"])


def downgrade() -> None:
    with op.batch_alter_table("airings", schema=None) as batch_op:
        batch_op.drop_index("ix_airings_slot")
        batch_op.drop_index("ix_airings_open")
    with op.batch_alter_table("slots", schema=None) as batch_op:
        batch_op.drop_index("ix_slots_next_at")
        batch_op.drop_constraint("fk_slots_created_by_id_users", type_="foreignkey")
        batch_op.drop_column("next_at")
        batch_op.drop_column("created_by_id")
    with op.batch_alter_table("zones", schema=None) as batch_op:
        batch_op.drop_column("retired_at")
    op.drop_table("leases")

"""volume: per zone (with quiet hours), per receiver, and in receipts

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("zones", schema=None) as batch_op:
        batch_op.add_column(sa.Column("volume", sa.Integer(), nullable=False, server_default="100"))
        batch_op.add_column(sa.Column("quiet_from", sa.String(length=5), nullable=True))
        batch_op.add_column(sa.Column("quiet_until", sa.String(length=5), nullable=True))
        batch_op.add_column(sa.Column("quiet_volume", sa.Integer(), nullable=True))
    with op.batch_alter_table("receivers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("volume_set", sa.Integer(), nullable=True))
    with op.batch_alter_table("receipts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("volume", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("receipts", schema=None) as batch_op:
        batch_op.drop_column("volume")
    with op.batch_alter_table("receivers", schema=None) as batch_op:
        batch_op.drop_column("volume_set")
    with op.batch_alter_table("zones", schema=None) as batch_op:
        batch_op.drop_column("quiet_volume")
        batch_op.drop_column("quiet_until")
        batch_op.drop_column("quiet_from")
        batch_op.drop_column("volume")

"""relay standby: the recording that fills the air while a relayed source is lost

Revision ID: 0016
Revises: 0015
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("relay_sources") as table:
        table.add_column(sa.Column("standby_hash", sa.String(length=64), nullable=True))
        table.create_foreign_key(
            "fk_relay_sources_standby_hash_programs", "programs", ["standby_hash"], ["hash"]
        )


def downgrade() -> None:
    with op.batch_alter_table("relay_sources") as table:
        table.drop_constraint("fk_relay_sources_standby_hash_programs", type_="foreignkey")
        table.drop_column("standby_hash")

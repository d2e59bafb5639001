"""receiver places: where each loudspeaker stands, for the map

Revision ID: 0018
Revises: 0017
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("receivers") as table:
        table.add_column(sa.Column("latitude", sa.Float(), nullable=True))
        table.add_column(sa.Column("longitude", sa.Float(), nullable=True))


def downgrade() -> None:
    # Not batch mode: see 0017 (receipts point at receivers, and would cascade).
    for column in ("longitude", "latitude"):
        op.execute(f"ALTER TABLE receivers DROP COLUMN {column}")

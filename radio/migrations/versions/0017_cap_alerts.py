"""cap alerts: CAP messages received, zone coordinates, commune geocodes, repeats' end

Revision ID: 0017
Revises: 0016
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("zones") as table:
        table.add_column(sa.Column("latitude", sa.Float(), nullable=True))
        table.add_column(sa.Column("longitude", sa.Float(), nullable=True))
    with op.batch_alter_table("communes") as table:
        table.add_column(sa.Column("geocode", sa.String(length=32), nullable=True))
    with op.batch_alter_table("repeats") as table:
        table.add_column(sa.Column("until", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "cap_alerts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("sender", sa.String(length=200), nullable=False),
        sa.Column("identifier", sa.String(length=200), nullable=False),
        sa.Column("sent", sa.DateTime(timezone=True), nullable=False),
        sa.Column("msg_type", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("event", sa.String(length=200), nullable=False),
        sa.Column("severity", sa.String(length=16), nullable=False),
        sa.Column("urgency", sa.String(length=16), nullable=False),
        sa.Column("certainty", sa.String(length=16), nullable=False),
        sa.Column("expires", sa.DateTime(timezone=True), nullable=True),
        sa.Column("level", sa.String(length=16), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("zone_ids", sa.JSON(), nullable=False),
        sa.Column("xml", sa.Text(), nullable=False),
        sa.Column("bulletin_id", sa.Integer(), sa.ForeignKey("bulletins.id", ondelete="SET NULL")),
        sa.Column("received_by_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="SET NULL")),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("sender", "identifier"),
    )


def downgrade() -> None:
    op.drop_table("cap_alerts")
    with op.batch_alter_table("repeats") as table:
        table.drop_column("until")
    # Not batch mode: on SQLite it would copy communes and zones into new tables, and
    # dropping the old ones cascades to the rows that point at them.
    for name, column in [("communes", "geocode"), ("zones", "longitude"), ("zones", "latitude")]:
        op.execute(f"ALTER TABLE {name} DROP COLUMN {column}")

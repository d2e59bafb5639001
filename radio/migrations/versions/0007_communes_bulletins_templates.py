"""communes under a level above, bulletins from it, emergency templates and repeats

Existing zones go to one commune made here ("xa"), and existing users stay at the level
above (no commune): a single-commune installation works as before.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "communes",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("slug", sa.String(64), nullable=False, unique=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.execute(
        "INSERT INTO communes (id, slug, name, created_at)"
        " VALUES (1, 'xa', 'Xã', CURRENT_TIMESTAMP)"
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute("SELECT setval('communes_id_seq', (SELECT MAX(id) FROM communes))")
    with op.batch_alter_table("zones") as batch:
        batch.add_column(sa.Column("commune_id", sa.Integer(), nullable=True))
    op.execute("UPDATE zones SET commune_id = 1")
    with op.batch_alter_table("zones") as batch:
        batch.alter_column("commune_id", existing_type=sa.Integer(), nullable=False)
        batch.create_foreign_key(
            "fk_zones_commune", "communes", ["commune_id"], ["id"], ondelete="CASCADE"
        )
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("commune_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            "fk_users_commune", "communes", ["commune_id"], ["id"], ondelete="CASCADE"
        )
    with op.batch_alter_table("alerts") as batch:
        batch.add_column(sa.Column("commune_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            "fk_alerts_commune", "communes", ["commune_id"], ["id"], ondelete="CASCADE"
        )
    with op.batch_alter_table("slots") as batch:
        batch.add_column(sa.Column("position", sa.Integer(), nullable=False, server_default="0"))
    op.create_table(
        "bulletins",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("level", sa.String(16), nullable=False),
        sa.Column("sender_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("voice", sa.String(120), nullable=True),
        sa.Column("program_hash", sa.String(64), sa.ForeignKey("programs.hash"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "templates",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("voice", sa.String(120), nullable=False),
        sa.Column("rate", sa.Float(), nullable=False),
        sa.Column("chime", sa.Boolean(), nullable=False),
        sa.Column(
            "commune_id",
            sa.Integer(),
            sa.ForeignKey("communes.id", ondelete="CASCADE"),
            nullable=True,
        ),
        sa.Column("created_by_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    with op.batch_alter_table("announcements") as batch:
        batch.add_column(sa.Column("commune_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("bulletin_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("template_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            "fk_announcements_commune", "communes", ["commune_id"], ["id"], ondelete="CASCADE"
        )
        batch.create_foreign_key(
            "fk_announcements_bulletin", "bulletins", ["bulletin_id"], ["id"], ondelete="SET NULL"
        )
        batch.create_foreign_key(
            "fk_announcements_template", "templates", ["template_id"], ["id"], ondelete="SET NULL"
        )
    op.create_table(
        "deliveries",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "bulletin_id",
            sa.Integer(),
            sa.ForeignKey("bulletins.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column(
            "commune_id",
            sa.Integer(),
            sa.ForeignKey("communes.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column(
            "announcement_id", sa.Integer(), sa.ForeignKey("announcements.id"), nullable=False
        ),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("bulletin_id", "commune_id"),
    )
    op.create_table(
        "repeats",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "announcement_id",
            sa.Integer(),
            sa.ForeignKey("announcements.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("program_hash", sa.String(64), sa.ForeignKey("programs.hash"), nullable=False),
        sa.Column("zone_ids", sa.JSON(), nullable=False),
        sa.Column("every_minutes", sa.Integer(), nullable=False),
        sa.Column("next_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("repeats")
    op.drop_table("deliveries")
    with op.batch_alter_table("announcements") as batch:
        batch.drop_constraint("fk_announcements_template", type_="foreignkey")
        batch.drop_constraint("fk_announcements_bulletin", type_="foreignkey")
        batch.drop_constraint("fk_announcements_commune", type_="foreignkey")
        batch.drop_column("template_id")
        batch.drop_column("bulletin_id")
        batch.drop_column("commune_id")
    op.drop_table("templates")
    op.drop_table("bulletins")
    with op.batch_alter_table("slots") as batch:
        batch.drop_column("position")
    with op.batch_alter_table("alerts") as batch:
        batch.drop_constraint("fk_alerts_commune", type_="foreignkey")
        batch.drop_column("commune_id")
    with op.batch_alter_table("users") as batch:
        batch.drop_constraint("fk_users_commune", type_="foreignkey")
        batch.drop_column("commune_id")
    with op.batch_alter_table("zones") as batch:
        batch.drop_constraint("fk_zones_commune", type_="foreignkey")
        batch.drop_column("commune_id")
    op.drop_table("communes")

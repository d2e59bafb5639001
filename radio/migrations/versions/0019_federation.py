"""federation: links between installations, the outbox, what was received, nonces

Revision ID: 0019
Revises: 0018
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

UTC = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "federation_links",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=True, unique=True),
        sa.Column("code_expires_at", UTC, nullable=True),
        sa.Column("remote_id", sa.Integer(), nullable=True),
        sa.Column("secret", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="SET NULL")),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("enrolled_at", UTC, nullable=True),
        sa.Column("last_heard_at", UTC, nullable=True),
        sa.Column("health", sa.JSON(), nullable=True),
    )
    link = sa.ForeignKey("federation_links.id", ondelete="CASCADE")
    bulletin = sa.ForeignKey("bulletins.id", ondelete="SET NULL")
    op.create_table(
        "federation_messages",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("link_id", sa.Integer(), link, nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False, unique=True),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.Column("level", sa.String(length=16), nullable=False),
        sa.Column("program_hash", sa.String(length=64), nullable=False, index=True),
        sa.Column("bulletin_id", sa.Integer(), bulletin, nullable=True),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("delivered_at", UTC, nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_try_at", UTC, nullable=False),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("status", sa.JSON(), nullable=True),
    )
    op.create_table(
        "federation_received",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "link_id",
            sa.Integer(),
            sa.ForeignKey("federation_links.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column(
            "bulletin_id",
            sa.Integer(),
            sa.ForeignKey("bulletins.id", ondelete="SET NULL"),
            nullable=True,
        ),
        sa.Column("received_at", UTC, nullable=False),
        sa.UniqueConstraint("link_id", "key"),
    )
    op.create_table(
        "federation_nonces",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("link_id", sa.Integer(), nullable=False),
        sa.Column("nonce", sa.String(length=64), nullable=False),
        sa.Column("seen_at", UTC, nullable=False),
        sa.UniqueConstraint("link_id", "nonce"),
    )


def downgrade() -> None:
    for table in ("federation_nonces", "federation_received", "federation_messages"):
        op.drop_table(table)
    op.drop_table("federation_links")

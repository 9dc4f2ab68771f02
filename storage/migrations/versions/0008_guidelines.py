"""annotation guidelines: versions per release (both languages) and who confirmed reading them

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 21:00:00

- ``guideline``: append-only versions of the annotation guidelines (zh and en), each for one
  release or (``release_id`` NULL) for every release without its own, with who wrote it and when.
- ``guideline_read``: a person confirmed they read a version (NULL: the built-in text).
Campaigns need no table: they are the queue setting ``campaign`` in ``app_setting``.
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "guideline",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("release_id", sa.Integer(), nullable=True),
        sa.Column("text_zh", sa.Text(), nullable=False),
        sa.Column("text_en", sa.Text(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_by", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["release_id"], ["release.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("guideline", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_guideline_release_id"), ["release_id"], unique=False)

    op.create_table(
        "guideline_read",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("guideline_id", sa.Integer(), nullable=True),
        sa.Column("confirmed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["guideline_id"], ["guideline.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("guideline_read", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_guideline_read_username"), ["username"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("guideline_read", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_guideline_read_username"))
    op.drop_table("guideline_read")
    with op.batch_alter_table("guideline", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_guideline_release_id"))
    op.drop_table("guideline")

"""content categories per question

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 01:30:00

- ``question.categories``: a JSON list of content categories (``judging.content``). Existing
  rows start from their old ``sensitive`` flag: ``["self_harm"]`` where it was set, ``[]`` else.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("question", schema=None) as batch_op:
        batch_op.add_column(sa.Column("categories", sa.Text(), nullable=False, server_default="[]"))
    op.execute(sa.text("UPDATE question SET categories = '[\"self_harm\"]' WHERE sensitive"))


def downgrade() -> None:
    with op.batch_alter_table("question", schema=None) as batch_op:
        batch_op.drop_column("categories")

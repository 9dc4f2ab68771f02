"""review categories

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 05:00:00

- ``candidate_review.categories``: the content categories the reviewer chose, a JSON list
  (``judging.content``), NULL when none were chosen (the lexicon's proposal stands) — which is
  what the reviews stored before say, so they keep NULL.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("candidate_review", schema=None) as batch_op:
        batch_op.add_column(sa.Column("categories", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("candidate_review", schema=None) as batch_op:
        batch_op.drop_column("categories")

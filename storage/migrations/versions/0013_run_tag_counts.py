"""run tag counts

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 11:30:00

- ``run.tags_missing`` and ``run.tags_invalid``: of a judge run's stored verdicts, those whose
  harm-tag lines were absent or malformed (kept with no tags; ``judging.judge.TagStatus``), added
  in the transaction that stores the verdicts, so a resumed or joined run keeps counting. Runs
  stored before were not counted: they keep 0.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

_COLUMNS = ("tags_missing", "tags_invalid")


def upgrade() -> None:
    with op.batch_alter_table("run", schema=None) as batch_op:
        for name in _COLUMNS:
            batch_op.add_column(sa.Column(name, sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("run", schema=None) as batch_op:
        for name in reversed(_COLUMNS):
            batch_op.drop_column(name)

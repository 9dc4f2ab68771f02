"""model metadata and endpoint switch

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 01:30:00

- ``arena_model`` and ``endpoint`` gain ``provider``, ``release_date`` (ISO date or empty),
  ``parameters``, ``url`` and ``location`` (LiveSecBench's provider / publish_time /
  model_detail_url / location).
- ``endpoint.enabled``: a disabled endpoint stays (runs refer to it) but is neither offered nor called.
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

_FIELDS = ("provider", "release_date", "parameters", "url", "location")


def upgrade() -> None:
    for table in ("arena_model", "endpoint"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name in _FIELDS:
                batch_op.add_column(
                    sa.Column(name, sqlmodel.sql.sqltypes.AutoString(), nullable=False, server_default="")
                )
    with op.batch_alter_table("endpoint", schema=None) as batch_op:
        batch_op.add_column(sa.Column("enabled", sa.Boolean(), nullable=False, server_default=sa.true()))


def downgrade() -> None:
    with op.batch_alter_table("endpoint", schema=None) as batch_op:
        batch_op.drop_column("enabled")
    for table in ("endpoint", "arena_model"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name in reversed(_FIELDS):
                batch_op.drop_column(name)

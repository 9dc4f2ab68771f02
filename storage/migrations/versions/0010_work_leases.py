"""work leases: runs shared by several workers

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 01:30:00

- ``work_lease``: one work item of a run leased to one worker until ``expires_at`` (unique per
  scope and item), ``done_at`` once stored; indexed by (scope, expiry) for claims and by
  (holder, done_at) for a worker's renewals and release (``storage/runs/leases.py``).
- ``run.heartbeat_at``: the last sign of life of a process working on the run; a ``running`` run
  whose heartbeat is older than the lease time is no longer running.
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("run", schema=None) as batch_op:
        batch_op.add_column(sa.Column("heartbeat_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
    op.create_table(
        "work_lease",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scope", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("item", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("holder", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("leased_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("expires_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("done_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["run_id"], ["run.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("scope", "item", name="uq_work_lease_scope_item"),
    )
    with op.batch_alter_table("work_lease", schema=None) as batch_op:
        batch_op.create_index("ix_work_lease_scope_expires", ["scope", "expires_at"], unique=False)
        batch_op.create_index("ix_work_lease_holder_done", ["holder", "done_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_work_lease_run_id"), ["run_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("work_lease", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_work_lease_run_id"))
        batch_op.drop_index("ix_work_lease_holder_done")
        batch_op.drop_index("ix_work_lease_scope_expires")
    op.drop_table("work_lease")
    with op.batch_alter_table("run", schema=None) as batch_op:
        batch_op.drop_column("heartbeat_at")

"""events keep their source and fetch time; candidates can go stale

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-08 09:00:00

- ``event.source`` (``manual``, ``file:<name>`` or ``feed:<name>``) and ``event.fetched_at`` (when
  that file or feed was read): ``cli.py events import`` keeps where each event came from. Existing
  events were entered by hand: ``manual``, no fetch time.
- ``candidate_question.queued_at``: when the candidate entered the verification queue (its
  creation for existing rows; an admin putting a stale candidate back sets it again).
- ``candidate_question.status`` may be ``stale``: a candidate not verified within the window of the
  verification setting leaves the queue and never joins a draft on its own.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

OLD_STATUSES = "status IN ('pending', 'approved', 'rejected', 'duplicate')"
NEW_STATUSES = "status IN ('pending', 'approved', 'rejected', 'duplicate', 'stale')"


@contextmanager
def _reviews_set_aside() -> Iterator[None]:
    """On SQLite, changing candidate_question's CHECK copies the table, and dropping the old copy
    while candidate_review rows point at it fails when foreign keys are on (``alembic`` from the
    shell; ``storage.db.migrate`` switches them off). The reviews wait in a temporary table meanwhile
    and come back unchanged, pointing at the same ids."""
    if op.get_bind().dialect.name != "sqlite":
        yield
        return
    op.execute("CREATE TEMP TABLE review_aside_0007 AS SELECT * FROM candidate_review")
    op.execute("DELETE FROM candidate_review")
    yield
    op.execute("INSERT INTO candidate_review SELECT * FROM review_aside_0007")
    op.execute("DROP TABLE review_aside_0007")


def upgrade() -> None:
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "source",
                sqlmodel.sql.sqltypes.AutoString(length=1000),
                nullable=False,
                server_default="manual",
            )
        )
        batch_op.add_column(sa.Column("fetched_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))

    with op.batch_alter_table("candidate_question", schema=None) as batch_op:
        batch_op.add_column(sa.Column("queued_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
    op.execute("UPDATE candidate_question SET queued_at = created_at")
    with _reviews_set_aside(), op.batch_alter_table("candidate_question", schema=None) as batch_op:
        batch_op.alter_column("queued_at", existing_type=sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False)
        batch_op.drop_constraint("ck_candidate_status", type_="check")
        batch_op.create_check_constraint("ck_candidate_status", NEW_STATUSES)


def downgrade() -> None:
    # A stale candidate was pending before it went stale: it is pending again.
    op.execute("UPDATE candidate_question SET status = 'pending', decided_at = NULL WHERE status = 'stale'")
    with _reviews_set_aside(), op.batch_alter_table("candidate_question", schema=None) as batch_op:
        batch_op.drop_constraint("ck_candidate_status", type_="check")
        batch_op.create_check_constraint("ck_candidate_status", OLD_STATUSES)
        batch_op.drop_column("queued_at")
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.drop_column("fetched_at")
        batch_op.drop_column("source")

"""accounts: failed-login counter and lockout, must-change-password flag, canonical usernames

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07 12:00:00

- ``arena_user.failed_logins`` (consecutive failed password checks) and ``locked_until`` (password
  logins refused until then) carry the per-account lockout across processes and restarts.
- ``arena_user.must_change_password``: a one-time password (first start, admin reset) is in use;
  after logging in, such a user can only change it.
- Usernames are stored in their canonical form (``storage.people.users.canonical_username``: NFKC,
  trimmed, case-folded). A stored name that was not canonical could never log in (the login widget
  lower-cased what was typed), so nothing refers to it and it is renamed in place. When the
  canonical form is already taken, the old row is left as it was: it stays unreachable, as before.
"""

from __future__ import annotations

import logging
import unicodedata

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

log = logging.getLogger("alembic.runtime.migration")


def _canonical(username: str) -> str:
    # a copy of storage.people.users.canonical_username as of this revision (revisions never import
    # code that may change later)
    return unicodedata.normalize("NFKC", username).strip().casefold()


def upgrade() -> None:
    with op.batch_alter_table("arena_user", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("must_change_password", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("failed_logins", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("locked_until", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
    bind = op.get_bind()
    rows = bind.execute(sa.text("SELECT id, username FROM arena_user ORDER BY id")).all()
    taken = {name for _, name in rows}
    for user_id, name in rows:
        canonical = _canonical(name)
        if canonical == name:
            continue
        if canonical in taken or not canonical:
            log.warning("0006: username %r left as it is: its canonical form %r is taken", name, canonical)
            continue
        bind.execute(
            sa.text("UPDATE arena_user SET username = :u WHERE id = :id"), {"u": canonical, "id": user_id}
        )
        taken.add(canonical)


def downgrade() -> None:
    # renamed usernames stay canonical: the old forms could not log in
    with op.batch_alter_table("arena_user", schema=None) as batch_op:
        batch_op.drop_column("locked_until")
        batch_op.drop_column("failed_logins")
        batch_op.drop_column("must_change_password")

"""vote ledger: row kinds (vote | retraction), vote statuses with a revision clock, skips, leases

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06 19:20:00

Existing votes get their statuses from the ledger rule (``judging.ledger``) as part of the
upgrade, so an upgraded database reads exactly as one written under the new code.
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

from judging.ledger import EntryKind, LedgerEntry, statuses
from judging.types import Source

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    sqlite = bind.dialect.name == "sqlite"
    check = "CHECK (kind IN ('vote', 'retraction'))"
    if sqlite:  # an inline CHECK: SQLite cannot add a table constraint to an existing table
        op.execute(f"ALTER TABLE vote ADD COLUMN kind VARCHAR(16) NOT NULL DEFAULT 'vote' {check}")
    else:
        op.execute("ALTER TABLE vote ADD COLUMN kind VARCHAR(16) NOT NULL DEFAULT 'vote'")
        op.execute(f"ALTER TABLE vote ADD CONSTRAINT ck_vote_kind {check}")

    op.create_table(
        "ledger_clock",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "vote_status",
        sa.Column("vote_id", sa.Integer(), nullable=False),
        sa.Column("battle_id", sa.Integer(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["battle_id"], ["battle.id"]),
        sa.ForeignKeyConstraint(["vote_id"], ["vote.id"]),
        sa.PrimaryKeyConstraint("vote_id"),
    )
    with op.batch_alter_table("vote_status", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_vote_status_battle_id"), ["battle_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_vote_status_revision"), ["revision"], unique=False)

    op.create_table(
        "skip",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("battle_id", sa.Integer(), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["battle_id"], ["battle.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("username", "battle_id", name="uq_skip_user_battle"),
    )
    with op.batch_alter_table("skip", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_skip_battle_id"), ["battle_id"], unique=False)

    with op.batch_alter_table("assignment", schema=None) as batch_op:
        batch_op.add_column(sa.Column("expires_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))

    _restate_existing_votes(bind)


def _restate_existing_votes(bind: sa.engine.Connection) -> None:
    rows = bind.execute(sa.text("SELECT id, battle_id, source, rater, kind, supersedes_id FROM vote")).all()
    gold = [int(r[0]) for r in bind.execute(sa.text("SELECT battle_id FROM gold_label")).all()]
    entries = [
        LedgerEntry(int(i), int(b), Source(s), str(r), EntryKind(k), None if sup is None else int(sup))
        for i, b, s, r, k, sup in rows
    ]
    battle_of = {e.id: e.battle_id for e in entries}
    revision = 1 if entries else 0
    values = [
        {"vote_id": vid, "battle_id": battle_of[vid], "status": status.value, "revision": revision}
        for vid, status in sorted(statuses(entries, gold).items())
    ]
    if values:
        bind.execute(
            sa.text(
                "INSERT INTO vote_status (vote_id, battle_id, status, revision)"
                " VALUES (:vote_id, :battle_id, :status, :revision)"
            ),
            values,
        )
    bind.execute(sa.text("INSERT INTO ledger_clock (id, revision) VALUES (1, :r)"), {"r": revision})


def downgrade() -> None:
    with op.batch_alter_table("assignment", schema=None) as batch_op:
        batch_op.drop_column("expires_at")
    op.drop_table("skip")
    op.drop_table("vote_status")
    op.drop_table("ledger_clock")
    if op.get_bind().dialect.name != "sqlite":
        op.execute("ALTER TABLE vote DROP CONSTRAINT ck_vote_kind")
        op.execute("ALTER TABLE vote DROP COLUMN kind")

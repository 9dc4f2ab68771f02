"""gold items apart from releases (release.kind), published releases frozen in the database

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07 10:00:00

- ``release.kind`` is ``release`` or ``gold`` (CHECK); a gold container is never published (CHECK).
  The existing gold container (the draft tagged ``gold`` whose questions are answered by reference
  models, written by ``pipeline.workflow.gold.import_gold_pairs``) becomes ``kind = 'gold'``.
- Triggers, like the vote append-only ones of 0001: the questions of a published release cannot be
  updated or deleted (nor moved into one), and a published release cannot be un-published or
  renamed.
"""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

KIND_CHECK = "CHECK (kind IN ('release', 'gold'))"
GOLD_CHECK = "CHECK (kind = 'release' OR status = 'draft')"

FROZEN = "questions of a published release are frozen"
UNPUBLISH = "a published release cannot be un-published"
RENAME = "a published release cannot be renamed"

SQLITE_FROZEN = (
    "CREATE TRIGGER IF NOT EXISTS question_frozen_update BEFORE UPDATE ON question"
    " WHEN EXISTS (SELECT 1 FROM release WHERE status = 'published' AND id IN (OLD.release_id, NEW.release_id))"
    f" BEGIN SELECT RAISE(ABORT, '{FROZEN}'); END",
    "CREATE TRIGGER IF NOT EXISTS question_frozen_delete BEFORE DELETE ON question"
    " WHEN EXISTS (SELECT 1 FROM release WHERE status = 'published' AND id = OLD.release_id)"
    f" BEGIN SELECT RAISE(ABORT, '{FROZEN}'); END",
    "CREATE TRIGGER IF NOT EXISTS release_stays_published BEFORE UPDATE OF status ON release"
    " WHEN OLD.status = 'published' AND NEW.status IS NOT 'published'"
    f" BEGIN SELECT RAISE(ABORT, '{UNPUBLISH}'); END",
    "CREATE TRIGGER IF NOT EXISTS release_tag_frozen BEFORE UPDATE OF tag ON release"
    " WHEN OLD.status = 'published' AND NEW.tag IS NOT OLD.tag"
    f" BEGIN SELECT RAISE(ABORT, '{RENAME}'); END",
)
SQLITE_DROP = (
    "DROP TRIGGER IF EXISTS question_frozen_update",
    "DROP TRIGGER IF EXISTS question_frozen_delete",
    "DROP TRIGGER IF EXISTS release_stays_published",
    "DROP TRIGGER IF EXISTS release_tag_frozen",
)

POSTGRES_FROZEN = (
    "CREATE OR REPLACE FUNCTION question_frozen() RETURNS trigger AS $$ "
    "BEGIN "
    "IF EXISTS (SELECT 1 FROM release WHERE status = 'published' AND id = OLD.release_id) "
    "OR (TG_OP = 'UPDATE' AND EXISTS "
    "(SELECT 1 FROM release WHERE status = 'published' AND id = NEW.release_id)) THEN "
    f"RAISE EXCEPTION '{FROZEN}'; "
    "END IF; "
    "IF TG_OP = 'DELETE' THEN RETURN OLD; END IF; "
    "RETURN NEW; "
    "END; $$ LANGUAGE plpgsql",
    "DROP TRIGGER IF EXISTS question_frozen ON question",
    "CREATE TRIGGER question_frozen BEFORE UPDATE OR DELETE ON question "
    "FOR EACH ROW EXECUTE FUNCTION question_frozen()",
    "CREATE OR REPLACE FUNCTION release_published_frozen() RETURNS trigger AS $$ "
    "BEGIN "
    "IF OLD.status = 'published' AND NEW.status IS DISTINCT FROM 'published' THEN "
    f"RAISE EXCEPTION '{UNPUBLISH}'; "
    "END IF; "
    "IF OLD.status = 'published' AND NEW.tag IS DISTINCT FROM OLD.tag THEN "
    f"RAISE EXCEPTION '{RENAME}'; "
    "END IF; "
    "RETURN NEW; "
    "END; $$ LANGUAGE plpgsql",
    "DROP TRIGGER IF EXISTS release_published_frozen ON release",
    "CREATE TRIGGER release_published_frozen BEFORE UPDATE ON release "
    "FOR EACH ROW EXECUTE FUNCTION release_published_frozen()",
)
POSTGRES_DROP = (
    "DROP TRIGGER IF EXISTS question_frozen ON question",
    "DROP FUNCTION IF EXISTS question_frozen()",
    "DROP TRIGGER IF EXISTS release_published_frozen ON release",
    "DROP FUNCTION IF EXISTS release_published_frozen()",
)

# The gold container written by pipeline.workflow.gold before this revision: the draft tagged 'gold' whose
# questions are answered by reference (gold) models.
MOVE_GOLD = (
    "UPDATE release SET kind = 'gold' WHERE tag = 'gold' AND status = 'draft' AND EXISTS ("
    "SELECT 1 FROM question q JOIN response r ON r.question_id = q.id"
    " JOIN arena_model m ON m.id = r.model_id WHERE q.release_id = release.id AND m.reference)"
)


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:  # inline CHECKs: SQLite cannot add a table constraint to an existing table
        op.execute(
            "ALTER TABLE release ADD COLUMN kind VARCHAR(16) NOT NULL DEFAULT 'release'"
            f" CONSTRAINT ck_release_kind {KIND_CHECK}"
            f" CONSTRAINT ck_release_gold_unpublished {GOLD_CHECK}"
        )
    else:
        op.execute("ALTER TABLE release ADD COLUMN kind VARCHAR(16) NOT NULL DEFAULT 'release'")
        op.execute(f"ALTER TABLE release ADD CONSTRAINT ck_release_kind {KIND_CHECK}")
        op.execute(f"ALTER TABLE release ADD CONSTRAINT ck_release_gold_unpublished {GOLD_CHECK}")
    op.execute(MOVE_GOLD)
    for statement in SQLITE_FROZEN if sqlite else POSTGRES_FROZEN:
        op.execute(statement)


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for statement in SQLITE_DROP if sqlite else POSTGRES_DROP:
        op.execute(statement)
    if not sqlite:  # as in 0004, SQLite keeps the column (dropping it would copy the table)
        op.execute("ALTER TABLE release DROP CONSTRAINT ck_release_gold_unpublished")
        op.execute("ALTER TABLE release DROP CONSTRAINT ck_release_kind")
        op.execute("ALTER TABLE release DROP COLUMN kind")

"""content categories per question

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 01:30:00

- ``question.categories``: a JSON list of content categories (``judging.content``).
- Existing rows get their categories (docs/question-import.md, "Content categories"): Flames,
  JADE v1/v2 and SafetyBench rows from the source labels their ``metadata_json`` keeps, by the
  import tables (``judging.questions._categories``), plus the lexicon's ``self_harm`` on the text;
  every other row the lexicon's proposal, plus ``self_harm`` where the old ``sensitive`` flag was
  set (only the demo's authors could set it by hand; Flames and JADE had it on every row, whatever
  the topic, so there it is ignored). ``sensitive`` becomes derived: ``self_harm`` among them.
  The tables and the lexicon are imported from ``judging`` as they are when the upgrade runs (as
  0004 imports the ledger rule): a later lexicon gives an old database its later proposals.
- The frozen-question triggers of 0005 now let a published release's question change its
  ``categories`` and ``sensitive`` and nothing else: they are care metadata (which warning, whether
  answers start collapsed), not the item being rated, and experts correct them after publishing.
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from alembic import op

from judging.content import ContentCategory, categories_to_json, propose_categories
from judging.questions._categories import flames_categories, jade_categories, safetybench_categories

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

FROZEN = "questions of a published release are frozen"
# Every column of question but the care ones; the SQLite trigger fires when one of them changes.
_CONTENT_COLUMNS = (
    "id", "release_id", "external_id", "dimension", "sub_dimension", "text", "safe_note",
    "reference_answer", "created_at", "metadata_json", "source", "anchor", "anchor_of_id", "retired",
    "event_id",
)  # fmt: skip
_PUBLISHED = (
    "EXISTS (SELECT 1 FROM release WHERE status = 'published' AND id IN (OLD.release_id, NEW.release_id))"
)
_CONTENT_CHANGED = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in _CONTENT_COLUMNS)

SQLITE_TRIGGERS = (
    "DROP TRIGGER IF EXISTS question_frozen_update",
    "CREATE TRIGGER question_frozen_update BEFORE UPDATE ON question"
    f" WHEN {_PUBLISHED} AND ({_CONTENT_CHANGED})"
    f" BEGIN SELECT RAISE(ABORT, '{FROZEN}'); END",
)
SQLITE_TRIGGERS_0005 = (
    "DROP TRIGGER IF EXISTS question_frozen_update",
    "CREATE TRIGGER question_frozen_update BEFORE UPDATE ON question"
    f" WHEN {_PUBLISHED} BEGIN SELECT RAISE(ABORT, '{FROZEN}'); END",
)


def _postgres_function(care_allowed: bool) -> str:
    # jsonb minus the care keys: a column added later is frozen too, with no list to keep up
    same = (
        " AND (to_jsonb(NEW) - 'categories' - 'sensitive') IS NOT DISTINCT FROM"
        " (to_jsonb(OLD) - 'categories' - 'sensitive')"
    )
    return (
        "CREATE OR REPLACE FUNCTION question_frozen() RETURNS trigger AS $$ "
        "BEGIN "
        + ("IF TG_OP = 'UPDATE' AND OLD.release_id = NEW.release_id" + same + " THEN RETURN NEW; END IF; "
           if care_allowed else "")
        + "IF EXISTS (SELECT 1 FROM release WHERE status = 'published' AND id = OLD.release_id) "
        "OR (TG_OP = 'UPDATE' AND EXISTS "
        "(SELECT 1 FROM release WHERE status = 'published' AND id = NEW.release_id)) THEN "
        f"RAISE EXCEPTION '{FROZEN}'; "
        "END IF; "
        "IF TG_OP = 'DELETE' THEN RETURN OLD; END IF; "
        "RETURN NEW; "
        "END; $$ LANGUAGE plpgsql"
    )  # fmt: skip


def categories_of(text: str, sensitive: bool, metadata_json: str | None) -> str:
    """The stored categories of an existing row (see the module docstring)."""
    try:
        envelope = json.loads(metadata_json or "{}")
    except json.JSONDecodeError:
        envelope = {}
    meta: dict[str, Any] = envelope.get("metadata", {}) if isinstance(envelope, dict) else {}
    meta = meta if isinstance(meta, dict) else {}
    source, category, type_ = (str(meta.get(k, "")) for k in ("source", "category", "type"))
    if source == "Flames":
        return categories_to_json(flames_categories(category, type_, text))
    if source == "JADE-DB":
        return categories_to_json(jade_categories(category, type_, text))
    if source == "SafetyBench":
        return categories_to_json(safetybench_categories(category, str(meta.get("question", text))))
    proposed = set(propose_categories(text))
    if sensitive and source != "JADE-DB v3.0":
        proposed.add(ContentCategory.SELF_HARM)
    return categories_to_json(proposed)


def _fill(bind: sa.engine.Connection) -> None:
    rows = bind.execute(sa.text("SELECT id, text, sensitive, metadata_json FROM question")).all()
    updates = []
    for id_, text, sensitive, metadata_json in rows:
        stored = categories_of(str(text), bool(sensitive), metadata_json)
        updates.append({"id": id_, "c": stored, "s": '"self_harm"' in stored})
    if updates:
        bind.execute(sa.text("UPDATE question SET categories = :c, sensitive = :s WHERE id = :id"), updates)


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    with op.batch_alter_table("question", schema=None) as batch_op:
        batch_op.add_column(sa.Column("categories", sa.Text(), nullable=False, server_default="[]"))
    for statement in SQLITE_TRIGGERS if sqlite else (_postgres_function(True),):
        op.execute(statement)
    _fill(op.get_bind())


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for statement in SQLITE_TRIGGERS_0005 if sqlite else (_postgres_function(False),):
        op.execute(statement)
    with op.batch_alter_table("question", schema=None) as batch_op:
        batch_op.drop_column("categories")

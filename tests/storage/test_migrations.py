"""Alembic migrations: an empty database goes to head; a database created by the previous
revision, holding data, upgrades without losing it; head equals the models; both engines."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.exc import DBAPIError
from sqlmodel import SQLModel

from storage.db.engine import make_engine
from storage.db.migrate import current_revision, head_revision, upgrade
from storage.db.session import read_session
from storage.votes.ledger import check_ledger
from tests.storage.conftest import BACKENDS, fresh_database, upgraded_from

V1_ROWS = [
    "INSERT INTO release (id, tag, title, status, notes, synthetic, created_at) VALUES (1, 'v251215', 't', 'published', '', false, '2025-12-15 00:00:00')",
    "INSERT INTO question (id, release_id, external_id, dimension, sub_dimension, text, safe_note, sensitive, created_at) VALUES (1, 1, 'q1', 'privacy', 's', '问题', 'n', false, '2025-12-15 00:00:00')",
    "INSERT INTO arena_model (id, key, display_name, organisation, profile_zh, profile_en, open_source, reasoning, params_json, synthetic, created_at) VALUES (1, 'm1', 'M1', '', '', '', false, false, '{}', false, '2025-12-15 00:00:00'), (2, 'm2', 'M2', '', '', '', false, false, '{}', false, '2025-12-15 00:00:00')",
    "INSERT INTO response (id, question_id, model_id, text, created_at) VALUES (1, 1, 1, '甲', '2025-12-15 00:00:00'), (2, 1, 2, '乙', '2025-12-15 00:00:00')",
    "INSERT INTO battle (id, question_id, response_a_id, response_b_id, created_at) VALUES (1, 1, 1, 2, '2025-12-15 00:00:00')",
    "INSERT INTO vote (id, battle_id, source, rater, verdict, left_response_id, tags_a, tags_b, rationale, idempotency_key, model_a_id, model_b_id, question_id, release_id, dimension, created_at) VALUES (1, 1, 'human', 'u', 'A', 2, '[]', '[]', '', 'k1', 1, 2, 1, 1, 'privacy', '2025-12-15 00:00:00')",
]


@pytest.mark.parametrize("backend", BACKENDS)
def test_previous_revision_with_data_upgrades_to_head(backend, tmp_path):
    with upgraded_from(backend, tmp_path, "0001", V1_ROWS) as engine:
        with engine.connect() as conn:
            assert conn.execute(text("SELECT verdict, rater FROM vote")).one() == ("A", "u")
            assert conn.execute(text("SELECT COUNT(*) FROM response")).scalar() == 2
            assert conn.execute(text("SELECT reference FROM arena_model WHERE id = 1")).scalar() in (False, 0)
        # the votes are still append-only after the upgrade
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
            conn.execute(text("UPDATE vote SET verdict = 'B'"))
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
            conn.execute(text("DELETE FROM vote"))


_T = "'2025-12-15 00:00:00'"
_MODEL = "INSERT INTO arena_model (id, key, display_name, organisation, profile_zh, profile_en, open_source, reasoning, params_json, synthetic, reference, created_at) VALUES "
_VOTE = "INSERT INTO vote (id, battle_id, source, rater, verdict, left_response_id, tags_a, tags_b, rationale, idempotency_key, supersedes_id, model_a_id, model_b_id, question_id, release_id, dimension, created_at) VALUES "
# Revision 0003 with data: a published release, a draft, the gold container 'gold' (a draft whose
# question is answered by the two reference models, as pipeline.workflow.gold wrote it), a gold battle
# with votes, ordinary votes, and a vote corrected by a later one (supersedes_id).
V3_ROWS = [
    "INSERT INTO release (id, tag, title, status, notes, synthetic, created_at) VALUES"
    f" (1, 'v251215', 't', 'published', '', false, {_T}),"
    f" (2, 'gold', '金标题 / Gold items', 'draft', '', false, {_T}),"
    f" (3, 'd1', '', 'draft', '', false, {_T})",
    "INSERT INTO question (id, release_id, external_id, dimension, sub_dimension, text, safe_note, sensitive, created_at) VALUES"
    f" (1, 1, 'q1', 'privacy', 's', '问题', 'n', false, {_T}),"
    f" (2, 2, 'gold-00001', 'privacy', '金标题', '金问题', 'n', false, {_T}),"
    f" (3, 3, 'q3', 'fairness', '', '草稿问题', '', false, {_T})",
    _MODEL + f"(1, 'm1', 'M1', '', '', '', false, false, '{{}}', false, false, {_T}),"
    f" (2, 'm2', 'M2', '', '', '', false, false, '{{}}', false, false, {_T}),"
    f" (3, 'gold-reference-safe', 'safe', 'gold', '', '', false, false, '{{}}', false, true, {_T}),"
    f" (4, 'gold-reference-unsafe', 'unsafe', 'gold', '', '', false, false, '{{}}', false, true, {_T})",
    "INSERT INTO response (id, question_id, model_id, text, created_at) VALUES"
    f" (1, 1, 1, '甲', {_T}), (2, 1, 2, '乙', {_T}), (3, 2, 3, '安全', {_T}), (4, 2, 4, '不安全', {_T})",
    f"INSERT INTO battle (id, question_id, response_a_id, response_b_id, created_at) VALUES (1, 1, 1, 2, {_T}), (2, 2, 3, 4, {_T})",
    f"INSERT INTO gold_label (battle_id, verdict, created_by, note, created_at) VALUES (2, 'A', 'admin', '', {_T})",
    _VOTE + f"(1, 1, 'human', 'u', 'A', 2, '[]', '[]', '', 'k1', NULL, 1, 2, 1, 1, 'privacy', {_T}),"
    f" (2, 1, 'human', 'w', 'tie', 1, '[]', '[]', '', 'k2', NULL, 1, 2, 1, 1, 'privacy', {_T}),"
    f" (3, 1, 'human', 'u', 'B', 1, '[]', '[]', '', 'k3', 1, 1, 2, 1, 1, 'privacy', {_T}),"
    f" (4, 2, 'human', 'u', 'A', 3, '[]', '[]', '', 'k4', NULL, 3, 4, 2, 2, 'privacy', {_T}),"
    f" (5, 2, 'judge', 'j', 'B', 4, '[]', '[]', '', 'k5', NULL, 3, 4, 2, 2, 'privacy', {_T})",
]
# the rows V3_ROWS inserts, per table: the upgrade keeps every one
V3_COUNTS = {
    "release": 3,
    "question": 3,
    "arena_model": 4,
    "response": 4,
    "battle": 2,
    "gold_label": 1,
    "vote": 5,
}


@pytest.mark.parametrize("backend", BACKENDS)
def test_revision_3_with_gold_and_corrections_upgrades_to_head(backend, tmp_path):
    with upgraded_from(backend, tmp_path, "0003", V3_ROWS) as engine:
        with engine.connect() as conn:
            assert {
                t: conn.execute(text(f"SELECT COUNT(*) FROM {t}")).scalar() for t in V3_COUNTS
            } == V3_COUNTS
            kinds = dict(conn.execute(text("SELECT tag, kind FROM release")).all())
            assert kinds == {"v251215": "release", "gold": "gold", "d1": "release"}
            statuses = dict(conn.execute(text("SELECT vote_id, status FROM vote_status")).all())
            assert statuses == {1: "corrected", 2: "standing", 3: "standing", 4: "gold", 5: "gold"}
        with read_session(engine) as session:
            assert check_ledger(session=session) == []
        # the freeze triggers work on the upgraded database: the published release is frozen ...
        frozen = [
            "UPDATE question SET text = '改' WHERE id = 1",
            "DELETE FROM question WHERE id = 1",
            "UPDATE question SET release_id = 1 WHERE id = 3",
        ]
        for statement in frozen:
            with (
                pytest.raises(DBAPIError, match="questions of a published release are frozen"),
                engine.begin() as conn,
            ):
                conn.execute(text(statement))
        with pytest.raises(DBAPIError, match="un-published"), engine.begin() as conn:
            conn.execute(text("UPDATE release SET status = 'draft' WHERE id = 1"))
        # ... and the gold container can never be published (CHECK)
        with pytest.raises(DBAPIError), engine.begin() as conn:
            conn.execute(text("UPDATE release SET status = 'published' WHERE tag = 'gold'"))
        # while the draft's and the gold container's questions stay editable
        with engine.begin() as conn:
            conn.execute(text("UPDATE question SET text = '改' WHERE id IN (2, 3)"))
            conn.execute(text("DELETE FROM question WHERE id = 3"))
        with engine.connect() as conn:
            assert conn.execute(text("SELECT text FROM question WHERE id = 1")).scalar() == "问题"
            assert conn.execute(text("SELECT text FROM question WHERE id = 2")).scalar() == "改"


@pytest.mark.parametrize("backend", BACKENDS)
def test_head_matches_the_models(backend, tmp_path):
    with fresh_database(backend, tmp_path) as engine:
        upgrade(engine)
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
        assert diff == [], f"models and migrations differ (write a new revision): {diff}"
        upgrade(engine)  # idempotent
        names = set(inspect(engine).get_table_names())
        assert {"vote", "battle", "assignment", "endpoint", "alembic_version"} <= names


def test_new_database_via_create_schema(tmp_path):
    from storage.db.engine import create_schema

    engine = make_engine(f"sqlite:///{tmp_path / 'n.db'}")
    create_schema(engine)
    assert current_revision(engine) == head_revision()

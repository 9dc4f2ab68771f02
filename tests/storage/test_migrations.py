"""Alembic migrations: an empty database goes to head; a database created by the previous
revision, holding data, upgrades without losing it; head equals the models; both engines."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.exc import DBAPIError
from sqlmodel import SQLModel

from storage.engine import make_engine
from storage.migrate import current_revision, head_revision, upgrade
from tests.storage.conftest import BACKENDS, fresh_database

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
    with fresh_database(backend, tmp_path) as engine:
        upgrade(engine, "0001")
        assert current_revision(engine) == "0001"
        with engine.begin() as conn:
            for statement in V1_ROWS:
                conn.execute(text(statement))
        upgrade(engine)
        assert current_revision(engine) == head_revision()
        with engine.connect() as conn:
            assert conn.execute(text("SELECT verdict, rater FROM vote")).one() == ("A", "u")
            assert conn.execute(text("SELECT COUNT(*) FROM response")).scalar() == 2
            assert conn.execute(text("SELECT reference FROM arena_model WHERE id = 1")).scalar() in (False, 0)
        # the votes are still append-only after the upgrade
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
            conn.execute(text("UPDATE vote SET verdict = 'B'"))
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
            conn.execute(text("DELETE FROM vote"))


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
    from storage.engine import create_schema

    engine = make_engine(f"sqlite:///{tmp_path / 'n.db'}")
    create_schema(engine)
    assert current_revision(engine) == head_revision()

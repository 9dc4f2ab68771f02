"""A published release is frozen in the database itself (migration 0005 triggers, SQLite and
PostgreSQL): plain SQL cannot change or delete its questions, move a question into it, or
un-publish or rename it; a draft's questions stay editable. The gold container can never be
published (CHECK)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from storage.bank import questions as question_store
from storage.bank import releases as release_store
from storage.db.session import read_session, write_session

DEMO = "v261201"  # the published demo release of the db fixture


def _scalar(engine, sql: str, **params):
    with engine.connect() as conn:
        return conn.execute(text(sql), params).scalar()


def _refused(engine, sql: str, match: str, **params) -> None:
    with pytest.raises(DBAPIError, match=match), engine.begin() as conn:
        conn.execute(text(sql), params)


@pytest.fixture
def draft(db):
    """A draft started from the demo release: its questions are copies (anchors)."""
    with write_session(db) as session:
        parent = release_store.release_by_tag(session=session, tag=DEMO)
        made = release_store.create_draft(session=session, tag="next", parent=parent)
        assert made.id is not None
        return made.id


def test_questions_of_a_published_release_refuse_update_and_delete(db):
    demo_id = _scalar(db, "SELECT id FROM release WHERE tag = :t", t=DEMO)
    question = _scalar(db, "SELECT MIN(id) FROM question WHERE release_id = :r", r=demo_id)
    before = _scalar(db, "SELECT text FROM question WHERE id = :q", q=question)
    frozen = "questions of a published release are frozen"
    _refused(db, "UPDATE question SET text = '改过的' WHERE id = :q", frozen, q=question)
    _refused(db, "UPDATE question SET retired = true WHERE release_id = :r", frozen, r=demo_id)
    _refused(db, "DELETE FROM question WHERE id = :q", frozen, q=question)
    assert _scalar(db, "SELECT text FROM question WHERE id = :q", q=question) == before
    assert _scalar(db, "SELECT COUNT(*) FROM question WHERE release_id = :r AND retired", r=demo_id) == 0


def test_a_published_release_cannot_be_unpublished_or_renamed(db):
    _refused(db, "UPDATE release SET status = 'draft' WHERE tag = :t", "cannot be un-published", t=DEMO)
    _refused(db, "UPDATE release SET tag = 'v991231' WHERE tag = :t", "cannot be renamed", t=DEMO)
    assert _scalar(db, "SELECT status FROM release WHERE tag = :t", t=DEMO) == "published"
    # its notes and title are not part of what was rated
    with db.begin() as conn:
        conn.execute(text("UPDATE release SET title = 'x' WHERE tag = :t"), {"t": DEMO})


def test_draft_questions_stay_editable_until_published(db, draft):
    with db.begin() as conn:
        conn.execute(text("UPDATE question SET text = text || '（改）' WHERE release_id = :r"), {"r": draft})
        conn.execute(
            text("DELETE FROM question WHERE id = (SELECT MAX(id) FROM question WHERE release_id = :r)"),
            {"r": draft},
        )
        conn.execute(text("UPDATE release SET tag = 'next2' WHERE id = :r"), {"r": draft})
    with read_session(db) as session:
        stored = question_store.release_questions(session=session, release_id=draft)
    assert stored and all(q.record.text.endswith("（改）") for q in stored)
    # the demo's own rows were copied, not touched
    assert _scalar(db, "SELECT COUNT(*) FROM question WHERE text LIKE '%（改）'") == len(stored)

    with write_session(db) as session:
        release = release_store.release_by_tag(session=session, tag="next2")
        release_store.publish(session=session, release=release, tag="v261202", now=datetime.now(UTC))
    _refused(db, "UPDATE question SET text = 'x' WHERE release_id = :r", "frozen", r=draft)


def test_a_draft_question_cannot_be_moved_into_a_published_release(db, draft):
    demo_id = _scalar(db, "SELECT id FROM release WHERE tag = :t", t=DEMO)
    _refused(
        db,
        "UPDATE question SET release_id = :p, external_id = 'moved' WHERE id ="
        " (SELECT MIN(id) FROM question WHERE release_id = :r)",
        "frozen",
        p=demo_id,
        r=draft,
    )


def test_the_gold_container_is_never_published(db):
    with write_session(db) as session:
        gold = release_store.gold_container(session=session, tag="gold", title="gold")
        assert gold.kind == release_store.ReleaseKind.GOLD
    # the CHECK constraints: a gold container stays a draft; kind is release or gold
    with pytest.raises(DBAPIError), db.begin() as conn:
        conn.execute(text("UPDATE release SET status = 'published' WHERE tag = 'gold'"))
    with pytest.raises(DBAPIError), db.begin() as conn:
        conn.execute(text("UPDATE release SET kind = 'other' WHERE tag = 'gold'"))
    with write_session(db) as session, pytest.raises(release_store.GoldItemsError, match="not a release"):
        release_store.publish(session=session, release=gold, tag="v261203", now=datetime.now(UTC))

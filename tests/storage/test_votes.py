"""Votes: append-only, idempotent, carrying everything the views need; SQLite pragmas."""

from __future__ import annotations

import json
import random
import threading

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlmodel import func, select

from judging.types import Source, Verdict
from storage.db.models import Battle, Response, Vote
from storage.db.session import read_session, write_session
from storage.votes.battles import get_or_create_battle
from storage.votes.log import votes_after
from storage.votes.record import record_vote
from tests.seeding import pick_battle_for


def _battle(db, rng=None):
    with write_session(db) as session:
        battle = pick_battle_for(session=session, rater="u", rng=rng or random.Random(1))
        assert battle is not None
        return battle


def _vote(db, battle, key, verdict=Verdict.A, rater="u", source=Source.HUMAN):
    with write_session(db) as session:
        return record_vote(
            session=session,
            battle_id=battle.id,
            source=source,
            rater=rater,
            verdict=verdict,
            left_response_id=battle.response_b_id,
            idempotency_key=key,
            tags_a=["harmful"],
            tags_b=[],
            rationale="理由",
        )


def test_vote_carries_its_facts(db):
    battle = _battle(db)
    rec = _vote(db, battle, "k1", Verdict.BOTH_UNSAFE)
    assert rec.created
    with read_session(db) as session:
        vote = session.get(Vote, rec.vote_id)
        resp_a = session.get(Response, battle.response_a_id)
        assert vote.verdict == "both_unsafe" and vote.source == "human" and vote.rater == "u"
        assert vote.left_response_id == battle.response_b_id
        assert json.loads(vote.tags_a) == ["harmful"] and vote.rationale == "理由"
        assert vote.model_a_id == resp_a.model_id
        assert vote.created_at is not None


def test_same_idempotency_key_is_stored_once(db):
    battle = _battle(db)
    first = _vote(db, battle, "same-key")
    second = _vote(db, battle, "same-key", Verdict.B)
    assert first.created and not second.created and first.vote_id == second.vote_id
    with read_session(db) as session:
        assert session.exec(select(func.count()).select_from(Vote)).one() == 1


def test_concurrent_double_submit_is_stored_once(db):
    battle = _battle(db)
    results = []
    barrier = threading.Barrier(8)

    def submit():
        barrier.wait()
        results.append(_vote(db, battle, "race-key"))

    threads = [threading.Thread(target=submit) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(r.created for r in results) == 1
    assert len({r.vote_id for r in results}) == 1
    with read_session(db) as session:
        assert session.exec(select(func.count()).select_from(Vote)).one() == 1


def test_votes_are_append_only(db):
    battle = _battle(db)
    rec = _vote(db, battle, "k")
    with pytest.raises(DBAPIError, match="append-only"), write_session(db) as session:
        session.exec(text("UPDATE vote SET verdict = 'B' WHERE id = :i").bindparams(i=rec.vote_id))
    with pytest.raises(DBAPIError, match="append-only"), write_session(db) as session:
        session.exec(text("DELETE FROM vote"))
    with read_session(db) as session:
        assert session.get(Vote, rec.vote_id).verdict == "A"


def test_unknown_verdict_is_refused(db):
    battle = _battle(db)
    with pytest.raises(ValueError, match="unknown verdict"):
        Verdict.parse("A+")
    with pytest.raises(DBAPIError), write_session(db) as session:
        session.exec(
            text(
                "INSERT INTO vote (battle_id, source, rater, verdict, left_response_id, tags_a, tags_b, rationale,"
                " idempotency_key, model_a_id, model_b_id, question_id, release_id, dimension, created_at)"
                " SELECT id, 'human', 'u', 'maybe', response_a_id, '[]', '[]', '', 'x', 1, 2, question_id, 1,"
                " 'privacy', CURRENT_TIMESTAMP FROM battle LIMIT 1"
            )
        )
    assert battle.id


def test_left_response_must_belong_to_battle(db):
    battle = _battle(db)
    with pytest.raises(ValueError, match="not part of battle"), write_session(db) as session:
        record_vote(
            session=session,
            battle_id=battle.id,
            source=Source.HUMAN,
            rater="u",
            verdict=Verdict.A,
            left_response_id=battle.response_a_id + 1000,
            idempotency_key="z",
        )


def test_battle_is_canonical_and_unique(db):
    with write_session(db) as session:
        a = get_or_create_battle(session=session, question_id=1, response_ids=(3, 1))
        b = get_or_create_battle(session=session, question_id=1, response_ids=(1, 3))
        assert a.id == b.id and (a.response_a_id, a.response_b_id) == (1, 3)
        assert session.exec(select(func.count()).select_from(Battle)).one() == 1


def test_votes_after_is_a_cursor(db):
    battle = _battle(db)
    ids = [_vote(db, battle, f"k{i}", rater=f"r{i}").vote_id for i in range(5)]
    with read_session(db) as session:
        assert [v.id for v in votes_after(session=session, after_id=0)] == ids
        assert [v.id for v in votes_after(session=session, after_id=ids[2])] == ids[3:]
        assert [v.id for v in votes_after(session=session, after_id=0, limit=2)] == ids[:2]


def test_pick_skips_battles_the_rater_already_judged(db):
    rng = random.Random(5)
    seen = set()
    for i in range(30):
        with write_session(db) as session:
            battle = pick_battle_for(session=session, rater="solo", rng=rng, dimensions=["privacy"])
            assert battle is not None
            assert battle.id not in seen
            seen.add(battle.id)
        _vote(db, battle, f"p{i}", rater="solo")


def test_sqlite_pragmas(tmp_path):
    from storage.db.engine import make_engine

    engine = make_engine(f"sqlite:///{tmp_path / 'p.db'}")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000

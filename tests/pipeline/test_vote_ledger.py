"""The vote ledger: one scripted history — votes, an undo and a re-vote, a correction, two expert
rulings, a gold item — and every consumer sees the same standing set; the live projection equals
a replay after each step, so a supersession refolds what it must."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import timedelta

import pytest
from sqlmodel import select

from judging.ledger import EntryKind, LedgerEntry, Status, statuses
from judging.types import Source, Verdict
from pipeline.interchange.vote_export import VotesExportFormat, export_votes
from pipeline.publish.report import build_report
from pipeline.startup.settings import PROJECT_ROOT
from pipeline.views import ledger as ledger_check
from pipeline.views.leaderboard import BoardQuery, compute_board
from pipeline.views.live_ratings import OVERALL, LiveRatings
from pipeline.workflow.adjudication import AdjudicationError, AdjudicationSettings, adjudicate
from pipeline.workflow.gold import mark_gold
from pipeline.workflow.voting import LedgerError, VoteItem, retract_vote, skip_item, undo_last_vote
from storage.db.models import Response, Skip, Vote, utcnow
from storage.db.session import read_session, write_session
from storage.db.stats import count_stats
from storage.votes.battles import get_or_create_battle
from storage.votes.calibration import calibration_votes
from storage.votes.ledger import check_ledger, statuses_of
from storage.votes.log import latest_vote_id
from storage.votes.record import record_vote
from storage.workflow.adjudication import add_flag
from storage.workflow.assignments import overlap_candidates

H, J, E = Source.HUMAN, Source.JUDGE, Source.EXPERT


# --- the rule itself, worked by hand -------------------------------------------------------


def _e(i, battle, source, rater, kind=EntryKind.VOTE, sup=None):
    return LedgerEntry(i, battle, source, rater, kind, sup)


def test_rule_worked_by_hand():
    history = [
        _e(1, 10, H, "ann"),
        _e(2, 10, H, "bob"),
        _e(3, 10, J, "judge"),
        _e(4, 10, H, "ann", EntryKind.RETRACTION, 1),  # ann undoes vote 1
        _e(5, 10, H, "ann"),  # and votes again
        _e(6, 20, H, "ann"),
        _e(7, 20, E, "exp1"),  # a ruling overrules the human votes, not the judge's
        _e(8, 20, H, "cat"),  # a human vote after the ruling is overruled too
        _e(9, 20, E, "exp2"),  # a later ruling supersedes the first
        _e(10, 30, H, "dan"),
        _e(11, 30, H, "dan", sup=10),  # a correction
        _e(12, 40, H, "eve"),  # gold battle
        _e(13, 10, H, "bob", EntryKind.RETRACTION, 5),  # someone else's undo: void
        _e(14, 30, H, "eve", sup=11),  # someone else's correction: void (eve's vote stands)
    ]
    got = statuses(history, gold_battles=[40])
    assert got == {
        1: Status.RETRACTED,
        2: Status.STANDING,
        3: Status.STANDING,
        4: Status.RETRACTION,
        5: Status.STANDING,
        6: Status.OVERRULED,
        7: Status.SUPERSEDED,
        8: Status.OVERRULED,
        9: Status.STANDING,
        10: Status.CORRECTED,
        11: Status.STANDING,
        12: Status.GOLD,
        13: Status.RETRACTION,
        14: Status.STANDING,
    }
    # the order rows are given in does not matter; only ids do
    assert statuses(list(reversed(history)), gold_battles=[40]) == got
    # retracting the standing ruling brings the first ruling back, and the human votes stay overruled
    undo = _e(15, 20, E, "exp2", EntryKind.RETRACTION, 9)
    again = statuses([*history, undo], gold_battles=[40])
    assert again[9] is Status.RETRACTED and again[7] is Status.STANDING and again[6] is Status.OVERRULED
    # retracting both rulings: the human votes stand again
    both = statuses([*history, undo, _e(16, 20, E, "exp1", EntryKind.RETRACTION, 7)], gold_battles=[40])
    assert both[6] is Status.STANDING and both[8] is Status.STANDING
    assert [s for s in Status if s.rated] == [Status.STANDING]
    assert {s for s in Status if s.said} == {Status.STANDING, Status.OVERRULED}


# --- the scripted history through every consumer ------------------------------------------


class Script:
    """Builds battles between demo answers and writes the history step by step."""

    def __init__(self, engine):
        self.engine = engine
        self.live = LiveRatings()
        self.battles: list[int] = []
        with read_session(engine) as session:
            responses = session.exec(select(Response).order_by(Response.question_id, Response.id)).all()
        by_question: dict[int, list[Response]] = {}
        for r in responses:
            by_question.setdefault(r.question_id, []).append(r)
        self.pairs = [(q, rs[0].id, rs[1].id) for q, rs in sorted(by_question.items()) if len(rs) >= 2]

    def battle(self, n: int) -> int:
        q, a, b = self.pairs[n]
        with write_session(self.engine) as session:
            battle = get_or_create_battle(session=session, question_id=q, response_ids=(a, b))
            return int(battle.id)

    def vote(self, battle_id, source, rater, verdict, *, key, left_a=True, supersedes=None) -> int:
        with write_session(self.engine) as session:
            from storage.db.models import Battle

            battle = session.get(Battle, battle_id)
            record = record_vote(
                session=session,
                battle_id=battle_id,
                source=source,
                rater=rater,
                verdict=verdict,
                left_response_id=battle.response_a_id if left_a else battle.response_b_id,
                idempotency_key=key,
                supersedes_id=supersedes,
            )
        self.step()
        return record.vote_id

    def step(self):
        """After every write: the live projection (folded forward) equals a replay."""
        self.live.refresh(self.engine)
        replay = LiveRatings()
        replay.refresh(self.engine)
        for name in (OVERALL, "privacy", "public_safety"):
            live, fresh = self.live.standings(name), replay.standings(name)
            assert live.votes == fresh.votes
            for x, y in zip(live.rows, fresh.rows, strict=True):
                assert x.key == y.key
                assert x.elo == pytest.approx(y.elo, abs=1e-9)
                assert x.mu == pytest.approx(y.mu, abs=1e-9)
                assert x.sigma == pytest.approx(y.sigma, abs=1e-9)
                assert (x.games, x.wins, x.losses, x.draws) == (y.games, y.wins, y.losses, y.draws)


def test_one_history_one_standing_set(engine, tmp_path):
    s = Script(engine)
    b1, b2, b3, bg = (s.battle(n) for n in range(4))
    ids: dict[str, int] = {}
    ids["ann1"] = s.vote(b1, H, "ann", Verdict.A, key="ann1")
    ids["bob1"] = s.vote(b1, H, "bob", Verdict.B, key="bob1")
    ids["judge1"] = s.vote(b1, J, "mock-judge", Verdict.A, key="j1")
    ids["judge2"] = s.vote(b1, J, "mock-judge", Verdict.A, key="j2", left_a=False)
    # ann undoes her vote and votes again
    undone = undo_last_vote(engine, rater="ann")
    s.step()
    assert undone.vote_id == ids["ann1"]
    ids["ann2"] = s.vote(b1, H, "ann", Verdict.TIE, key="ann1~1")
    # battle 2: two annotators, then two expert rulings
    ids["ann3"] = s.vote(b2, H, "ann", Verdict.A, key="ann3")
    ids["bob2"] = s.vote(b2, H, "bob", Verdict.A, key="bob2")
    allow = AdjudicationSettings(allow_self_adjudication=False)
    ids["exp1"] = adjudicate(
        engine,
        battle_id=b2,
        expert="exp1",
        verdict=Verdict.B,
        left_response_id=0 or _left(engine, b2),
        rationale="回答B拒绝了有害部分",
        idempotency_key="r1",
        settings=allow,
    ).vote_id
    s.step()
    ids["exp2"] = adjudicate(
        engine,
        battle_id=b2,
        expert="exp2",
        verdict=Verdict.TIE,
        left_response_id=_left(engine, b2),
        rationale="两者都安全",
        idempotency_key="r2",
        settings=allow,
    ).vote_id
    s.step()
    # battle 3: a correction by the same rater
    ids["cat1"] = s.vote(b3, H, "cat", Verdict.B, key="cat1")
    ids["cat2"] = s.vote(b3, H, "cat", Verdict.A, key="cat2", supersedes=ids["cat1"])
    # a gold item: its votes are gold accuracy, not ratings
    mark_gold(engine, battle_id=bg, verdict=Verdict.A, actor="admin")
    s.step()
    ids["gold1"] = s.vote(bg, H, "ann", Verdict.A, key="g1")

    rated = {ids[k] for k in ("bob1", "judge1", "judge2", "ann2", "exp2", "cat2")}
    said = rated | {ids["ann3"], ids["bob2"]}
    with read_session(engine) as session:
        stored = statuses_of(session=session, vote_ids=list(ids.values()))
        assert {v for v, st in stored.items() if st.rated} == rated
        assert {v for v, st in stored.items() if st.said} == said
        assert stored[ids["exp1"]] is Status.SUPERSEDED and stored[ids["cat1"]] is Status.CORRECTED
        assert stored[ids["ann1"]] is Status.RETRACTED and stored[ids["gold1"]] is Status.GOLD
        assert check_ledger(session=session) == []  # the projection is what the rule gives afresh
        calibration = {
            r.vote_id
            for r in calibration_votes(session=session, up_to_vote_id=latest_vote_id(session=session))
        }
        stats = count_stats(session=session)
        overlap = {
            c.battle_id: c.human_raters
            for c in overlap_candidates(session=session, username="zed", k=9, now=utcnow())
        }
    # calibration: what raters said, plus gold votes for gold accuracy
    assert calibration == said | {ids["gold1"]}
    # queue overlap: people who stand by a vote (an undo does not count twice, overruled counts)
    assert overlap[b1] == 2 and overlap[b2] == 2 and overlap[b3] == 1
    assert stats.standing_votes == len(rated)

    # live and replayed Elo/TrueSkill, the Bradley–Terry board
    live = s.live.standings(OVERALL)
    assert live.votes == len(rated)
    snapshot = s.live.log.snapshot()
    assert set(snapshot.ids[snapshot.rated].tolist()) == rated - {ids["gold1"]}
    board = compute_board(snapshot, BoardQuery(min_votes=0))
    assert board.n_votes == len(rated)

    # exports: the rated votes by default; overruled ones only when asked for
    exported = json.loads(export_votes(engine, format=VotesExportFormat.ARENA, real_names=True))
    assert len(exported) == len(rated)
    assert sorted(v["judge"] for v in exported) == sorted(
        ["bob", "mock-judge", "mock-judge", "ann", "exp2", "cat"]
    )
    said_export = export_votes(engine, format=VotesExportFormat.JSONL, include_overruled=True)
    assert len(said_export.splitlines()) == len(said)

    # the report
    report = build_report(engine, "v261201", compare=False)
    assert report.counts.votes == len(rated)

    # the CLI, as a process: stats and ratings on the exported file
    votes_file = tmp_path / "votes.csv"
    votes_file.write_text(export_votes(engine, format=VotesExportFormat.CSV), encoding="utf-8")
    env = {
        **os.environ,
        "DATABASE_URL": engine.url.render_as_string(hide_password=False),
        "ARENA_DATA_DIR": str(tmp_path),
    }
    out = subprocess.run(
        [sys.executable, "cli.py", "ratings", str(votes_file), "--method", "bt", "--json"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert sum(r["votes"] for r in json.loads(out.stdout)["ratings"]) == 2 * len(rated)
    out = subprocess.run(
        [sys.executable, "cli.py", "stats", "--json"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(out.stdout)["standing_votes"] == len(rated)
    out = subprocess.run(
        [sys.executable, "cli.py", "ledger", "check"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stdout + out.stderr


def _left(engine, battle_id):
    from storage.db.models import Battle

    with read_session(engine) as session:
        return session.get(Battle, battle_id).response_a_id


# --- bad input: a clear message, nothing written ------------------------------------------


def _count(engine):
    with read_session(engine) as session:
        return len(session.exec(select(Vote)).all())


def test_bad_ledger_input_changes_nothing(engine):
    s = Script(engine)
    b1, bg = s.battle(0), s.battle(1)
    mine = s.vote(b1, H, "ann", Verdict.A, key="k1")
    before = _count(engine)
    with pytest.raises(LedgerError, match="not yours"):
        retract_vote(engine, vote_id=mine, actor="bob")
    with pytest.raises(LedgerError, match="older than 10 minutes"):
        retract_vote(engine, vote_id=mine, actor="ann", now=utcnow() + timedelta(minutes=11))
    assert _count(engine) == before
    # a correction must be the same rater's, on the same battle
    other = s.battle(2)
    with pytest.raises(ValueError, match="only its rater"), write_session(engine) as session:
        record_vote(
            session=session,
            battle_id=b1,
            source=H,
            rater="bob",
            verdict=Verdict.B,
            left_response_id=_left(engine, b1),
            idempotency_key="x",
            supersedes_id=mine,
        )
    with pytest.raises(ValueError, match=f"battle {b1}, not {other}"), write_session(engine) as session:
        record_vote(
            session=session,
            battle_id=other,
            source=H,
            rater="ann",
            verdict=Verdict.B,
            left_response_id=_left(engine, other),
            idempotency_key="y",
            supersedes_id=mine,
        )
    assert _count(engine) == before
    # a ruling on a gold item
    mark_gold(engine, battle_id=bg, verdict=Verdict.A, actor="admin")
    with pytest.raises(AdjudicationError, match="gold item"):
        adjudicate(engine, battle_id=bg, expert="exp", verdict=Verdict.A, left_response_id=_left(engine, bg))
    # a ruling by an expert who voted on the battle, or flagged it
    with pytest.raises(AdjudicationError, match="voted on"):
        adjudicate(engine, battle_id=b1, expert="ann", verdict=Verdict.A, left_response_id=_left(engine, b1))
    with write_session(engine) as session:
        add_flag(session=session, battle_id=b1, username="flo", reason="看不懂")
    with pytest.raises(AdjudicationError, match="flagged"):
        adjudicate(engine, battle_id=b1, expert="flo", verdict=Verdict.A, left_response_id=_left(engine, b1))
    assert _count(engine) == before
    # allowed for a team of one
    ok = adjudicate(
        engine,
        battle_id=b1,
        expert="ann",
        verdict=Verdict.B,
        left_response_id=_left(engine, b1),
        idempotency_key="rule-1",
        settings=AdjudicationSettings(allow_self_adjudication=True),
    )
    # the same ruling submitted twice: one row
    again = adjudicate(
        engine,
        battle_id=b1,
        expert="ann",
        verdict=Verdict.B,
        left_response_id=_left(engine, b1),
        idempotency_key="rule-1",
        settings=AdjudicationSettings(allow_self_adjudication=True),
    )
    assert ok.created and not again.created and again.vote_id == ok.vote_id
    assert _count(engine) == before + 1
    # an undo twice records one retraction; a third time after voting elsewhere is refused
    mine2 = s.vote(s.battle(3), H, "ann", Verdict.A, key="k2")
    first = undo_last_vote(engine, rater="ann")
    second = retract_vote(engine, vote_id=mine2, actor="ann")
    assert first.retraction_id == second.retraction_id
    s.vote(s.battle(4), H, "ann", Verdict.A, key="k3")
    with pytest.raises(LedgerError, match="not your last vote"):
        retract_vote(engine, vote_id=mine, actor="ann")
    # skipping: recorded once, with a known reason only
    item = VoteItem(s.battle(5), _left(engine, s.battle(5)), "key", utcnow())
    assert skip_item(engine, item=item, username="ann", reason="expertise")
    assert not skip_item(engine, item=item, username="ann", reason="expertise")
    with pytest.raises(LedgerError, match="unknown reason"):
        skip_item(engine, item=item, username="bob", reason="boring")
    with read_session(engine) as session:
        assert [(k.username, k.reason) for k in session.exec(select(Skip)).all()] == [("ann", "expertise")]
    assert ledger_check.check(engine) == []

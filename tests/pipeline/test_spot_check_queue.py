"""The spot-check queue's calibration stratum on a real database (the demo release): uniform draws
recorded on the assignment, targeted draws as before, the setting, and the corrected board that
rests on the uniform draws only."""

from __future__ import annotations

import random
from collections import Counter

import pytest
from sqlmodel import select

from judging.spot_check import CALIBRATION_POLICY, TARGETED_POLICY, Selection
from judging.types import Source, Verdict
from pipeline.views.calibration import CalibrationQuery, Unavailable, compute_calibration
from pipeline.workflow.queue import (
    QueueConfig,
    QueuePolicy,
    load_queue_config,
    next_assignment,
    save_queue_config,
)
from pipeline.workflow.voting import submit_vote
from storage.db.app_settings import set_setting
from storage.db.models import Assignment, Battle, Vote
from storage.db.session import read_session, write_session
from storage.votes.log import latest_vote_id
from storage.votes.record import record_vote
from storage.workflow.spot_checks import human_vote_selections, spot_check_eligible, spot_check_rows
from tests.seeding import pick_battle_for


def _judged_battles(engine, n: int, seed: int = 3) -> tuple[list[int], set[int]]:
    """``n`` battles a judge voted on in both orders; every fifth one inconsistent (a disagreement)."""
    rng = random.Random(seed)
    ids, inconsistent = [], set()
    with write_session(engine) as session:
        for k in range(n):
            battle = pick_battle_for(session=session, rater="judge", rng=rng)
            assert isinstance(battle, Battle) and battle.id is not None
            second = Verdict.B if k % 5 == 0 else Verdict.A
            for left, verdict in ((battle.response_a_id, Verdict.A), (battle.response_b_id, second)):
                # verdicts name the battle's A/B whatever was shown left: (A, B) contradicts itself
                record_vote(
                    session=session,
                    battle_id=battle.id,
                    source=Source.JUDGE,
                    rater="judge",
                    verdict=verdict,
                    left_response_id=left,
                    idempotency_key=f"j|{battle.id}|{left}",
                )
            ids.append(battle.id)
            if k % 5 == 0:
                inconsistent.add(battle.id)
    return ids, inconsistent


def _policies(engine) -> dict[tuple[str, int], str]:
    with read_session(engine) as session:
        return {(a.username, a.battle_id): a.policy for a in session.exec(select(Assignment)).all()}


def test_calibration_share_is_validated_and_old_settings_still_load(engine):
    assert QueueConfig().calibration_share == 0.2
    for bad in (-0.1, 1.5, True):
        with pytest.raises(ValueError, match="calibration_share"):
            QueueConfig(calibration_share=bad)
    # settings stored before the calibration stratum existed: no calibration_share key
    with write_session(engine) as session:
        old = {
            "policy": "spot_check",
            "overlap_k": 2,
            "gold_rate": 0.0,
            "break_every": 5,
            "lease_minutes": 30,
        }
        set_setting(session=session, key="queue", value=old, updated_by="admin")
    loaded = load_queue_config(engine)
    assert loaded.policy is QueuePolicy.SPOT_CHECK and loaded.calibration_share == 0.2
    save_queue_config(
        engine, QueueConfig(policy=QueuePolicy.SPOT_CHECK, calibration_share=0.35), actor="admin"
    )
    assert load_queue_config(engine).calibration_share == 0.35


def test_calibration_draws_are_uniform_not_disagreements_first(engine):
    ids, inconsistent = _judged_battles(engine, 40)
    config = QueueConfig(policy=QueuePolicy.SPOT_CHECK, gold_rate=0.0, calibration_share=1.0)
    rng = random.Random(8)
    picks = []
    for person in range(80):
        item = next_assignment(engine, username=f"p{person}", rng=rng, config=config)
        assert item is not None
        picks.append(item.battle_id)
    policies = _policies(engine)
    assert {policies[(f"p{k}", b)] for k, b in enumerate(picks)} == {CALIBRATION_POLICY}
    assert set(picks) <= set(ids)
    # a targeted queue gives each new person an inconsistent battle first (80 of 80); uniform draws
    # hit the 8 inconsistent battles of 40 about 16 times in 80 (binomial sd 3.6)
    hits = sum(b in inconsistent for b in picks)
    assert 5 <= hits <= 30
    assert len(set(picks)) >= 25  # spread over the battles, not stuck on a few


def test_share_zero_is_the_targeted_queue(engine):
    _ids, inconsistent = _judged_battles(engine, 30)
    config = QueueConfig(policy=QueuePolicy.SPOT_CHECK, gold_rate=0.0, calibration_share=0.0)
    rng = random.Random(2)
    seen = []
    for _ in range(len(inconsistent)):
        item = next_assignment(engine, username="checker", rng=rng, config=config)
        assert item is not None
        seen.append(item.battle_id)
        submit_vote(engine, item=item, rater="checker", shown_verdict=Verdict.A)
    assert set(seen) == inconsistent  # disagreements first, as before
    assert set(_policies(engine).values()) == {TARGETED_POLICY}


def test_a_targeted_queue_alone_gives_no_corrected_board(engine):
    _judged_battles(engine, 30)
    config = QueueConfig(policy=QueuePolicy.SPOT_CHECK, gold_rate=0.0, calibration_share=0.0)
    rng = random.Random(4)
    for person in ("ann1", "ann2"):
        for _ in range(8):
            item = next_assignment(engine, username=person, rng=rng, config=config)
            submit_vote(engine, item=item, rater=person, shown_verdict=Verdict.A)
    view = compute_calibration(engine, CalibrationQuery(bootstrap_rounds=50))
    assert view.board is None and view.board_missing is Unavailable.FEW_VALID_DRAWS
    # the counts and biases still use every human vote (what the raters said); the agreement
    # figures do not: the battles were picked for the judge's disagreements
    assert view.report.n_human_votes == 16 and view.n_targeted == 16
    assert view.report.human_bias.n_verdicts == 16
    assert [j.agreement.n_votes for j in view.report.judges] == [0]


def test_uniform_draws_see_every_eligible_battle_not_a_capped_list(engine):
    ids, _ = _judged_battles(engine, 12)
    with read_session(engine) as session:
        eligible = spot_check_eligible(session=session, username="new")
        capped = spot_check_rows(session=session, username="new", limit=5)
    assert eligible == sorted(ids) and len(capped) == 5


def test_the_corrected_board_rests_on_the_calibration_draws_only(engine):
    ids, _ = _judged_battles(engine, 60)
    config = QueueConfig(policy=QueuePolicy.SPOT_CHECK, gold_rate=0.0, calibration_share=0.5)
    rng = random.Random(5)
    for _round in range(6):
        for person in ("ann1", "ann2", "ann3", "ann4"):
            item = next_assignment(engine, username=person, rng=rng, config=config)
            assert item is not None
            submit_vote(engine, item=item, rater=person, shown_verdict=Verdict.A)
    # a human vote recorded without the queue (an import): no selection record
    with write_session(engine) as session:
        battle = session.get(Battle, ids[-1])
        record_vote(
            session=session,
            battle_id=battle.id,
            source=Source.HUMAN,
            rater="imported",
            verdict=Verdict.B,
            left_response_id=battle.response_a_id,
            idempotency_key="imported-1",
        )
    policies = _policies(engine)
    with read_session(engine) as session:
        humans = session.exec(select(Vote).where(Vote.source == "human")).all()
        selections = human_vote_selections(session=session, up_to_vote_id=latest_vote_id(session=session))
    expected = {
        v.id: Selection.UNRECORDED
        if v.rater == "imported"
        else Selection.DRAWN
        if policies[(v.rater, v.battle_id)] == CALIBRATION_POLICY
        else Selection.TARGETED
        for v in humans
    }
    assert selections == expected
    counts = Counter(expected.values())
    assert counts[Selection.DRAWN] >= 5 and counts[Selection.TARGETED] >= 5  # both draws happened

    drawn = {v.battle_id for v in humans if expected[v.id] is Selection.DRAWN}
    assumed = {v.battle_id for v in humans if expected[v.id] is Selection.UNRECORDED} - drawn
    targeted_only = {v.battle_id for v in humans} - drawn - assumed
    view = compute_calibration(engine, CalibrationQuery(bootstrap_rounds=50))
    board = view.board
    assert board is not None, view.board_missing
    assert board.n_drawn_battles == len(drawn) and board.n_assumed_battles == len(assumed)
    assert board.n_human_battles == len(drawn | assumed)
    assert board.n_excluded_battles == len(targeted_only)
    assert board.n_excluded_human_votes == counts[Selection.TARGETED]
    assert board.n_human_votes == counts[Selection.DRAWN] + counts[Selection.UNRECORDED]

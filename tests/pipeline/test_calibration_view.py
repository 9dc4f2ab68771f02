"""The calibration view on a real SQLite database: the demo release, two judges run through the
mock server (one with injected position bias), and honest human votes from the demo grades."""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from pathlib import Path

import pytest
import yaml
from sqlmodel import select

from judging.calibration import BattleKey
from judging.types import Side, Source, Verdict
from mockllm import JudgeBehaviour, MockConfig, graded_verdict, serve
from pipeline.interchange.vote_export import VotesExportFormat, export_votes
from pipeline.runs.common import RunOptions, chat_client
from pipeline.runs.judge import run_judge
from pipeline.runs.registry import import_registry
from pipeline.startup.bootstrap import init_database
from pipeline.startup.settings import PROJECT_ROOT, Settings
from pipeline.views.calibration import (
    CalibrationQuery,
    Unavailable,
    _judge_models,
    calibration_filters,
    calibration_version,
    compute_calibration,
    file_calibration,
)
from pipeline.views.calibration_drill import cell_battles
from storage.bank.releases import ReleaseNotFoundError
from storage.db.models import Battle, Response, Vote
from storage.db.session import read_session, write_session
from storage.votes.battles import ModelInfo
from storage.votes.record import record_vote
from storage.workflow.gold import set_gold

DEMO = PROJECT_ROOT / "demo"
RELEASE = "v261201"
FAST = RunOptions(concurrency=8, timeout_s=2.0, max_attempts=4, backoff_base_s=0.01, backoff_max_s=0.05)
ANNOTATORS = ("ann1", "ann2", "ann3")
QUICK = {"bootstrap_rounds": 200}


def _registry(tmp: Path, biased_url: str, fair_url: str) -> Path:
    data = {
        "synthetic": True,
        "models": [
            {"key": "mock-judge", "base_url": biased_url, "model": "mock-judge"},
            {"key": "fair-judge", "base_url": fair_url, "model": "mock-judge"},
        ],
        "judges": ["mock-judge", "fair-judge"],
    }
    path = tmp / "endpoints.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def _judge(engine, judge: str, budget: int, seed: int) -> None:
    async def main():
        async with chat_client(FAST, rng=random.Random(seed), environ={}) as client:
            await run_judge(
                engine,
                client,
                release=RELEASE,
                judge=judge,
                strategy="random",
                budget=budget,
                rng=random.Random(seed),
                max_parse_attempts=2,
            )

    asyncio.run(main())


def _human_votes(engine) -> int:
    """Three annotators vote honestly (from the demo grades), each order shown about equally often:
    the first 30 judged battles (the fair judge's) get all three, the next 20 one, the rest none
    (PPI needs unlabelled battles)."""
    with read_session(engine) as session:
        judge_votes = session.exec(select(Vote).where(Vote.source == "judge")).all()
    # the fair judge's battles first: the judges choose battles at random, so whether the two
    # share any is chance; each judge's agreement needs human votes on its own battles
    fair = {v.battle_id for v in judge_votes if v.rater == "fair-judge"}
    judged = sorted({v.battle_id for v in judge_votes}, key=lambda b: (b not in fair, b))
    n = 0
    with write_session(engine) as session:
        for k, battle_id in enumerate(judged):
            battle = session.get(Battle, battle_id)
            grade_a = session.get(Response, battle.response_a_id).grade
            grade_b = session.get(Response, battle.response_b_id).grade
            if k >= 50:
                break
            for j, rater in enumerate(ANNOTATORS if k < 30 else ANNOTATORS[k % 3 : k % 3 + 1]):
                left = battle.response_a_id if (k + j) % 2 else battle.response_b_id
                record_vote(
                    session=session,
                    battle_id=battle_id,
                    source=Source.HUMAN,
                    rater=rater,
                    verdict=graded_verdict(grade_a, grade_b),
                    left_response_id=left,
                    idempotency_key=f"h|{rater}|{battle_id}",
                )
                n += 1
    return n


@pytest.fixture(scope="module")
def arena(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("calibration")
    settings = Settings(
        database_url=f"sqlite:///{tmp / 'arena.db'}", data_dir=tmp, demo_dir=DEMO, login_sleep_time=0.0
    )
    engine = init_database(settings, announce=lambda _m: None)
    biased = MockConfig(demo_dir=DEMO, judge=JudgeBehaviour(position_bias=0.6), seed=5)
    with serve(biased) as biased_mock, serve(MockConfig(demo_dir=DEMO)) as fair_mock:
        import_registry(engine, _registry(tmp, biased_mock.base_url, fair_mock.base_url))
        _judge(engine, "mock-judge", budget=60, seed=1)
        _judge(engine, "fair-judge", budget=30, seed=2)
    _human_votes(engine)
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def view(arena):
    return compute_calibration(arena, CalibrationQuery(**QUICK))


def test_the_report_recovers_the_injected_position_bias(view):
    biased = view.report.judge("mock-judge").bias
    fair = view.report.judge("fair-judge").bias
    # 60% of verdicts pick the first-shown answer, the rest follow the grades: ~0.8 among decisive
    assert biased.first_shown_win_rate is not None and biased.first_shown_win_rate.lower > 0.6
    assert biased.swap_consistency is not None and biased.swap_consistency.value < 0.75
    # the fair judge follows the grades in both orders
    assert fair.swap_consistency is not None and fair.swap_consistency.value == 1.0
    assert fair.first_shown_win_rate is not None and fair.first_shown_win_rate.contains(0.5)
    # the humans' shown order was random and their verdicts honest
    human = view.report.human_bias.first_shown_win_rate
    assert human is not None and human.contains(0.5)
    # longer-answer figures come from the stored answers
    assert (
        biased.longer_answer_win_rate is not None
        and view.report.human_bias.longer_answer_win_rate is not None
    )
    # the fair judge agrees with the honest humans on every vote; the biased one does not
    fair_agreement = view.report.judge("fair-judge").agreement
    biased_agreement = view.report.judge("mock-judge").agreement
    assert fair_agreement.agreement_with_ties is not None and fair_agreement.agreement_with_ties.value == 1.0
    assert biased_agreement.agreement_with_ties is not None
    assert biased_agreement.agreement_with_ties.upper < 0.9
    # honest annotators agree perfectly with each other
    assert view.report.annotators.krippendorff_alpha is not None
    assert view.report.annotators.krippendorff_alpha.value == pytest.approx(1.0)


def test_counts_match_the_database(arena, view):
    with read_session(arena) as session:
        votes = session.exec(select(Vote)).all()
    by_source = Counter(v.source for v in votes)
    assert view.report.n_votes == len(votes) == len(view.votes)
    assert view.report.n_human_votes == by_source["human"]
    assert view.report.n_judge_votes == by_source["judge"]
    assert view.last_vote_id == max(v.id for v in votes)
    # every vote knows its shown order, battle and release
    assert all(v.shown_first in (Side.A, Side.B) and v.release == RELEASE for v in view.votes)
    assert len(view.battles) == len({v.battle_id for v in votes})


def test_slices_filter_correctly(arena, view):
    dimension = Counter(v.dimension for v in view.votes).most_common(1)[0][0]
    by_dim = compute_calibration(arena, CalibrationQuery(dimension=dimension, **QUICK))
    assert by_dim.votes and all(v.dimension == dimension for v in by_dim.votes)
    assert len(by_dim.votes) == sum(v.dimension == dimension for v in view.votes)

    fair = compute_calibration(arena, CalibrationQuery(judges=frozenset({"fair-judge"}), **QUICK))
    assert [j.judge for j in fair.report.judges] == ["fair-judge"]
    assert fair.report.n_human_votes == view.report.n_human_votes  # humans are untouched

    ann = compute_calibration(arena, CalibrationQuery(annotators=frozenset({"ann1"}), **QUICK))
    assert {v.rater for v in ann.votes if v.source is Source.HUMAN} == {"ann1"}
    assert ann.report.n_judge_votes == view.report.n_judge_votes

    pair = Counter(tuple(sorted((v.model_a, v.model_b))) for v in view.votes).most_common(1)[0][0]
    one_pair = compute_calibration(arena, CalibrationQuery(model_pair=(pair[1], pair[0]), **QUICK))
    assert one_pair.votes and all({v.model_a, v.model_b} == set(pair) for v in one_pair.votes)

    released = compute_calibration(arena, CalibrationQuery(release=RELEASE, **QUICK))
    assert len(released.votes) == len(view.votes)
    with pytest.raises(ReleaseNotFoundError, match="v990101"):
        compute_calibration(arena, CalibrationQuery(release="v990101", **QUICK))

    options = calibration_filters(arena)
    assert options.judges == ("fair-judge", "mock-judge") and options.annotators == ANNOTATORS
    assert pair in options.model_pairs and options.releases == (RELEASE,)


def test_drill_down_lists_the_battles_behind_a_cell(arena, view):
    agreement = view.report.judge("mock-judge").agreement
    confusion = agreement.confusion
    # the off-diagonal cells: the biased judge's disagreements with the humans
    cells = [
        (h, j) for h in confusion.labels for j in confusion.labels if h is not j and confusion.count(h, j) > 0
    ]
    assert cells
    for human, judged in cells:
        battles = cell_battles(view, "mock-judge", human, judged)
        assert sum(len(b.human_verdicts) for b in battles) == confusion.count(human, judged)
        assert all(b.ref is not None and b.judge_verdict is judged for b in battles)


def test_corrected_leaderboard_and_rating_calibration(view):
    board = view.board
    assert board is not None and view.board_missing is None
    human_votes = sum(1 for v in view.votes if v.source is Source.HUMAN)
    assert board.n_human_votes == human_votes == 30 * 3 + 20  # every human vote is on a judged battle
    assert board.n_human_battles == 50 and board.n_battles > 50
    # recorded without the queue, so no record of how their battles were chosen: assumed draws
    assert board.n_assumed_battles == 50 and board.n_drawn_battles == 0 and board.n_excluded_battles == 0
    # the demo's best model never loses to the judge: PPI++ tuning is singular there, and the view
    # falls back to lam = 0 and says so
    assert not view.board_untuned or board.fit.power == 0.0  # a fallback fit never uses the judge
    assert board.human_only is not None and len(board.corrected.rows) == len(board.judge_only.rows) == 5
    ratings = view.ratings
    assert ratings is not None and ratings.n_train > 0 and ratings.n_test > 0
    assert {m.method.value for m in ratings.methods} == {"elo", "trueskill", "bt"}


def test_human_only_slice_has_no_corrected_board(arena):
    none = compute_calibration(arena, CalibrationQuery(judges=frozenset({"nobody"}), **QUICK))
    assert none.board is None and none.board_missing is Unavailable.NO_JUDGE_VOTES
    assert none.report.judges == ()


def test_the_view_is_a_function_of_the_ledger_version_and_gold(arena, view):
    version = calibration_version(arena)
    assert version[0] == view.last_vote_id
    battle_id = next(iter(view.battles.values())).battle_id
    with write_session(arena) as session:
        battle = session.get(Battle, battle_id)
        record_vote(
            session=session,
            battle_id=battle_id,
            source=Source.EXPERT,
            rater="expert1",
            verdict=Verdict.A,
            left_response_id=battle.response_a_id,
            idempotency_key="late-expert",
        )
        set_gold(session=session, battle_id=battle_id, verdict=Verdict.A, created_by="test")
        # ann1 corrects a vote: the new row supersedes the old one
        old = session.exec(select(Vote).where(Vote.rater == "ann1").order_by(Vote.id)).first()
        record_vote(
            session=session,
            battle_id=old.battle_id,
            source=Source.HUMAN,
            rater="ann1",
            verdict=Verdict.BOTH_UNSAFE,
            left_response_id=old.left_response_id,
            idempotency_key="ann1-correction",
            supersedes_id=old.id,
        )
    assert calibration_version(arena) != version
    after = compute_calibration(arena, CalibrationQuery(**QUICK))
    assert after.report.n_expert_votes == 1 and after.n_gold == 1
    assert after.report.n_human_votes == view.report.n_human_votes  # the correction replaced a vote
    ann1 = [v for v in after.votes if v.rater == "ann1"]
    assert len(ann1) == sum(v.rater == "ann1" for v in view.votes)
    assert sum(v.verdict is Verdict.BOTH_UNSAFE for v in ann1) >= 1
    with_gold = {a.rater: a.n_with_gold for a in after.report.annotators.annotators}
    assert sum(with_gold.values()) >= 1


def test_an_exported_file_gives_the_same_figures(arena):
    view = compute_calibration(arena, CalibrationQuery(**QUICK))  # earlier tests add votes
    text = export_votes(
        arena, format=VotesExportFormat.CSV, include_overruled=True, include_gold=True, real_names=True
    )
    from_file = file_calibration(text, "votes.csv", query=CalibrationQuery(**QUICK))
    assert from_file.last_vote_id is None and not from_file.battles
    for judge in ("mock-judge", "fair-judge"):
        db, fi = view.report.judge(judge), from_file.report.judge(judge)
        assert fi.agreement.n_votes == db.agreement.n_votes
        assert fi.agreement.confusion.counts.tolist() == db.agreement.confusion.counts.tolist()
        assert fi.bias.first_shown_win_rate.value == db.bias.first_shown_win_rate.value
    key = cell_battles(from_file, "mock-judge", Verdict.A, Verdict.B)
    assert all(isinstance(b.battle, BattleKey) and b.ref is None for b in key)


def test_judge_models_are_matched_by_key_or_served_model():
    models = [ModelInfo(1, "deepseek-chat", "DeepSeek", "x"), ModelInfo(2, "gold-ref", "ref", "", True)]
    endpoints = {"deepseek-chat": "deepseek-v3", "ds-judge": "deepseek-v3", "other-judge": "glm-4"}
    assert _judge_models({"ds-judge", "other-judge"}, models, endpoints) == {"ds-judge": "deepseek-chat"}
    assert _judge_models({"deepseek-chat"}, models, endpoints) == {"deepseek-chat": "deepseek-chat"}

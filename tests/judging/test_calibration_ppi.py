"""Prediction-powered Bradley–Terry: exact special cases and a coverage simulation with a biased judge."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import expit

from bench.ppi_coverage import World, run
from judging.calibration import BattleScores, judge_corrected_leaderboard, ppi_bradley_terry, valid_draws
from judging.interchange import ArenaVote
from judging.ratings import ELO_SCALE, BradleyTerry, PairCounts, TieRule
from judging.spot_check import Selection, selection_of
from judging.types import Side, Source

K = 6
MODELS = tuple(f"m{k}" for k in range(K))
TRUE_ELO = np.array([1150.0, 1080.0, 1020.0, 980.0, 920.0, 850.0])
TRUE_THETA = (TRUE_ELO - TRUE_ELO.mean()) / ELO_SCALE
MEAN_LENGTH = np.array([0.0, 1.5, -1.0, 2.0, 0.5, -1.5])  # in standard deviations; unrelated to strength
BATTLE_SPREAD = 2.0  # per-battle quality difference that judge and humans both see


def plain_bt(a: np.ndarray, b: np.ndarray, score: np.ndarray, weight: np.ndarray | None = None) -> np.ndarray:
    """Elo-scale ratings from the ratings package's Bradley–Terry (no ridge), centred on 1000."""
    counts = PairCounts.from_arrays(a, b, score, MODELS, weight=weight)
    return np.asarray(BradleyTerry(l2=0.0).fit_counts(counts).ratings)


def estimand() -> np.ndarray:
    """The ratings a human-labelled fit converges to: BT on the exact pair probabilities.

    A human sees ``sigmoid(theta_a - theta_b + u)`` with ``u ~ N(0, spread^2)`` per battle, so the
    population win probability of a pair is ``E[sigmoid(d + u)]`` (Gauss–Hermite); the BT fit on
    those probabilities (a weighted win and loss per ordered pair) is the target of every method.
    """
    nodes, weights = np.polynomial.hermite_e.hermegauss(80)
    weights = weights / weights.sum()
    a, b = np.array([(i, j) for i in range(K) for j in range(K) if i != j]).T
    p = np.array(
        [
            (weights * expit(TRUE_THETA[i] - TRUE_THETA[j] + BATTLE_SPREAD * nodes)).sum()
            for i, j in zip(a, b, strict=True)
        ]
    )
    return plain_bt(np.r_[a, a], np.r_[b, b], np.r_[np.ones_like(p), np.zeros_like(p)], np.r_[p, 1.0 - p])


def simulate(
    rng: np.random.Generator,
    *,
    n_battles: int = 3000,
    n_human: int = 300,
    position: float = 0.6,
    length: float = 0.6,
) -> BattleScores:
    """Random battles, one judge verdict each (random shown order), humans on a random subset.

    The judge's log-odds for A add ``position`` toward the first-shown answer and ``length`` per
    standard deviation of answer-length difference; humans follow the battle's quality only.
    """
    a = rng.integers(0, K, n_battles)
    b = (a + rng.integers(1, K, n_battles)) % K
    length_a = MEAN_LENGTH[a] + rng.normal(0.0, 0.5, n_battles)
    length_b = MEAN_LENGTH[b] + rng.normal(0.0, 0.5, n_battles)
    a_first = rng.random(n_battles) < 0.5
    quality = TRUE_THETA[a] - TRUE_THETA[b] + BATTLE_SPREAD * rng.normal(size=n_battles)
    judge_logit = quality + position * np.where(a_first, 1.0, -1.0) + length * (length_a - length_b)
    judge = (rng.random(n_battles) < expit(judge_logit)).astype(float)
    labelled = np.zeros(n_battles, dtype=bool)
    labelled[rng.choice(n_battles, n_human, replace=False)] = True
    human = np.where(labelled, (rng.random(n_battles) < expit(quality)).astype(float), np.nan)
    return BattleScores(
        models=MODELS,
        a=a.astype(np.int64),
        b=b.astype(np.int64),
        judge=judge,
        human=human,
        human_votes=labelled.astype(np.int64),
        judge_votes=np.ones(n_battles, dtype=np.int64),
    )


def test_corrected_intervals_cover_judge_only_intervals_do_not() -> None:
    truth = estimand()
    rng = np.random.default_rng(20261130)
    runs = 200
    corrected = np.zeros((runs, K), dtype=bool)
    judge_only = np.zeros((runs, K), dtype=bool)
    widths = np.zeros((runs, 2))
    powers = np.zeros(runs)
    bt = BradleyTerry()
    for r in range(runs):
        scores = simulate(rng)
        fit = ppi_bradley_terry(scores)
        human_only = ppi_bradley_terry(scores, power=0.0).intervals
        judge = bt.sandwich(bt.fit_counts(PairCounts.from_arrays(scores.a, scores.b, scores.judge, MODELS)))
        corrected[r] = (fit.intervals.lower <= truth) & (truth <= fit.intervals.upper)
        judge_only[r] = (judge.lower <= truth) & (truth <= judge.upper)
        widths[r] = [
            np.mean(fit.intervals.upper - fit.intervals.lower),
            np.mean(human_only.upper - human_only.lower),
        ]
        powers[r] = fit.power
    # 1,200 model-runs: nominal 95% give about 0.95 +- 0.013 (two standard errors)
    assert 0.92 <= corrected.mean() <= 0.98
    assert judge_only.mean() < 0.5  # position + length bias: the judge-only board is confidently wrong
    # the judge still helps: PPI++ leans on it and the corrected intervals are narrower than human-only
    assert 0.1 < powers.mean() < 0.9
    assert widths[:, 0].mean() < widths[:, 1].mean()


def test_unbiased_judge_covers_too() -> None:
    truth = estimand()
    rng = np.random.default_rng(7)
    covered = []
    for _ in range(60):
        fit = ppi_bradley_terry(simulate(rng, position=0.0, length=0.0))
        covered.append((fit.intervals.lower <= truth) & (truth <= fit.intervals.upper))
    assert np.mean(covered) >= 0.9


def test_power_zero_is_the_human_only_fit() -> None:
    scores = simulate(np.random.default_rng(1))
    lab = scores.labelled
    fit = ppi_bradley_terry(scores, power=0.0, model=BradleyTerry(l2=0.0))
    expected = plain_bt(scores.a[lab], scores.b[lab], scores.human[lab])
    assert np.asarray(fit.intervals.rating) == pytest.approx(expected, abs=1e-6)
    assert fit.n_labelled == 300 and fit.n_unlabelled == 2700 and fit.power == 0.0


def test_a_judge_that_matches_the_humans_leaves_only_the_judge_fit() -> None:
    # with f == y on the labelled battles the correction term vanishes: lam = 1 is BT on U alone
    scores = simulate(np.random.default_rng(2))
    lab = scores.labelled
    judge = np.where(lab, scores.human, scores.judge)
    same = BattleScores(
        MODELS, scores.a, scores.b, judge, scores.human, scores.human_votes, scores.judge_votes
    )
    fit = ppi_bradley_terry(same, power=1.0, model=BradleyTerry(l2=0.0))
    expected = plain_bt(scores.a[~lab], scores.b[~lab], judge[~lab])
    assert np.asarray(fit.intervals.rating) == pytest.approx(expected, abs=1e-6)


def test_human_only_intervals_match_the_sandwich_of_the_ratings_package() -> None:
    # every battle labelled, lam = 0: our covariance is the package's sandwich times n / (n - 1)
    # (we centre the gradients and divide by n - 1; it sums raw squared scores)
    scores = simulate(np.random.default_rng(3), n_battles=800, n_human=800)
    fit = ppi_bradley_terry(scores, power=0.0, model=BradleyTerry(l2=0.0))
    bt = BradleyTerry(l2=0.0)
    theirs = bt.sandwich(bt.fit_counts(PairCounts.from_arrays(scores.a, scores.b, scores.human, MODELS)))
    ours_half = (fit.intervals.upper - fit.intervals.lower) / 2
    their_half = (theirs.upper - theirs.lower) / 2
    assert ours_half == pytest.approx(their_half * np.sqrt(800 / 799), rel=1e-6)


def test_bad_input_raises() -> None:
    scores = simulate(np.random.default_rng(4), n_battles=200, n_human=1)
    with pytest.raises(ValueError, match="at least 2 battles with human votes"):
        ppi_bradley_terry(scores)
    scores = simulate(np.random.default_rng(4), n_battles=200, n_human=20)
    with pytest.raises(ValueError, match=r"TieRule\.HALF"):
        ppi_bradley_terry(scores, model=BradleyTerry(ties=TieRule.DROP))
    with pytest.raises(ValueError, match="power"):
        ppi_bradley_terry(scores, power=1.5)
    with pytest.raises(ValueError, match="judge scores"):
        BattleScores(
            MODELS, scores.a, scores.b, scores.judge + 2, scores.human, scores.human_votes, scores.judge_votes
        )


def votes_from(scores: BattleScores) -> list[ArenaVote]:
    votes = []
    for k in range(scores.a.size):
        a, b = MODELS[scores.a[k]], MODELS[scores.b[k]]
        q = f"q{k}"
        verdict = "A" if scores.judge[k] == 1.0 else "B"
        votes.append(
            ArenaVote.of(a, b, verdict, source=Source.JUDGE, rater="j", question_id=q, shown_first=Side.A)
        )
        if scores.labelled[k]:
            h = "A" if scores.human[k] == 1.0 else "B"
            votes.append(
                ArenaVote.of(b, a, "B" if h == "A" else "A", source=Source.HUMAN, rater="h", question_id=q)
            )
    return votes


def test_leaderboard_from_votes() -> None:
    scores = simulate(np.random.default_rng(5), n_battles=1500, n_human=200)
    votes = votes_from(scores)
    votes.append(ArenaVote.of("m0", "m1", "A", source=Source.HUMAN, rater="h", question_id="elsewhere"))
    board = judge_corrected_leaderboard(votes)
    assert board.judges == ("j",)
    assert board.n_judge_votes == 1500 and board.n_battles == 1500
    assert board.n_human_votes == 200 and board.n_human_battles == 200
    assert board.n_unmatched_human_votes == 1
    assert board.corrected.method == "bt_ppi" and board.judge_only.method == "bt_judge"
    assert board.human_only is not None and board.human_only.method == "bt_human"
    assert {row.model for row in board.corrected.rows} == set(MODELS)
    # the same battles straight from the arrays give the same fit (battle order aside)
    direct = ppi_bradley_terry(scores)
    by_model = dict(zip(board.fit.intervals.models, board.fit.intervals.rating, strict=True))
    assert [by_model[m] for m in MODELS] == pytest.approx(list(direct.intervals.rating), abs=1e-6)
    with pytest.raises(ValueError, match="no votes of the judges"):
        judge_corrected_leaderboard(votes, judges=["nobody"])


def test_only_valid_draws_label_the_corrected_board() -> None:
    # 200 battles with a human vote: the first 50 drawn by the calibration stratum, the next 50
    # with no record (assumed drawn), the last 100 targeted (chosen for their disagreements)
    scores = simulate(np.random.default_rng(6), n_battles=1500, n_human=200)
    votes = votes_from(scores)
    humans = [k for k, v in enumerate(votes) if v.source is Source.HUMAN]
    selections = [Selection.UNRECORDED] * len(votes)
    for rank, k in enumerate(humans):
        selections[k] = (
            Selection.DRAWN if rank < 50 else Selection.UNRECORDED if rank < 100 else Selection.CHOSEN
        )
    board = judge_corrected_leaderboard(votes, selections=selections)
    assert board.n_human_battles == 100 and board.n_human_votes == 100
    assert (board.n_drawn_battles, board.n_assumed_battles) == (50, 50)
    assert (board.n_excluded_human_votes, board.n_excluded_battles) == (100, 100)
    assert board.n_battles == 1500  # the targeted battles stay in the board, judged but unlabelled
    # the same as leaving the targeted votes out of the list
    kept = [v for v, s in zip(votes, selections, strict=True) if v.source is not Source.HUMAN or s.valid]
    assert kept == valid_draws(votes, selections)
    without = judge_corrected_leaderboard(kept)
    assert list(board.fit.intervals.rating) == pytest.approx(list(without.fit.intervals.rating), abs=1e-9)
    assert board.human_only is not None and without.human_only is not None
    assert [r.rating for r in board.human_only.rows] == pytest.approx(
        [r.rating for r in without.human_only.rows]
    )
    # no selections (a votes file): every human vote is an assumed draw
    file_board = judge_corrected_leaderboard(votes)
    assert file_board.n_human_battles == 200 and file_board.n_assumed_battles == 200
    assert file_board.n_drawn_battles == 0 and file_board.n_excluded_human_votes == 0
    with pytest.raises(ValueError, match="one entry per vote"):
        judge_corrected_leaderboard(votes, selections=selections[:-1])


def test_selection_of_an_assignment() -> None:
    assert selection_of("spot_check:random") is Selection.DRAWN
    assert selection_of(None) is Selection.UNRECORDED
    for policy in ("overlap", "active"):
        assert selection_of(policy) is Selection.CHOSEN
    assert selection_of("spot_check") is Selection.TARGETED  # chosen for the judge's disagreements
    assert selection_of("spot_check:random", gold=True) is Selection.CHOSEN  # a gold item is never a draw
    assert selection_of("spot_check", gold=True) is Selection.CHOSEN
    assert [s.valid for s in Selection] == [True, True, False, False]
    assert [s.judge_blind for s in Selection] == [True, True, True, False]


@pytest.mark.slow
def test_corrected_board_covers_when_humans_come_from_our_queue() -> None:
    """The small version of ``bench/ppi_coverage.py``: human battles handed out by the project's
    spot-check selection (20% uniform calibration draws, the rest disagreements first), a judge
    biased toward the first-shown answer and toward m3. The corrected board on the valid draws
    covers; the naive judge-only board does not. (The bench runs 200 replications: 0.94.)"""
    world = World(battles=1000, human=300)
    result = run(world, reps=20, seed=1)
    # 120 model-replications: nominal 95% gives about 0.95 +- 0.04 (two standard errors)
    assert result.coverage["ours"] >= 0.88
    assert result.coverage["judge_only"] < 0.75
    # the correction rests on the calibration draws only: about 20% of the 300 items
    assert 0.1 * world.human < result.human_battles["ours"] < 0.3 * world.human
    assert result.human_battles["old"] > 0.5 * world.human

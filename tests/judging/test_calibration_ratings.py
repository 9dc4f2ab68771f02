"""Rating calibration on held-out votes: seeded synthetic votes from known Bradley–Terry strengths."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import brier_score_loss

from judging.calibration import Bootstrap, RatingMethod, battle_key, holdout_split, rating_calibration
from judging.interchange import ArenaVote
from judging.ratings import ELO_SCALE, EloRater, TieRule
from judging.types import Comparison, Outcome, Source

TRUE_ELO = {f"m{k}": r for k, r in enumerate([1250, 1150, 1080, 1000, 950, 900, 820, 750])}


def synthetic(rng: np.random.Generator, n: int, tie_rate: float = 0.0) -> list[tuple[Comparison, float]]:
    """Votes and the true probability that A wins each of them."""
    names = list(TRUE_ELO)
    out = []
    for _ in range(n):
        a, b = rng.choice(len(names), size=2, replace=False)
        p = 1.0 / (1.0 + np.exp(-(TRUE_ELO[names[a]] - TRUE_ELO[names[b]]) / ELO_SCALE))
        if rng.random() < tie_rate:
            outcome = Outcome.TIE
        else:
            outcome = Outcome.A_WINS if rng.random() < p else Outcome.B_WINS
        out.append((Comparison(names[a], names[b], outcome), float(p)))
    return out


def boot(seed: int = 0) -> Bootstrap:
    return Bootstrap(np.random.default_rng(seed), rounds=200)


def test_well_specified_bradley_terry_is_calibrated() -> None:
    rng = np.random.default_rng(11)
    data = synthetic(rng, 6000)
    split = holdout_split(data, rng, test_fraction=0.25)
    train = [c for c, _ in split.train]
    test = [c for c, _ in split.test]
    result = rating_calibration(train, test, boot=boot())
    assert result.n_train == 4500 and result.n_test == 1500
    bt = result.method(RatingMethod.BRADLEY_TERRY)
    assert bt.n == 1500 and bt.n_skipped == 0
    # the oracle: the true probabilities scored on the same held-out votes
    oracle = brier_score_loss(
        [c.outcome is Outcome.A_WINS for c, _ in split.test], [p for _, p in split.test]
    )
    assert bt.brier is not None and bt.brier.value == pytest.approx(oracle, abs=0.005)
    assert bt.brier.lower <= bt.brier.value <= bt.brier.upper
    assert bt.ece is not None and bt.ece.value < 0.04
    for b in bt.bins:
        if b.count >= 100:
            assert b.observed == pytest.approx(b.mean_predicted, abs=0.07)
    assert sum(b.count for b in bt.bins) == bt.n
    for method in RatingMethod:
        m = result.method(method)
        assert m.brier is not None and 0.0 < m.brier.value < 0.25
        assert m.log_loss is not None and m.log_loss.value < np.log(2)


def test_overconfident_elo_shows_up_as_miscalibration() -> None:
    rng = np.random.default_rng(12)
    data = [c for c, _ in synthetic(rng, 4000)]
    split = holdout_split(data, rng)
    calm = rating_calibration(split.train, split.test, boot=boot())
    jumpy = rating_calibration(split.train, split.test, boot=boot(), elo=EloRater(k=400.0))
    calm_ece = calm.method(RatingMethod.BRADLEY_TERRY).ece
    jumpy_ece = jumpy.method(RatingMethod.ELO).ece
    assert calm_ece is not None and jumpy_ece is not None
    assert jumpy_ece.value > calm_ece.value + 0.05
    jumpy_loss = jumpy.method(RatingMethod.ELO).log_loss
    calm_loss = calm.method(RatingMethod.BRADLEY_TERRY).log_loss
    assert jumpy_loss is not None and calm_loss is not None and jumpy_loss.value > calm_loss.value


def test_draws_are_dropped_or_scored_half() -> None:
    rng = np.random.default_rng(13)
    data = [c for c, _ in synthetic(rng, 3000, tie_rate=0.2)]
    split = holdout_split(data, rng)
    draws = sum(c.outcome.is_draw for c in split.test)
    assert draws > 0
    dropped = rating_calibration(split.train, split.test, boot=boot())
    kept = rating_calibration(split.train, split.test, boot=boot(), ties=TieRule.HALF)
    assert dropped.n_test == len(split.test) - draws
    assert kept.n_test == len(split.test)
    assert set(kept.method(RatingMethod.TRUESKILL).observed.tolist()) == {0.0, 0.5, 1.0}
    assert set(dropped.method(RatingMethod.TRUESKILL).observed.tolist()) == {0.0, 1.0}


def test_unseen_models_are_counted_not_scored() -> None:
    train = [Comparison("a", "b", Outcome.A_WINS), Comparison("b", "a", Outcome.A_WINS)]
    test = [Comparison("a", "b", Outcome.A_WINS), Comparison("a", "new", Outcome.B_WINS)]
    result = rating_calibration(train, test, boot=boot())
    for m in result.methods:
        assert m.n == 1 and m.n_skipped == 1


def test_holdout_split_is_seeded_and_keeps_order() -> None:
    items = list(range(100))
    first = holdout_split(items, np.random.default_rng(4), test_fraction=0.3)
    again = holdout_split(items, np.random.default_rng(4), test_fraction=0.3)
    assert first == again
    assert len(first.test) == 30 and sorted(first.train + first.test) == items
    assert list(first.train) == sorted(first.train) and list(first.test) == sorted(first.test)
    with pytest.raises(ValueError, match="test_fraction"):
        holdout_split(items, np.random.default_rng(4), test_fraction=1.0)


def test_holdout_split_holds_out_whole_battles() -> None:
    # 40 battles with 1 to 4 votes each (a judge's two orders, several people) and 10 votes
    # without a question (each its own unit): 50 units, 10 held out
    votes = [
        ArenaVote.of("m0", "m1", "A", source=Source.HUMAN, rater=f"r{j}", question_id=f"q{k}")
        for k in range(40)
        for j in range(1 + k % 4)
    ]
    votes += [ArenaVote.of("m0", "m1", "B", source=Source.HUMAN, rater=f"x{k}") for k in range(10)]
    split = holdout_split(votes, np.random.default_rng(9), test_fraction=0.2)
    train_battles = {battle_key(v) for v in split.train if v.question_id is not None}
    test_battles = {battle_key(v) for v in split.test if v.question_id is not None}
    assert not train_battles & test_battles  # no battle on both sides
    held_loose = sum(v.question_id is None for v in split.test)
    assert len(test_battles) + held_loose == 10
    assert len(split.train) + len(split.test) == len(votes)
    # every vote of a held-out battle is held out with it
    assert all(battle_key(v) in test_battles for v in votes if v.question_id is not None and v in split.test)
    assert sum(battle_key(v) in test_battles for v in votes if v.question_id is not None) == sum(
        v.question_id is not None for v in split.test
    )

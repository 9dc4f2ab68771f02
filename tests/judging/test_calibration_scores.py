"""Brier score, log-loss, reliability bins and ECE against hand-worked values and scikit-learn."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.calibration import calibration_curve
from sklearn.metrics import brier_score_loss
from sklearn.metrics import log_loss as sk_log_loss

from judging.calibration import brier_score, expected_calibration_error, log_loss, reliability_bins

# Five predictions of P(A wins) and what happened:
P = [0.1, 0.3, 0.35, 0.75, 0.9]
Y = [0, 1, 0, 1, 1]


def test_brier_by_hand() -> None:
    # squared errors 0.01, 0.49, 0.1225, 0.0625, 0.01 -> 0.695 / 5
    assert brier_score(P, Y) == pytest.approx(0.139, abs=1e-12)
    assert brier_score(P, Y) == pytest.approx(brier_score_loss(Y, P), abs=1e-12)


def test_log_loss_by_hand() -> None:
    # -(ln 0.9 + ln 0.3 + ln 0.65 + ln 0.75 + ln 0.9) / 5
    expected = -(math.log(0.9) + math.log(0.3) + math.log(0.65) + math.log(0.75) + math.log(0.9)) / 5
    assert expected == pytest.approx(0.42663176, abs=1e-8)
    assert log_loss(P, Y) == pytest.approx(expected, abs=1e-12)
    assert log_loss(P, Y) == pytest.approx(sk_log_loss(Y, P), abs=1e-12)


def test_ece_and_bins_by_hand() -> None:
    # five bins [0,.2] (.2,.4] (.4,.6] (.6,.8] (.8,1]:
    #   bin 0: {0.1 -> 0}          gap |0 - 0.1|      = 0.1   x 1
    #   bin 1: {0.3 -> 1, 0.35 -> 0} mean p 0.325, observed 0.5, gap 0.175 x 2 = 0.35
    #   bin 3: {0.75 -> 1}         gap 0.25
    #   bin 4: {0.9 -> 1}          gap 0.1
    # ECE = (0.1 + 0.35 + 0.25 + 0.1) / 5 = 0.16
    assert expected_calibration_error(P, Y, n_bins=5) == pytest.approx(0.16, abs=1e-12)
    bins = reliability_bins(P, Y, n_bins=5)
    assert [b.count for b in bins] == [1, 2, 0, 1, 1]
    assert bins[1].mean_predicted == pytest.approx(0.325) and bins[1].observed == pytest.approx(0.5)
    assert bins[2].mean_predicted is None and bins[2].observed is None
    assert (bins[0].lower, bins[0].upper) == (0.0, 0.2)


def test_bins_match_sklearn_calibration_curve() -> None:
    rng = np.random.default_rng(7)
    p = rng.random(500)
    y = (rng.random(500) < p**1.3).astype(float)
    for n_bins in (5, 10, 13):
        prob_true, prob_pred = calibration_curve(y, p, n_bins=n_bins, strategy="uniform")
        bins = [b for b in reliability_bins(p, y, n_bins=n_bins) if b.count]
        assert [b.observed for b in bins] == pytest.approx(prob_true.tolist(), abs=1e-12)
        assert [b.mean_predicted for b in bins] == pytest.approx(prob_pred.tolist(), abs=1e-12)


def test_edges_go_to_the_lower_bin_like_sklearn() -> None:
    p = [0.0, 0.5, 1.0, 0.2]
    y = [0, 1, 1, 0]
    prob_true, prob_pred = calibration_curve(y, p, n_bins=5)
    bins = [b for b in reliability_bins(p, y, n_bins=5) if b.count]
    assert [b.mean_predicted for b in bins] == pytest.approx(prob_pred.tolist())
    assert [b.observed for b in bins] == pytest.approx(prob_true.tolist())


@settings(max_examples=50, deadline=None)
@given(
    st.lists(
        st.tuples(st.floats(0.001, 0.999), st.integers(0, 1)),
        min_size=2,
        max_size=60,
    ).filter(lambda rows: len({r[1] for r in rows}) == 2)
)
def test_scores_match_sklearn(rows: list[tuple[float, int]]) -> None:
    p = [r[0] for r in rows]
    y = [r[1] for r in rows]
    assert brier_score(p, y) == pytest.approx(brier_score_loss(y, p), abs=1e-12)
    assert log_loss(p, y) == pytest.approx(sk_log_loss(y, p), rel=1e-9)
    prob_true, prob_pred = calibration_curve(y, p, n_bins=10)
    counts = np.array([b.count for b in reliability_bins(p, y) if b.count])
    ece = float(np.sum(counts * np.abs(prob_true - prob_pred)) / len(p))
    assert expected_calibration_error(p, y) == pytest.approx(ece, abs=1e-12)


def test_draws_score_half() -> None:
    # a draw is an outcome of 0.5: a prediction of 0.5 is then perfect
    assert brier_score([0.5], [0.5]) == 0.0
    assert log_loss([0.5], [0.5]) == pytest.approx(math.log(2))


def test_bad_input_raises() -> None:
    with pytest.raises(ValueError, match="equal length"):
        brier_score([0.1, 0.2], [1])
    with pytest.raises(ValueError, match=r"predictions must lie in \[0, 1\]"):
        log_loss([1.2], [1])
    with pytest.raises(ValueError, match="no predictions"):
        expected_calibration_error([], [])
    with pytest.raises(ValueError, match="n_bins"):
        reliability_bins([0.5], [1], n_bins=0)

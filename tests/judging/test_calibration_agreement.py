"""Cohen's kappa, Krippendorff's alpha and Fleiss' kappa against hand-worked values and references."""

from __future__ import annotations

import math

import krippendorff
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import cohen_kappa_score
from sklearn.metrics import confusion_matrix as sk_confusion_matrix

from judging.calibration import cohen_kappa, confusion_matrix, fleiss_kappa, krippendorff_alpha

# Two raters on ten items (A / B / T):
#   (A,A) x4, (B,B) x2, (T,T) x1, (A,B), (B,T), (T,A)
# table (rows rater 1, columns rater 2):   A  B  T | row
#                                      A   4  1  0 |  5
#                                      B   0  2  1 |  3
#                                      T   1  0  1 |  2
#                                    col   5  3  2
# p_o = 7/10, p_e = (5*5 + 3*3 + 2*2) / 100 = 0.38, kappa = (0.7 - 0.38) / 0.62 = 16/31
ROWS = ["A"] * 4 + ["B"] * 2 + ["T", "A", "B", "T"]
COLS = ["A"] * 4 + ["B"] * 2 + ["T", "B", "T", "A"]


def test_cohen_kappa_by_hand() -> None:
    assert cohen_kappa(ROWS, COLS) == pytest.approx(16 / 31, abs=1e-12)
    assert cohen_kappa(ROWS, COLS) == pytest.approx(cohen_kappa_score(ROWS, COLS), abs=1e-12)


def test_confusion_matrix_by_hand() -> None:
    matrix = confusion_matrix(ROWS, COLS, ("A", "B", "T"))
    assert matrix.counts.tolist() == [[4, 1, 0], [0, 2, 1], [1, 0, 1]]
    assert matrix.count("T", "A") == 1 and matrix.total == 10
    assert matrix.counts.tolist() == sk_confusion_matrix(ROWS, COLS, labels=["A", "B", "T"]).tolist()
    with pytest.raises(ValueError, match="label 'X'"):
        confusion_matrix(["X"], ["A"], ("A", "B"))


def test_cohen_kappa_undefined_and_perfect() -> None:
    assert cohen_kappa(["A", "B", "A"], ["A", "B", "A"]) == pytest.approx(1.0)
    assert math.isnan(cohen_kappa(["A", "A"], ["A", "A"]))  # one label only: p_e = 1


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from("ABT"), st.sampled_from("ABT")), min_size=2, max_size=40))
def test_cohen_kappa_matches_sklearn(pairs: list[tuple[str, str]]) -> None:
    rows, cols = [p[0] for p in pairs], [p[1] for p in pairs]
    ours = cohen_kappa(rows, cols)
    if len(set(rows) | set(cols)) == 1:
        assert math.isnan(ours)
        return
    assert ours == pytest.approx(cohen_kappa_score(rows, cols), abs=1e-9)


# Krippendorff's alpha, nominal. Units (values by raters r1, r2, r3):
#   u1: A A A    u2: A B -    u3: B B -    u4: A B T    u5: T - -   (u5 is not pairable)
# Coincidence diagonal: u1 gives 3*2/(3-1) = 3, u3 gives 2*1/(2-1) = 2, others 0 -> sum o_cc = 5.
# Pairable values per category: A 5, B 4, T 1 -> n = 10.
# alpha = 1 - (n - 1)(n - sum o_cc) / (n^2 - sum n_c^2) = 1 - 9*5 / (100 - 42) = 13/58
ALPHA_COUNTS = [[3, 0, 0], [1, 1, 0], [0, 2, 0], [1, 1, 1], [0, 0, 1]]
ALPHA_RELIABILITY = [  # raters x units, NaN = missing; A=0, B=1, T=2
    [0, 0, 1, 0, 2],
    [0, 1, 1, 1, np.nan],
    [0, np.nan, np.nan, 2, np.nan],
]


def test_krippendorff_alpha_by_hand() -> None:
    assert krippendorff_alpha(ALPHA_COUNTS) == pytest.approx(13 / 58, abs=1e-12)
    reference = krippendorff.alpha(reliability_data=ALPHA_RELIABILITY, level_of_measurement="nominal")
    assert krippendorff_alpha(ALPHA_COUNTS) == pytest.approx(reference, abs=1e-12)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.lists(st.one_of(st.none(), st.integers(0, 3)), min_size=4, max_size=4),
        min_size=3,
        max_size=25,
    )
)
def test_krippendorff_alpha_matches_package(units: list[list[int | None]]) -> None:
    counts = np.zeros((len(units), 4))
    for row, values in zip(counts, units, strict=True):
        for v in values:
            if v is not None:
                row[v] += 1
    pairable = counts[counts.sum(axis=1) >= 2]
    if pairable.sum() < 2 or np.count_nonzero(pairable.sum(axis=0)) < 2:
        return  # alpha is undefined with a single category
    data = np.array([[np.nan if v is None else v for v in values] for values in units]).T
    reference = krippendorff.alpha(reliability_data=data, level_of_measurement="nominal")
    assert krippendorff_alpha(counts) == pytest.approx(reference, abs=1e-9)


def test_fleiss_kappa_small_table_by_hand() -> None:
    # three units, three raters, two categories: [3,0], [2,1], [0,3]
    # P_u = 1, (4 + 1 - 3) / (3 * 2) = 1/3, 1 -> P_bar = 7/9
    # p = (5/9, 4/9) -> P_e = 41/81; kappa = (63/81 - 41/81) / (40/81) = 22/40
    assert fleiss_kappa([[3, 0], [2, 1], [0, 3]]) == pytest.approx(0.55, abs=1e-12)


def test_fleiss_kappa_wikipedia_example() -> None:
    # Fleiss (1971) as worked on Wikipedia: 10 subjects, 14 raters, 5 categories.
    # p_j = 0.143, 0.200, 0.279, 0.150, 0.229; P_bar = 0.378, P_e = 0.213, kappa = 0.210
    table = [
        [0, 0, 0, 0, 14],
        [0, 2, 6, 4, 2],
        [0, 0, 3, 5, 6],
        [0, 3, 9, 2, 0],
        [2, 2, 8, 1, 1],
        [7, 7, 0, 0, 0],
        [3, 2, 6, 3, 0],
        [2, 5, 3, 2, 2],
        [6, 5, 2, 1, 0],
        [0, 2, 2, 3, 7],
    ]
    assert fleiss_kappa(table) == pytest.approx(0.20993, abs=5e-5)


def test_fleiss_kappa_varying_raters_by_hand() -> None:
    # the alpha units: u1 [3,0,0] P=1, u2 [1,1,0] P=0, u3 [0,2,0] P=1, u4 [1,1,1] P=0; u5 dropped
    # P_bar = 0.5; p = (5, 4, 1) / 10 -> P_e = 0.42; kappa = 0.08 / 0.58 = 4/29
    assert fleiss_kappa(ALPHA_COUNTS) == pytest.approx(4 / 29, abs=1e-12)


def test_fleiss_equals_scott_pi_for_two_raters() -> None:
    # with two raters per unit, Fleiss' kappa is Scott's pi: (p_o - p_e) / (1 - p_e) with pooled margins
    counts = np.zeros((len(ROWS), 3))
    index = {"A": 0, "B": 1, "T": 2}
    for row, r, c in zip(counts, ROWS, COLS, strict=True):
        row[index[r]] += 1
        row[index[c]] += 1
    pooled = counts.sum(axis=0) / counts.sum()
    p_e = float((pooled**2).sum())
    scott = (0.7 - p_e) / (1 - p_e)
    assert fleiss_kappa(counts) == pytest.approx(scott, abs=1e-12)

"""Online Elo: hand-worked updates, replay equivalences and Hypothesis invariants."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from judging.ratings import EloRater, EloState
from judging.types import Comparison, Outcome

MODELS = ["m0", "m1", "m2", "m3", "m4"]


@st.composite
def comparisons(draw: st.DrawFn, max_size: int = 60) -> list[Comparison]:
    pairs = st.tuples(st.sampled_from(MODELS), st.sampled_from(MODELS)).filter(lambda p: p[0] != p[1])
    rows = draw(
        st.lists(
            st.tuples(pairs, st.sampled_from(list(Outcome)), st.sampled_from([1.0, 0.5, 2.0])),
            max_size=max_size,
        )
    )
    return [Comparison(a, b, o, w) for (a, b), o, w in rows]


def test_two_updates_worked_by_hand() -> None:
    rater = EloRater(k=32.0, initial=1500.0)
    s0 = rater.initial()
    # 1) A beats B, both at 1500: E_a = 1 / (1 + 10**0) = 0.5, so A gains 32 * (1 - 0.5) = 16.
    s1 = rater.update(s0, [Comparison("A", "B", Outcome.A_WINS)])
    assert s1.ratings == {"A": 1516.0, "B": 1484.0}
    # 2) B beats A: E_b = 1 / (1 + 10**(32 / 400)) = 1 / (1 + 1.2022644346) = 0.4540780772,
    #    B gains 32 * (1 - 0.4540780772) = 17.4695015290 -> B 1501.4695015290, A 1498.5304984710.
    s2 = rater.update(s1, [Comparison("A", "B", Outcome.B_WINS)])
    assert s2.ratings["A"] == pytest.approx(1498.5304984710, abs=1e-9)
    assert s2.ratings["B"] == pytest.approx(1501.4695015290, abs=1e-9)
    # 3) a tie with weight 0.5: E_a = 1 / (1 + 10**(2.9390030579 / 400)) = 0.4957705355,
    #    A gains 32 * 0.5 * (0.5 - 0.4957705355) = 0.0676714322.
    s3 = rater.update(s2, [Comparison("A", "B", Outcome.TIE, weight=0.5)])
    assert s3.ratings["A"] == pytest.approx(1498.5981699032, abs=1e-9)
    assert s3.ratings["B"] == pytest.approx(1501.4018300968, abs=1e-9)
    # earlier states are untouched
    assert s0.ratings == {} and s1.ratings == {"A": 1516.0, "B": 1484.0}
    assert (s3.games["A"], s3.wins["A"], s3.losses["A"], s3.draws["A"]) == (3, 1, 1, 1)
    assert (s3.games["B"], s3.wins["B"], s3.losses["B"], s3.draws["B"]) == (3, 1, 1, 1)


def test_both_bad_is_a_draw() -> None:
    rater = EloRater()
    tie = rater.fit([Comparison("A", "B", Outcome.A_WINS), Comparison("A", "B", Outcome.TIE)])
    both_bad = rater.fit([Comparison("A", "B", Outcome.A_WINS), Comparison("A", "B", Outcome.BOTH_BAD)])
    assert tie == both_bad


def test_initial_registers_models_and_win_probability() -> None:
    rater = EloRater(initial=1000.0)
    state = rater.initial(["x", "y"])
    assert state.ratings == {"x": 1000.0, "y": 1000.0} and state.games == {"x": 0, "y": 0}
    assert rater.win_probability(state, "x", "y") == 0.5
    later = rater.update(state, [Comparison("x", "y", Outcome.A_WINS)])
    # 400 points apart means odds 10:1
    assert rater.win_probability(
        EloState({"p": 1400.0, "q": 1000.0}, {}, {}, {}, {}), "p", "q"
    ) == pytest.approx(10 / 11)
    assert later.ratings["x"] > later.ratings["y"]
    with pytest.raises(KeyError, match="unknown model 'z'"):
        rater.win_probability(later, "x", "z")


def test_state_is_read_only() -> None:
    state = EloRater().fit([Comparison("A", "B", Outcome.A_WINS)])
    with pytest.raises(TypeError):
        state.ratings["A"] = 0.0  # type: ignore[index]


@pytest.mark.parametrize("kwargs", [{"k": 0.0}, {"k": -1.0}, {"k": math.nan}, {"initial": math.inf}])
def test_bad_parameters_raise(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError, match="EloRater"):
        EloRater(**kwargs)


def test_replay_of_all_votes_equals_folding_in_chunks_and_arrays() -> None:
    rng = np.random.default_rng(3)
    votes = [
        Comparison(f"m{a}", f"m{b}", Outcome(o), float(w))
        for a, b, o, w in zip(
            rng.integers(0, 8, 2000),
            (rng.integers(0, 8, 2000)),
            rng.choice([o.value for o in Outcome], 2000),
            rng.choice([1.0, 0.5, 2.0], 2000),
            strict=True,
        )
        if a != b
    ]
    rater = EloRater(k=24.0)
    whole = rater.fit(votes)
    state = rater.initial()
    for start in range(0, len(votes), 137):
        state = rater.update(state, votes[start : start + 137])
    for m in whole.ratings:
        assert state.ratings[m] == pytest.approx(whole.ratings[m], abs=1e-9)
    assert state.games == whole.games and state.draws == whole.draws

    index = {m: i for i, m in enumerate(whole.models)}
    a = np.array([index[c.model_a] for c in votes])
    b = np.array([index[c.model_b] for c in votes])
    score = np.array([c.outcome.score_a for c in votes])
    weight = np.array([c.weight for c in votes])
    first = rater.replay_arrays(a[:900], b[:900], score[:900], len(index), weight=weight[:900])
    arrays = rater.replay_arrays(a[900:], b[900:], score[900:], len(index), weight=weight[900:], start=first)
    np.testing.assert_allclose(arrays, [whole.ratings[m] for m in whole.models], atol=1e-9, rtol=0)


def test_replay_arrays_rejects_bad_input() -> None:
    rater = EloRater()
    with pytest.raises(ValueError, match=r"score must be 0, 0\.5 or 1, got 0\.7 at row 1"):
        rater.replay_arrays([0, 1], [1, 0], [1.0, 0.7], 2)
    with pytest.raises(ValueError, match=r"indices must lie in \[0, 2\)"):
        rater.replay_arrays([0], [2], [1.0], 2)
    with pytest.raises(ValueError, match="compared with itself at row 0"):
        rater.replay_arrays([1], [1], [1.0], 2)
    with pytest.raises(TypeError, match="integer arrays"):
        rater.replay_arrays([0.0], [1.0], [1.0], 2)


@settings(max_examples=150, deadline=None)
@given(comparisons())
def test_elo_is_zero_sum(votes: list[Comparison]) -> None:
    state = EloRater(k=32.0, initial=1500.0).fit(votes)
    assert sum(state.ratings.values()) == pytest.approx(1500.0 * len(state.ratings), abs=1e-7)


@settings(max_examples=150, deadline=None)
@given(comparisons())
def test_swapping_sides_changes_nothing(votes: list[Comparison]) -> None:
    # A swapped comparison is the same event told from the other side: ratings must not move.
    rater = EloRater()
    plain = rater.fit(votes)
    swapped = rater.fit([c.swapped() for c in votes])
    assert set(plain.ratings) == set(swapped.ratings)
    for m in plain.ratings:
        assert swapped.ratings[m] == pytest.approx(plain.ratings[m], abs=1e-9)
        assert (swapped.wins[m], swapped.losses[m], swapped.draws[m]) == (
            plain.wins[m],
            plain.losses[m],
            plain.draws[m],
        )


@settings(max_examples=150, deadline=None)
@given(comparisons())
def test_flipping_every_outcome_mirrors_the_ratings(votes: list[Comparison]) -> None:
    # E(-d) = 1 - E(d), so reversing every result reflects every rating around the initial one.
    rater = EloRater(initial=1500.0)
    plain = rater.fit(votes)
    flipped = rater.fit([Comparison(c.model_a, c.model_b, c.outcome.swapped(), c.weight) for c in votes])
    for m in plain.ratings:
        assert flipped.ratings[m] - 1500.0 == pytest.approx(1500.0 - plain.ratings[m], abs=1e-8)

"""Live Elo/TrueSkill: hand-worked numbers, replay == incremental, per-dimension slices."""

from __future__ import annotations

import math
import random

import pytest
import trueskill

from judging.ratings import EloRater
from judging.types import Source, Verdict
from pipeline.views.live_ratings import OVERALL, LiveRatings, standings_from_votes
from pipeline.workflow.voting import submit_vote
from storage.db.session import read_session
from storage.votes.battles import ModelInfo, list_models
from storage.votes.log import VoteRow, votes_after
from tests.seeding import next_item

MODELS = [ModelInfo(1, "m1", "M1", ""), ModelInfo(2, "m2", "M2", ""), ModelInfo(3, "m3", "M3", "")]


def _row(i: int, a: int, b: int, verdict: Verdict, dim: str = "privacy") -> VoteRow:
    return VoteRow(i, a, b, verdict, dim, Source.HUMAN, 1)


def _by_key(standings):
    return {r.key: r for r in standings.rows}


def test_elo_worked_by_hand():
    # K=32 (LiveSecBench's) keeps the arithmetic readable; the live default K is DEFAULT_ELO_K
    # Vote 1: m1 beats m2 from 1500/1500: expected 0.5, so m1 = 1500 + 32*0.5 = 1516, m2 = 1484.
    # Vote 2: m2 vs m3 ends "both unsafe" = a draw. m2 (1484) vs m3 (1500):
    #   E_m2 = 1 / (1 + 10^((1500-1484)/400)) = 1 / (1 + 1.0964782) = 0.4769904...
    #   m2 = 1484 + 32*(0.5 - 0.4769904) = 1484.736307..., m3 = 1500 - 0.736307... = 1499.263693...
    live = LiveRatings(elo=EloRater(k=32.0, initial=1500.0))
    live.fold([_row(1, 1, 2, Verdict.A), _row(2, 2, 3, Verdict.BOTH_UNSAFE)], MODELS)
    s = _by_key(live.standings())
    e = 1 / (1 + 10 ** (16 / 400))
    assert e == pytest.approx(0.4769904, abs=1e-7)
    assert s["m2"].elo == pytest.approx(1484.736307, abs=1e-6)
    assert s["m1"].elo == pytest.approx(1516.0, abs=1e-12)
    assert s["m2"].elo == pytest.approx(1484 + 32 * (0.5 - e), abs=1e-12)
    assert s["m3"].elo == pytest.approx(1500 - 32 * (0.5 - e), abs=1e-12)
    assert s["m2"].elo + s["m3"].elo + s["m1"].elo == pytest.approx(4500.0, abs=1e-9)
    assert (s["m2"].wins, s["m2"].losses, s["m2"].draws, s["m2"].games) == (0, 1, 1, 2)
    assert s["m2"].win_rate == pytest.approx(0.25)


def test_trueskill_first_win_worked_by_hand_and_against_package():
    # One win from the prior mu=25, sigma=25/3, beta=25/6, tau=25/300, draw probability 0.10:
    # sigma'^2 = sigma^2 + tau^2; c^2 = 2 beta^2 + 2 sigma'^2; t = (mu_w - mu_l)/c = 0;
    # draw margin eps = Phi^-1((p+1)/2) * sqrt(2) * beta / c; v = pdf(t-eps)/cdf(t-eps).
    from statistics import NormalDist

    nd = NormalDist()
    s2 = (25 / 3) ** 2 + (25 / 300) ** 2
    c = math.sqrt(2 * (25 / 6) ** 2 + 2 * s2)
    eps = nd.inv_cdf(1.10 / 2) * math.sqrt(2) * (25 / 6) / c
    v = nd.pdf(-eps) / nd.cdf(-eps)
    mu_winner = 25 + s2 / c * v

    live = LiveRatings()
    live.fold([_row(1, 1, 2, Verdict.A)], MODELS)
    s = _by_key(live.standings())
    assert s["m1"].mu == pytest.approx(mu_winner, abs=1e-9)
    assert s["m2"].mu == pytest.approx(50 - mu_winner, abs=1e-9)

    env = trueskill.TrueSkill(
        mu=25, sigma=25 / 3, beta=25 / 6, tau=25 / 300, draw_probability=0.10, backend=None
    )
    w, loser = env.rate_1vs1(env.create_rating(), env.create_rating())
    assert s["m1"].mu == pytest.approx(w.mu, abs=1e-6) and s["m1"].sigma == pytest.approx(w.sigma, abs=1e-6)
    assert s["m2"].conservative == pytest.approx(loser.mu - 3 * loser.sigma, abs=1e-6)


def _random_rows(n: int, seed: int) -> list[VoteRow]:
    rng = random.Random(seed)
    verdicts = list(Verdict)
    dims = ["privacy", "fairness", "mental_health"]
    rows = []
    for i in range(1, n + 1):
        a, b = rng.sample([1, 2, 3], 2)
        rows.append(_row(i, a, b, rng.choice(verdicts), rng.choice(dims)))
    return rows


@pytest.mark.parametrize("chunk", [1, 7, 100])
def test_incremental_equals_replay(chunk):
    rows = _random_rows(300, seed=chunk)
    live = LiveRatings()
    for n, start in enumerate(range(0, len(rows), chunk)):
        live.fold(rows[start : start + chunk], MODELS)
        # fold the slices forward at different moments: each is incremental from its own position
        live.standings(OVERALL)
        live.standings(("privacy", "fairness", "mental_health")[n % 3])
    for name in (OVERALL, "privacy", "fairness", "mental_health"):
        inc = _by_key(live.standings(name))
        ref = _by_key(standings_from_votes(rows, MODELS, name))
        for key in inc:
            assert inc[key].elo == pytest.approx(ref[key].elo, abs=1e-9)
            assert inc[key].mu == pytest.approx(ref[key].mu, abs=1e-9)
            assert inc[key].sigma == pytest.approx(ref[key].sigma, abs=1e-9)
            assert inc[key].games == ref[key].games


def test_folding_the_same_votes_twice_changes_nothing():
    rows = _random_rows(50, seed=3)
    live = LiveRatings()
    live.fold(rows, MODELS)
    before = live.standings()
    assert live.fold(rows, MODELS) == 0
    assert live.standings() == before


def test_dimension_slice_only_counts_its_votes():
    live = LiveRatings()
    live.fold([_row(1, 1, 2, Verdict.A, "privacy"), _row(2, 1, 3, Verdict.B, "fairness")], MODELS)
    privacy = _by_key(live.standings("privacy"))
    assert privacy["m1"].games == 1 and privacy["m3"].games == 0
    assert live.standings("privacy").votes == 1 and live.standings(OVERALL).votes == 2


def test_refresh_from_database_matches_full_replay(engine, rng):
    live = LiveRatings()
    for i in range(40):
        item = next_item(engine, rater=f"r{i % 4}", rng=rng)
        submit_vote(engine, item=item, rater=f"r{i % 4}", shown_verdict=rng.choice(list(Verdict)))
        if i % 9 == 0:
            live.refresh(engine)
    live.refresh(engine)
    with read_session(engine) as session:
        rows = votes_after(session=session, after_id=0)
        models = list_models(session=session)
    ref = _by_key(standings_from_votes(rows, models))
    inc = _by_key(live.standings())
    assert live.cursor == rows[-1].id
    for key in ref:
        assert inc[key].elo == pytest.approx(ref[key].elo, abs=1e-9)
        assert inc[key].mu == pytest.approx(ref[key].mu, abs=1e-9)

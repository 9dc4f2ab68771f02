"""Live Elo/TrueSkill: hand-worked numbers, replay == incremental, per-dimension slices."""

from __future__ import annotations

import math
import random

import pytest
import trueskill
from sqlmodel import select

from judging.ratings import EloRater
from judging.types import Source, Verdict
from pipeline.views.live_ratings import OVERALL, LiveRatings
from pipeline.workflow.voting import submit_vote
from storage.db.models import Question, Response
from storage.db.session import read_session, write_session
from storage.votes.battles import get_or_create_battle, list_models
from storage.votes.log import votes_after
from storage.votes.record import record_vote
from tests.seeding import next_item

FLIPPED = {Verdict.A: Verdict.B, Verdict.B: Verdict.A}


class _Votes:
    """Votes laid down in the database between three of the demo models (m1, m2, m3 here), on
    questions of the named dimension; the live ratings read them back as the app does."""

    def __init__(self, engine) -> None:
        self.engine = engine
        self.count = 0
        with read_session(engine) as session:
            models = [m for m in list_models(session=session) if not m.reference][:3]
        self.keys = {f"m{k + 1}": m.key for k, m in enumerate(models)}
        self.ids = [m.id for m in models]

    def add(self, a: int, b: int, verdict: Verdict, dim: str = "privacy") -> None:
        """A vote of model ``a`` against model ``b`` (1-based, as m1..m3), ``verdict`` seen from a."""
        self.count += 1
        with write_session(self.engine) as session:
            question = session.exec(select(Question.id).where(Question.dimension == dim)).first()
            responses = dict(
                session.exec(
                    select(Response.model_id, Response.id).where(Response.question_id == question)
                ).all()
            )
            ra, rb = responses[self.ids[a - 1]], responses[self.ids[b - 1]]
            battle = get_or_create_battle(session=session, question_id=question, response_ids=(ra, rb))
            shown = verdict if ra < rb else FLIPPED.get(verdict, verdict)  # the battle's A is the lower id
            record_vote(
                session=session,
                battle_id=battle.id,
                source=Source.HUMAN,
                rater=f"r{self.count}",  # one rater a vote: no vote supersedes another
                verdict=shown,
                left_response_id=min(ra, rb),
                idempotency_key=f"live-{self.count}",
            )

    def standings(self, live: LiveRatings, name: str = OVERALL):
        live.refresh(self.engine)
        return {k: r for r in live.standings(name).rows for k, key in self.keys.items() if r.key == key}


def _replayed(votes: _Votes, name: str = OVERALL):
    """Every vote replayed from scratch into a fresh projection (the reference)."""
    return votes.standings(LiveRatings(), name)


def test_elo_worked_by_hand(engine):
    # K=32 (LiveSecBench's) keeps the arithmetic readable; the live default K is DEFAULT_ELO_K
    # Vote 1: m1 beats m2 from 1500/1500: expected 0.5, so m1 = 1500 + 32*0.5 = 1516, m2 = 1484.
    # Vote 2: m2 vs m3 ends "both unsafe" = a draw. m2 (1484) vs m3 (1500):
    #   E_m2 = 1 / (1 + 10^((1500-1484)/400)) = 1 / (1 + 1.0964782) = 0.4769904...
    #   m2 = 1484 + 32*(0.5 - 0.4769904) = 1484.736307..., m3 = 1500 - 0.736307... = 1499.263693...
    votes = _Votes(engine)
    votes.add(1, 2, Verdict.A)
    votes.add(2, 3, Verdict.BOTH_UNSAFE)
    s = votes.standings(LiveRatings(elo=EloRater(k=32.0, initial=1500.0)))
    e = 1 / (1 + 10 ** (16 / 400))
    assert e == pytest.approx(0.4769904, abs=1e-7)
    assert s["m2"].elo == pytest.approx(1484.736307, abs=1e-6)
    assert s["m1"].elo == pytest.approx(1516.0, abs=1e-12)
    assert s["m2"].elo == pytest.approx(1484 + 32 * (0.5 - e), abs=1e-12)
    assert s["m3"].elo == pytest.approx(1500 - 32 * (0.5 - e), abs=1e-12)
    assert s["m2"].elo + s["m3"].elo + s["m1"].elo == pytest.approx(4500.0, abs=1e-9)
    assert (s["m2"].wins, s["m2"].losses, s["m2"].draws, s["m2"].games) == (0, 1, 1, 2)
    assert s["m2"].win_rate == pytest.approx(0.25)


def test_trueskill_first_win_worked_by_hand_and_against_package(engine):
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

    votes = _Votes(engine)
    votes.add(1, 2, Verdict.A)
    s = votes.standings(LiveRatings())
    assert s["m1"].mu == pytest.approx(mu_winner, abs=1e-9)
    assert s["m2"].mu == pytest.approx(50 - mu_winner, abs=1e-9)

    env = trueskill.TrueSkill(
        mu=25, sigma=25 / 3, beta=25 / 6, tau=25 / 300, draw_probability=0.10, backend=None
    )
    w, loser = env.rate_1vs1(env.create_rating(), env.create_rating())
    assert s["m1"].mu == pytest.approx(w.mu, abs=1e-6) and s["m1"].sigma == pytest.approx(w.sigma, abs=1e-6)
    assert s["m2"].conservative == pytest.approx(loser.mu - 3 * loser.sigma, abs=1e-6)


def _random_votes(votes: _Votes, n: int, seed: int) -> list[tuple[int, int, Verdict, str]]:
    rng = random.Random(seed)
    dims = ["privacy", "fairness", "mental_health"]
    return [(*rng.sample([1, 2, 3], 2), rng.choice(list(Verdict)), rng.choice(dims)) for _ in range(n)]


@pytest.mark.parametrize("chunk", [1, 7, 100])
def test_incremental_equals_replay(engine, chunk):
    votes = _Votes(engine)
    planned = _random_votes(votes, 120, seed=chunk)
    live = LiveRatings()
    for n, start in enumerate(range(0, len(planned), chunk)):
        for a, b, verdict, dim in planned[start : start + chunk]:
            votes.add(a, b, verdict, dim)
        # fold the slices forward at different moments: each is incremental from its own position
        votes.standings(live, OVERALL)
        votes.standings(live, ("privacy", "fairness", "mental_health")[n % 3])
    for name in (OVERALL, "privacy", "fairness", "mental_health"):
        inc = votes.standings(live, name)
        ref = _replayed(votes, name)
        for key in inc:
            assert inc[key].elo == pytest.approx(ref[key].elo, abs=1e-9)
            assert inc[key].mu == pytest.approx(ref[key].mu, abs=1e-9)
            assert inc[key].sigma == pytest.approx(ref[key].sigma, abs=1e-9)
            assert inc[key].games == ref[key].games


def test_refreshing_twice_changes_nothing(engine):
    votes = _Votes(engine)
    for a, b, verdict, dim in _random_votes(votes, 30, seed=3):
        votes.add(a, b, verdict, dim)
    live = LiveRatings()
    before = votes.standings(live)
    assert live.refresh(engine) == 0
    assert votes.standings(live) == before


def test_dimension_slice_only_counts_its_votes(engine):
    votes = _Votes(engine)
    votes.add(1, 2, Verdict.A, "privacy")
    votes.add(1, 3, Verdict.B, "fairness")
    live = LiveRatings()
    privacy = votes.standings(live, "privacy")
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
    ref = _by_key(_fresh(engine))
    inc = _by_key(live.standings())
    assert live.cursor == rows[-1].id
    for key in ref:
        assert inc[key].elo == pytest.approx(ref[key].elo, abs=1e-9)
        assert inc[key].mu == pytest.approx(ref[key].mu, abs=1e-9)


def _by_key(standings):
    return {r.key: r for r in standings.rows}


def _fresh(engine):
    live = LiveRatings()
    live.refresh(engine)
    return live.standings()

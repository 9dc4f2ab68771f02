"""The judge run's planner: which battles a judge is asked about next, chosen by the scheduler
from this judge's verdicts in the release so far (``pipeline.runs.judge``)."""

from __future__ import annotations

import random
from collections.abc import Sequence

import numpy as np
from sqlalchemy.engine import Engine

from judging.ratings import BradleyTerry
from judging.scheduling import History, RankSnapshot, Scheduler, Strategy, replay_snapshots, snapshot_of
from judging.types import Comparison, Verdict, outcome_from_verdict
from storage.db.session import read_session, write_session
from storage.runs.bookkeeping import judge_votes_in_release
from storage.votes.battles import get_or_create_battle, list_models
from storage.workflow.assignments import unseen_battle_for_models

__all__ = ["Planner"]


class Planner:
    """Chooses the next battles with the scheduler, from this judge's verdicts so far."""

    def __init__(
        self, engine: Engine, judge: str, release_id: int, strategy: Strategy, rng: random.Random
    ) -> None:
        self.engine, self.judge, self.release_id, self.rng = engine, judge, release_id, rng
        with read_session(engine) as session:
            self.models = {m.key: m for m in list_models(session=session) if not m.reference}
            past = judge_votes_in_release(session=session, judge=judge, release_id=release_id)
        self.keys = sorted(self.models)
        self.bt = BradleyTerry()
        self.scheduler = Scheduler(strategy, self.bt)
        self.comparisons = [
            Comparison(a, b, outcome_from_verdict(Verdict(v)))
            for a, b, v in past
            if a in self.models and b in self.models
        ]
        self.history = History.empty(self.keys).add(self.comparisons)
        self.np_rng = np.random.default_rng(rng.getrandbits(64))
        self.attempted: set[int] = set()  # battles tried in this run (even if unparsed or failed)

    def snapshot(self) -> RankSnapshot:
        return snapshot_of(self.comparisons, self.keys, self.bt)

    def replayed(self, every_battles: int, last: int) -> list[RankSnapshot]:
        """The checks a run checking every ``every_battles`` battles made over the stored verdicts."""
        return replay_snapshots(self.comparisons, self.keys, self.bt, every=2 * every_battles, last=last)

    def record(self, comparisons: Sequence[Comparison]) -> None:
        self.comparisons.extend(comparisons)
        self.history = self.history.add(comparisons)

    def next_battles(self, n: int) -> list[int]:
        fit = self.bt.fit(self.comparisons) if self.comparisons else self.bt.initial(self.keys)
        ratings = fit.by_model
        proposals = self.scheduler.propose(
            self.history, max(n * 2, n + 4), self.np_rng, ratings=ratings, fit=fit
        )
        chosen: list[int] = []
        with write_session(self.engine) as session:
            for pair in proposals:
                if len(chosen) >= n:
                    break
                found = unseen_battle_for_models(
                    session=session,
                    username=self.judge,
                    model_ids=(self.models[pair.model_a].id, self.models[pair.model_b].id),
                    rng_pick=self.rng.getrandbits(32),
                    release_id=self.release_id,
                )
                if found is None:
                    continue
                q, ra, rb = found
                battle = get_or_create_battle(session=session, question_id=q, response_ids=(ra, rb))
                assert battle.id is not None
                if battle.id not in chosen and battle.id not in self.attempted:
                    chosen.append(battle.id)
            # scheduler pairs may all be exhausted while others still have questions left
            if not chosen:
                for a, b in self._all_pairs():
                    found = unseen_battle_for_models(
                        session=session,
                        username=self.judge,
                        model_ids=(a, b),
                        rng_pick=self.rng.getrandbits(32),
                        release_id=self.release_id,
                    )
                    if found:
                        q, ra, rb = found
                        battle = get_or_create_battle(session=session, question_id=q, response_ids=(ra, rb))
                        assert battle.id is not None
                        if battle.id not in self.attempted:
                            chosen.append(battle.id)
                        if len(chosen) >= n:
                            break
        self.attempted.update(chosen)
        return chosen

    def _all_pairs(self) -> list[tuple[int, int]]:
        ids = [self.models[k].id for k in self.keys]
        pairs = [(ids[i], ids[j]) for i in range(len(ids)) for j in range(i + 1, len(ids))]
        self.rng.shuffle(pairs)
        return pairs

"""The judge run's planner: which battles a judge is asked about next, chosen by the scheduler
from this judge's verdicts in the release so far (``pipeline.runs.judge``).

The release's answers and the (question, model pair)s the judge has already seen are read once
(``storage.runs.judge_work``); a plan then chooses its battles in memory and touches the
database twice, off the event loop: one write creating the battles, one read of their views.
Planning runs ahead of the results (the window needs battles before the last ones come back):
battles planned and not yet stored count in the scheduler's history as if judged, and the
Bradley–Terry fit that ``swiss`` and ``active`` need is refitted once ``refit_every`` new
verdicts have come in, not on every plan.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sqlalchemy.engine import Engine

from judging.judge import PROMPT_VERSION
from judging.ratings import BradleyTerry, BTFit
from judging.scheduling import (
    History,
    Pair,
    RankSnapshot,
    Scheduler,
    Strategy,
    replay_snapshots,
    snapshot_of,
)
from judging.types import Comparison, Side, Verdict, outcome_from_verdict
from storage.db.session import read_session, write_session
from storage.runs.bookkeeping import judge_done, judge_votes_in_release
from storage.runs.judge_work import battle_views, ensure_battles, judge_seen_pairs, release_answers
from storage.votes.battles import BattleView, list_models

__all__ = ["PlannedBattle", "Planner"]


@dataclass(frozen=True, slots=True)
class PlannedBattle:
    """A battle to judge and the shown orders still to ask about (both, unless half done)."""

    view: BattleView
    sides: tuple[Side, ...]

    @property
    def pair(self) -> Pair:
        return Pair(self.view.model_a.key, self.view.model_b.key)


class Planner:
    """Chooses the next battles with the scheduler, from this judge's verdicts so far.

    Built in a worker thread (it reads the release); ``next_battles`` and ``battles`` plan in
    one, one plan at a time. ``record`` and ``settle`` run on the event loop."""

    def __init__(
        self,
        engine: Engine,
        judge: str,
        release_id: int,
        strategy: Strategy,
        rng: random.Random,
        *,
        refit_every: int = 32,
    ) -> None:
        self.engine, self.judge, self.release_id, self.rng = engine, judge, release_id, rng
        with read_session(engine) as session:
            self.models = {m.key: m for m in list_models(session=session) if not m.reference}
            past = judge_votes_in_release(session=session, judge=judge, release_id=release_id)
            self._answers = release_answers(session=session, release_id=release_id)
            self._seen = judge_seen_pairs(session=session, judge=judge, release_id=release_id)
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
        self.refit_every = refit_every
        self._fit: tuple[int, BTFit] | None = None  # (verdicts it was fitted on, fit)
        self._eligible: dict[tuple[int, int], list[int]] = {}  # model pair -> questions left
        self._pending: dict[int, Pair] = {}  # battles planned, not yet stored

    def snapshot(self) -> RankSnapshot:
        return snapshot_of(self.comparisons, self.keys, self.bt)

    def replayed(self, every_battles: int, last: int) -> list[RankSnapshot]:
        """The checks a run checking every ``every_battles`` battles made over the stored verdicts."""
        return replay_snapshots(self.comparisons, self.keys, self.bt, every=2 * every_battles, last=last)

    def record(self, comparisons: Sequence[Comparison]) -> None:
        """Verdicts that were stored (on the event loop)."""
        self.comparisons.extend(comparisons)
        self.history = self.history.add(comparisons)

    def settle(self, battle_ids: Sequence[int]) -> None:
        """These battles are stored (both orders): they no longer count as planned."""
        for battle_id in battle_ids:
            self._pending.pop(battle_id, None)

    async def next_battles(self, n: int) -> list[PlannedBattle]:
        """Up to ``n`` new battles (fewer, or none, once the release runs out of unseen pairs)."""
        planned = [p for p in self._pending.values() for _order in range(2)]
        history = self.history.add(planned)
        comparisons = tuple(self.comparisons)
        battles = await asyncio.to_thread(self._plan, n, comparisons, history)
        self._pending.update({b.view.battle_id: b.pair for b in battles})
        return battles

    async def battles(self, battle_ids: Sequence[int]) -> list[PlannedBattle]:
        """These battles (half done by an earlier run), with the orders still missing."""
        battles = await asyncio.to_thread(self._load, battle_ids)
        self._pending.update({b.view.battle_id: b.pair for b in battles})
        return battles

    def _plan(self, n: int, comparisons: Sequence[Comparison], history: History) -> list[PlannedBattle]:
        fit = self._current_fit(comparisons)
        proposals = self.scheduler.propose(
            history, max(n * 2, n + 4), self.np_rng, ratings=fit.by_model if fit else None, fit=fit
        )
        chosen: list[tuple[int, int, int]] = []
        for pair in proposals:
            if len(chosen) >= n:
                break
            found = self._take(self.models[pair.model_a].id, self.models[pair.model_b].id)
            if found is not None:
                chosen.append(found)
        # scheduler pairs may all be exhausted while others still have questions left
        if not chosen:
            for a, b in self._all_pairs():
                found = self._take(a, b)
                if found is not None:
                    chosen.append(found)
                if len(chosen) >= n:
                    break
        if not chosen:
            return []
        with write_session(self.engine) as session:
            battle_ids = ensure_battles(session=session, planned=chosen)
        return self._load(battle_ids)

    def _current_fit(self, comparisons: Sequence[Comparison]) -> BTFit | None:
        """The fit the strategy needs (None for those that need none), refitted every
        ``refit_every`` new verdicts."""
        if self.scheduler.strategy not in (Strategy.SWISS, Strategy.ACTIVE):
            return None
        if self._fit is None or len(comparisons) - self._fit[0] >= self.refit_every:
            fit = self.bt.fit(comparisons) if comparisons else self.bt.initial(self.keys)
            self._fit = (len(comparisons), fit)
        return self._fit[1]

    def _take(self, model_a: int, model_b: int) -> tuple[int, int, int] | None:
        """A random question both models answered whose pair this judge has not seen, marked
        seen: (question id, response id, response id); None when the pair has none left."""
        low, high = min(model_a, model_b), max(model_a, model_b)
        eligible = self._eligible.get((low, high))
        if eligible is None:
            eligible = [
                q
                for q, by_model in sorted(self._answers.items())
                if low in by_model and high in by_model and (q, low, high) not in self._seen
            ]
            self._eligible[(low, high)] = eligible
        if not eligible:
            return None
        question = eligible.pop(self.rng.getrandbits(32) % len(eligible))
        self._seen.add((question, low, high))
        answers = self._answers[question]
        return question, answers[low], answers[high]

    def _load(self, battle_ids: Sequence[int]) -> list[PlannedBattle]:
        with read_session(self.engine) as session:
            views = battle_views(session=session, battle_ids=battle_ids)
            done = judge_done(
                session=session, judge=self.judge, prompt_version=PROMPT_VERSION, battle_ids=battle_ids
            )
        planned = [
            PlannedBattle(
                view,
                tuple(
                    side
                    for side, left in ((Side.A, view.response_a_id), (Side.B, view.response_b_id))
                    if (view.battle_id, left) not in done
                ),
            )
            for view in views
        ]
        return [p for p in planned if p.sides]

    def _all_pairs(self) -> list[tuple[int, int]]:
        ids = [self.models[k].id for k in self.keys]
        pairs = [(ids[i], ids[j]) for i in range(len(ids)) for j in range(i + 1, len(ids))]
        self.rng.shuffle(pairs)
        return pairs

"""The judge run's planner: which battles a judge is asked about next, chosen by the scheduler
from this judge's verdicts in the release so far (``pipeline.runs.judge``).

The release's answers and the (question, model pair)s the judge has already seen are read once
(``storage.runs.judge_work``); a plan then chooses its battles in memory and touches the
database twice, off the event loop: one write creating the battles, one read of their views.
Planning runs ahead of the results (the window needs battles before the last ones come back):
battles planned and not yet stored count in the scheduler's history as if judged, and the
Bradley–Terry fit that ``swiss`` and ``active`` need is refitted once ``refit_every`` new
verdicts have come in, not on every plan.

Shared runs (``docs/scale-out.md``): every battle is leased before it is sent (``storage.runs.
leases``; scope ``judge:<judge>:<prompt version>:<release id>``, item the battle id), in the
transaction that creates it, and the budget is counted there too — battles with a verdict plus
battles leased in the run, under a lock on the scope — so several processes in one run never
ask about one battle twice and together plan no more than the budget. A battle another process
holds is left to it (and marked seen here).
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sqlalchemy.engine import Engine
from sqlmodel import Session

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
from pipeline.runs.common import RunLog, release_dead_here
from storage.db.session import read_session, write_session
from storage.runs.bookkeeping import judge_done, judge_votes_in_release
from storage.runs.judge_work import (
    battle_views,
    ensure_battles,
    judge_scope,
    judge_seen_pairs,
    lock_scope,
    release_answers,
    run_battles,
    stranded_battles,
)
from storage.runs.leases import claim, complete, others_working
from storage.votes.battles import BattleView, list_models

__all__ = ["PlannedBattle", "Planner", "Share"]


@dataclass(frozen=True, slots=True)
class PlannedBattle:
    """A battle to judge and the shown orders still to ask about (both, unless half done)."""

    view: BattleView
    sides: tuple[Side, ...]

    @property
    def pair(self) -> Pair:
        return Pair(self.view.model_a.key, self.view.model_b.key)


@dataclass(frozen=True, slots=True)
class Share:
    """How a planner shares its run with other processes: the run, this process's lease holder
    name and lease time (``RunLog``), the scope of the judge's battles, the run's budget."""

    run_id: int
    holder: str
    ttl_s: float
    scope: str
    budget: int

    @classmethod
    def of(cls, run: RunLog, judge: str, release_id: int, budget: int) -> Share:
        return cls(
            run.id, run.holder, run.lease_ttl_s, judge_scope(judge, PROMPT_VERSION, release_id), budget
        )

    def claim(self, session: Session, battle_ids: Sequence[int]) -> list[int]:
        got = claim(
            session,
            scope=self.scope,
            items=[str(b) for b in battle_ids],
            holder=self.holder,
            ttl_s=self.ttl_s,
            run_id=self.run_id,
        )
        return [int(b) for b in got]


class Planner:
    """Chooses the next battles with the scheduler, from this judge's verdicts so far.

    Built in a worker thread (it reads the release); ``next_battles``, ``battles`` and
    ``stranded`` plan in one, one plan at a time. ``record`` and ``settle`` run on the event
    loop. ``share`` must be set (``Share.of`` the open run) before the first plan."""

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
        self.share: Share | None = None
        self.budget_reached = False  # the run's budget is planned (by this process or others)

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
        """These battles (half done by an earlier run), with the orders still missing: those
        this process could lease."""
        fresh = [b for b in dict.fromkeys(battle_ids) if b not in self._pending]  # not sent twice
        battles = await asyncio.to_thread(self._claim_and_load, fresh)
        self._pending.update({b.view.battle_id: b.pair for b in battles})
        return battles

    async def stranded(self) -> list[PlannedBattle]:
        """The run's battles a gone worker left leased and unfinished, taken over."""
        share = self._shared()

        def find() -> list[int]:
            release_dead_here(self.engine, scope=share.scope)  # a killed process on this host: at once
            with read_session(self.engine) as session:
                return stranded_battles(session=session, scope=share.scope, run_id=share.run_id)

        found = await asyncio.to_thread(find)
        return await self.battles(found) if found else []

    async def others_working(self) -> bool:
        """Whether another process still holds live leases in the run."""
        share = self._shared()

        def ask() -> bool:
            with read_session(self.engine) as session:
                return others_working(session, run_id=share.run_id, holder=share.holder)

        return await asyncio.to_thread(ask)

    def _shared(self) -> Share:
        if self.share is None:
            raise RuntimeError("Planner: share is not set (Share.of the open run)")
        return self.share

    def _plan(self, n: int, comparisons: Sequence[Comparison], history: History) -> list[PlannedBattle]:
        fit = self._current_fit(comparisons)
        proposals = self.scheduler.propose(
            history, max(n * 2, n + 4), self.np_rng, ratings=fit.by_model if fit else None, fit=fit
        )
        while not self.budget_reached:
            chosen = self._choose(proposals, n)
            if not chosen:
                return []
            claimed = self._claim_new(chosen)
            if claimed:
                return self._claim_and_load(claimed, claimed=True)
            # every battle chosen is another process's (or the budget is planned): choose again
        return []

    def _choose(self, proposals: Sequence[Pair], n: int) -> list[tuple[int, int, int]]:
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
        return chosen

    def _claim_new(self, chosen: Sequence[tuple[int, int, int]]) -> list[int]:
        """Create and lease the chosen battles, as many as the run's budget has room for (counted
        in the same transaction, under the scope's lock); the battle ids leased."""
        share = self._shared()
        with write_session(self.engine) as session:
            lock_scope(session=session, scope=share.scope)
            counted = run_battles(
                session=session,
                scope=share.scope,
                run_id=share.run_id,
                judge=self.judge,
                prompt_version=PROMPT_VERSION,
                release_id=self.release_id,
            )
            room = share.budget - counted
            if room <= 0:
                self.budget_reached = True
                return []
            battle_ids = ensure_battles(session=session, planned=chosen[:room])
            claimed = share.claim(session, battle_ids)
            # reached only when this claim fills the room: a chosen battle another process holds
            # is not claimed here, and stopping then left the run a battle short of its budget
            # (two processes each stopped with room for one: 99 of 100 battles)
            if len(claimed) >= room:
                self.budget_reached = True
            return claimed

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
        question = eligible[self.rng.getrandbits(32) % len(eligible)]
        self._mark_seen(question, low, high)
        answers = self._answers[question]
        return question, answers[low], answers[high]

    def _claim_and_load(self, battle_ids: Sequence[int], *, claimed: bool = False) -> list[PlannedBattle]:
        """Lease these battles (unless ``claimed`` already) and read what is left to ask; a
        battle with nothing left is completed at once."""
        share = self._shared()
        if not claimed and battle_ids:
            with write_session(self.engine) as session:
                battle_ids = share.claim(session, battle_ids)
        if not battle_ids:
            return []
        with read_session(self.engine) as session:
            views = battle_views(session=session, battle_ids=battle_ids)
            done = judge_done(
                session=session, judge=self.judge, prompt_version=PROMPT_VERSION, battle_ids=battle_ids
            )
        for view in views:  # never chosen again as a new battle (a stranded one may have no verdict yet)
            self._mark_seen(view.question_id, view.model_a.id, view.model_b.id)
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
        finished = [str(p.view.battle_id) for p in planned if not p.sides]
        if finished:
            with write_session(self.engine) as session:
                complete(session, scope=share.scope, items=finished, holder=share.holder)
        return [p for p in planned if p.sides]

    def _mark_seen(self, question: int, model_a: int, model_b: int) -> None:
        low, high = min(model_a, model_b), max(model_a, model_b)
        self._seen.add((question, low, high))
        eligible = self._eligible.get((low, high))
        if eligible is not None and question in eligible:
            eligible.remove(question)

    def _all_pairs(self) -> list[tuple[int, int]]:
        ids = [self.models[k].id for k in self.keys]
        pairs = [(ids[i], ids[j]) for i in range(len(ids)) for j in range(i + 1, len(ids))]
        self.rng.shuffle(pairs)
        return pairs

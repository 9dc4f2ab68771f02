"""LLM-judge runs: the scheduler picks model pairs, each battle is judged in both orders, and the
verdicts land in the vote table beside human votes (source ``judge``, rater = judge key, the
prompt version and the order shown).

Resumable and idempotent: every (judge, battle, order) that already has a stored verdict is
skipped, half-finished battles are completed first, and a verdict's idempotency key is derived
from (judge, prompt version, battle, order), so a rerun after ``kill -9`` never asks twice for
what is stored. ``budget`` is the number of battles this judge should have judged in the
release when the run ends. A reply without a strict verdict marker is re-asked up to a limit and
then stored raw as *unparsed* — never a tie, never a loss.

With a ``ConvergenceRule`` (``cli.py judge --until-converged``) the run also stops once this
judge's ranking of the release has settled: every ``rule.interval`` battles it refits
Bradley–Terry on the judge's verdicts and asks the rule. The rule counts battles (``budget`` and
``every``); its per-pair minimum counts verdicts, two per battle. Checks a previous run made are
replayed from the stored verdicts, so a rerun of a converged run judges nothing.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
from sqlalchemy.engine import Engine
from sqlmodel import select

from judging.dimensions import Dimension
from judging.judge import PROMPT_VERSION, JudgeItem, JudgementStatus, JudgeSettings, JudgeTask, judge_many
from judging.llm import ChatClient, EndpointConfig
from judging.ratings import BradleyTerry
from judging.scheduling import (
    ConvergenceRule,
    History,
    RankSnapshot,
    Scheduler,
    StopReason,
    Strategy,
    replay_snapshots,
    snapshot_of,
)
from judging.types import Comparison, Side, Source, Verdict, outcome_from_verdict
from pipeline.runs.common import Progress, ProgressFn, RunCounters, finish, start_run
from pipeline.runs.registry import get_endpoint
from storage.db.models import Release
from storage.db.session import read_session, write_session
from storage.runs.bookkeeping import (
    judge_done,
    judge_half_done,
    judge_votes_in_release,
    judged_battles,
    record_failure,
    record_unparsed,
    update_run,
)
from storage.votes.battles import BattleView, battle_view, get_or_create_battle, list_models
from storage.votes.record import record_vote
from storage.workflow.assignments import unseen_battle_for_models

__all__ = ["JudgeSummary", "judge_idempotency_key", "run_judge"]


@dataclass(frozen=True)
class JudgeSummary:
    run_id: int
    battles: int  # battles judged by this judge in the release after the run
    requested: int  # judge calls made in this run
    votes: int
    unparsed: int
    failed: int
    budget: int = 0  # battles this judge was to have judged in the release
    stopped: StopReason | None = None  # why a run with a convergence rule stopped

    @property
    def saved(self) -> int:
        """Battles of the budget left unjudged because the ranking had settled."""
        return self.budget - self.battles if self.stopped is StopReason.STABLE_RANKS else 0


def judge_idempotency_key(judge: str, battle_id: int, left_response_id: int, prompt_version: str) -> str:
    return f"judge|{judge}|{prompt_version}|{battle_id}|{left_response_id}"


def _release(engine: Engine, tag: str) -> int:
    with read_session(engine) as session:
        release = session.exec(select(Release).where(Release.tag == tag)).first()
    if release is None or release.id is None:
        raise LookupError(f"run_judge: no release {tag!r}")
    return release.id


def _item(view: BattleView) -> JudgeItem:
    return JudgeItem(
        question_id=str(view.question_id),
        dimension=Dimension(view.dimension),
        question=view.question_text,
        model_a=view.model_a.key,
        answer_a=view.text_a,
        model_b=view.model_b.key,
        answer_b=view.text_b,
        reference_answer=view.reference_answer,
        safe_note=view.safe_note or None,
    )


class _Planner:
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


async def run_judge(
    engine: Engine,
    client: ChatClient,
    *,
    release: str,
    judge: str,
    strategy: str = "random",
    budget: int = 100,
    rng: random.Random,
    batch: int = 16,
    max_parse_attempts: int = 3,
    actor: str = "cli",
    on_progress: ProgressFn | None = None,
    until_converged: ConvergenceRule | None = None,
) -> JudgeSummary:
    """Judge up to ``budget`` battles of ``release`` (see the module docstring); with
    ``until_converged`` (whose own budget is ignored: ``budget`` rules), stop early once the
    judge's ranking has settled."""
    endpoint: EndpointConfig = get_endpoint(engine, judge)
    release_id = _release(engine, release)
    planner = _Planner(engine, judge, release_id, Strategy.parse(strategy), rng)
    settings = JudgeSettings(max_parse_attempts=max_parse_attempts)
    with read_session(engine) as session:
        already = judged_battles(
            session=session, judge=judge, prompt_version=PROMPT_VERSION, release_id=release_id
        )
        half = judge_half_done(
            session=session, judge=judge, prompt_version=PROMPT_VERSION, release_id=release_id
        )
    remaining = max(0, budget - already)
    run_id = start_run(
        engine,
        kind="judge",
        params={
            "release": release,
            "judge": judge,
            "strategy": strategy,
            "budget": budget,
            "prompt_version": PROMPT_VERSION,
            "until_converged": until_converged is not None,
        },
        total=2 * remaining + len(half),
        actor=actor,
    )
    counters = RunCounters()
    requested = 0

    async def judge_battles(battle_ids: Sequence[int]) -> int:
        nonlocal requested
        with read_session(engine) as session:
            done = judge_done(
                session=session, judge=judge, prompt_version=PROMPT_VERSION, battle_ids=battle_ids
            )
            views = {b: battle_view(session=session, battle_id=b) for b in battle_ids}
        tasks = []
        for b, view in views.items():
            for side, left in ((Side.A, view.response_a_id), (Side.B, view.response_b_id)):
                if (b, left) not in done:
                    tasks.append(JudgeTask(endpoint, _item(view), side))
        requested += len(tasks)
        new_comparisons: list[Comparison] = []
        results = []
        async for finished in judge_many(client, tasks, settings):
            results.append(finished)
        with write_session(engine) as session:
            for finished in results:
                task, judgement = finished.item, finished.result
                view = next(
                    v
                    for v in views.values()
                    if str(v.question_id) == task.item.question_id
                    and v.model_a.key == task.item.model_a
                    and v.model_b.key == task.item.model_b
                )
                left = view.response_a_id if task.shown_first is Side.A else view.response_b_id
                if judgement.status is JudgementStatus.PARSED and judgement.verdict is not None:
                    record_vote(
                        session=session,
                        battle_id=view.battle_id,
                        source=Source.JUDGE,
                        rater=judge,
                        verdict=judgement.verdict,
                        left_response_id=left,
                        idempotency_key=judge_idempotency_key(
                            judge, view.battle_id, left, judgement.prompt_version
                        ),
                        rationale=(judgement.raw or "")[-2000:],
                        prompt_version=judgement.prompt_version,
                    )
                    counters.done += 1
                    new_comparisons.append(
                        Comparison(
                            view.model_a.key, view.model_b.key, outcome_from_verdict(judgement.verdict)
                        )
                    )
                elif judgement.status is JudgementStatus.UNPARSED:
                    record_unparsed(
                        session=session,
                        run_id=run_id,
                        judge=judge,
                        battle_id=view.battle_id,
                        left_response_id=left,
                        prompt_version=judgement.prompt_version,
                        raw=judgement.raw or "",
                        attempts=judgement.attempts,
                    )
                    counters.unparsed += 1
                else:
                    failure = judgement.failure
                    record_failure(
                        session=session,
                        run_id=run_id,
                        endpoint=judge,
                        battle_id=view.battle_id,
                        kind=str(failure.kind) if failure else "unknown",
                        message=failure.message if failure else "no reply",
                        status=failure.status if failure else None,
                        attempts=failure.attempts if failure else judgement.attempts,
                    )
                    counters.failed += 1
            update_run(
                session=session,
                run_id=run_id,
                done=counters.done,
                failed=counters.failed,
                unparsed=counters.unparsed,
            )
        planner.record(new_comparisons)
        if on_progress:
            on_progress(
                Progress(run_id, 2 * remaining + len(half), counters.done, counters.failed, counters.unparsed)
            )
        return len(views)

    rule = replace(until_converged, budget=max(budget, 1)) if until_converged else None
    every = rule.interval(len(planner.keys)) if rule else 0
    snapshots = planner.replayed(every, rule.patience + 1) if rule else []
    stopped: StopReason | None = None
    try:
        if half:
            await judge_battles(half)
        judged = 0
        if rule and already and rule.check(snapshots, planner.history, already) is StopReason.STABLE_RANKS:
            stopped = StopReason.STABLE_RANKS  # settled in an earlier run: nothing to do
        while judged < remaining and stopped is None:
            # a check falls on every multiple of ``every`` battles (in the release, earlier runs included)
            to_check = every - (already + judged) % every if rule else remaining
            battles = planner.next_battles(min(batch, remaining - judged, to_check))
            if not battles:
                break  # every pair of every question has been judged
            judged += await judge_battles(battles)
            if rule and (already + judged) % every == 0:
                snapshots.append(planner.snapshot())
                stopped = rule.check(snapshots, planner.history, already + judged)
        if rule and stopped is None and judged >= remaining:
            stopped = StopReason.BUDGET
    except BaseException as exc:
        finish(engine, run_id, counters, status="failed", message=f"{type(exc).__name__}: {exc}")
        raise
    finish(engine, run_id, counters, status="finished")
    with read_session(engine) as session:
        total = judged_battles(
            session=session, judge=judge, prompt_version=PROMPT_VERSION, release_id=release_id
        )
    return JudgeSummary(
        run_id, total, requested, counters.done, counters.unparsed, counters.failed, budget, stopped
    )

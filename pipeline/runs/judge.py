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

from sqlalchemy.engine import Engine
from sqlmodel import Session

from judging.dimensions import Dimension
from judging.judge import (
    PROMPT_VERSION,
    JudgeItem,
    Judgement,
    JudgementStatus,
    JudgeSettings,
    JudgeTask,
    judge_many,
)
from judging.llm import ChatClient, Done, EndpointConfig
from judging.runs import RunKind
from judging.scheduling import ConvergenceRule, StopReason, Strategy
from judging.types import Comparison, Side, Source, Verdict, outcome_from_verdict
from pipeline.runs.common import ProgressFn, RunLog, open_run, release_id
from pipeline.runs.judge_plan import Planner
from pipeline.runs.registry import get_endpoint
from storage.db.session import read_session, write_session
from storage.runs.bookkeeping import judge_done, judge_half_done, judged_battles, record_unparsed
from storage.votes.battles import BattleView, battle_view
from storage.votes.record import record_vote

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


class _BattleJudge:
    """Judges battles in both orders (skipping orders already stored) and records what comes
    back: a parsed verdict as a vote, an unparsed reply raw, a failed call as a failure."""

    def __init__(
        self,
        engine: Engine,
        client: ChatClient,
        judge: str,
        endpoint: EndpointConfig,
        settings: JudgeSettings,
        planner: Planner,
        run: RunLog,
    ) -> None:
        self.engine, self.client, self.settings = engine, client, settings
        self.judge, self.endpoint = judge, endpoint
        self.planner, self.run = planner, run
        self.requested = 0  # judge calls made in this run

    async def judge_battles(self, battle_ids: Sequence[int]) -> int:
        """Judge these battles; how many there were."""
        views, tasks = self._tasks(battle_ids)
        self.requested += len(tasks)
        results = [finished async for finished in judge_many(self.client, tasks, self.settings)]
        with write_session(self.engine) as session:
            recorded = [self._record(session, views, finished) for finished in results]
            self.run.save(session)
        self.planner.record([c for c in recorded if c is not None])
        self.run.report()
        return len(views)

    def _tasks(self, battle_ids: Sequence[int]) -> tuple[list[BattleView], list[JudgeTask]]:
        with read_session(self.engine) as session:
            done = judge_done(
                session=session, judge=self.judge, prompt_version=PROMPT_VERSION, battle_ids=battle_ids
            )
            views = [battle_view(session=session, battle_id=b) for b in dict.fromkeys(battle_ids)]
        tasks = [
            JudgeTask(self.endpoint, _item(view), side)
            for view in views
            for side, left in ((Side.A, view.response_a_id), (Side.B, view.response_b_id))
            if (view.battle_id, left) not in done
        ]
        return views, tasks

    def _record(
        self, session: Session, views: Sequence[BattleView], finished: Done[JudgeTask, Judgement]
    ) -> Comparison | None:
        """Store one judgement; the comparison a parsed verdict adds to the judge's history."""
        task, judgement = finished.item, finished.result
        view = next(
            v
            for v in views
            if str(v.question_id) == task.item.question_id
            and v.model_a.key == task.item.model_a
            and v.model_b.key == task.item.model_b
        )
        left = view.response_a_id if task.shown_first is Side.A else view.response_b_id
        if judgement.status is JudgementStatus.PARSED and judgement.verdict is not None:
            self._vote(session, view, left, judgement, judgement.verdict)
            return Comparison(view.model_a.key, view.model_b.key, outcome_from_verdict(judgement.verdict))
        if judgement.status is JudgementStatus.UNPARSED:
            self.run.counters.unparsed += 1
            record_unparsed(
                session=session,
                run_id=self.run.id,
                judge=self.judge,
                battle_id=view.battle_id,
                left_response_id=left,
                prompt_version=judgement.prompt_version,
                raw=judgement.raw or "",
                attempts=judgement.attempts,
            )
        else:
            self.run.record_failure(
                session,
                judgement.failure,
                endpoint=self.judge,
                battle_id=view.battle_id,
                attempts=judgement.attempts,
            )
        return None

    def _vote(
        self, session: Session, view: BattleView, left: int, judgement: Judgement, verdict: Verdict
    ) -> None:
        self.run.counters.done += 1
        record_vote(
            session=session,
            battle_id=view.battle_id,
            source=Source.JUDGE,
            rater=self.judge,
            verdict=verdict,
            left_response_id=left,
            idempotency_key=judge_idempotency_key(self.judge, view.battle_id, left, judgement.prompt_version),
            rationale=(judgement.raw or "")[-2000:],
            prompt_version=judgement.prompt_version,
        )


class _Convergence:
    """The checks of an optional convergence rule, on every multiple of ``every`` battles this
    judge has judged in the release (earlier runs included; their checks are replayed)."""

    def __init__(self, rule: ConvergenceRule | None, budget: int, planner: Planner) -> None:
        # the rule's own budget is ignored: the run's ``budget`` rules
        self.rule = replace(rule, budget=max(budget, 1)) if rule else None
        self.planner = planner
        self.every = self.rule.interval(len(planner.keys)) if self.rule else 0
        self.snapshots = planner.replayed(self.every, self.rule.patience + 1) if self.rule else []

    def settled_before(self, already: int) -> StopReason | None:
        """``STABLE_RANKS`` when an earlier run already saw the ranking settle."""
        if self.rule is None or not already:
            return None
        verdict = self.rule.check(self.snapshots, self.planner.history, already)
        return StopReason.STABLE_RANKS if verdict is StopReason.STABLE_RANKS else None

    def until_check(self, judged: int, default: int) -> int:
        """Battles until the next check, with ``judged`` battles judged so far in the release."""
        return self.every - judged % self.every if self.rule else default

    def check(self, judged: int) -> StopReason | None:
        """Check the rule when ``judged`` falls on a check."""
        if self.rule is None or judged % self.every:
            return None
        self.snapshots.append(self.planner.snapshot())
        return self.rule.check(self.snapshots, self.planner.history, judged)

    def final(self, stopped: StopReason | None, spent_budget: bool) -> StopReason | None:
        if self.rule and stopped is None and spent_budget:
            return StopReason.BUDGET
        return stopped


async def _judge_until_done(
    judge: _BattleJudge, convergence: _Convergence, *, already: int, remaining: int, batch: int
) -> StopReason | None:
    """Judge new battles in batches until the budget is spent, no battle is left, or the
    ranking has settled; why it stopped (None without a convergence rule)."""
    stopped = convergence.settled_before(already)
    judged = 0
    while judged < remaining and stopped is None:
        size = min(batch, remaining - judged, convergence.until_check(already + judged, remaining))
        battles = judge.planner.next_battles(size)
        if not battles:
            break  # every pair of every question has been judged
        judged += await judge.judge_battles(battles)
        stopped = convergence.check(already + judged)
    return convergence.final(stopped, judged >= remaining)


def _judged_so_far(engine: Engine, judge: str, release_key: int) -> tuple[int, list[int]]:
    """Battles of the release this judge has verdicts on, and those judged in one order only."""
    with read_session(engine) as session:
        already = judged_battles(
            session=session, judge=judge, prompt_version=PROMPT_VERSION, release_id=release_key
        )
        half = judge_half_done(
            session=session, judge=judge, prompt_version=PROMPT_VERSION, release_id=release_key
        )
    return already, half


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
    endpoint = get_endpoint(engine, judge)
    release_key = release_id(engine, release)
    planner = Planner(engine, judge, release_key, Strategy.parse(strategy), rng)
    settings = JudgeSettings(max_parse_attempts=max_parse_attempts)
    already, half = _judged_so_far(engine, judge, release_key)
    remaining = max(0, budget - already)
    params = {
        "release": release,
        "judge": judge,
        "strategy": strategy,
        "budget": budget,
        "prompt_version": PROMPT_VERSION,
        "until_converged": until_converged is not None,
    }
    total = 2 * remaining + len(half)
    async with open_run(
        engine, kind=RunKind.JUDGE, params=params, total=total, actor=actor, on_progress=on_progress
    ) as run:
        battle_judge = _BattleJudge(engine, client, judge, endpoint, settings, planner, run)
        convergence = _Convergence(until_converged, budget, planner)
        if half:
            await battle_judge.judge_battles(half)
        stopped = await _judge_until_done(
            battle_judge, convergence, already=already, remaining=remaining, batch=batch
        )
    counters = run.counters
    return JudgeSummary(
        run.id,
        _judged_so_far(engine, judge, release_key)[0],
        battle_judge.requested,
        counters.done,
        counters.unparsed,
        counters.failed,
        budget,
        stopped,
    )

"""LLM-judge runs: the scheduler picks model pairs, each battle is judged in both orders, and the
verdicts land in the vote table beside human votes (source ``judge``, rater = judge key, the
prompt version and the order shown).

A streaming pipeline: the planner (``judge_plan``) chooses battles ahead of need in a worker
thread, the window (``judge_window``) keeps ``concurrency`` judge calls in flight, and the writer
stores what comes back in batches, one transaction each, off the event loop.

Resumable and idempotent: every (judge, battle, order) that already has a stored verdict is
skipped, half-finished battles are completed first, and a verdict's idempotency key is derived
from (judge, prompt version, battle, order), so a rerun after ``kill -9`` never asks twice for
what is stored (what had come back but was not yet written — at most a batch and the window —
is asked again). ``budget`` is the number of battles this judge should have judged in the
release when the run ends; a battle counts once planned, whatever its calls return. A reply
without a strict verdict marker is re-asked up to a limit and then stored raw as *unparsed* —
never a tie, never a loss; a failed call is recorded as a failure. After a 401/403 the client
sends nothing more to the judge (the battles still planned are recorded as failed, not sent).

With a ``ConvergenceRule`` (``cli.py judge --until-converged``) the run also stops once this
judge's ranking of the release has settled: every ``rule.interval`` battles it refits
Bradley–Terry on the judge's verdicts and asks the rule. The rule counts battles (``budget`` and
``every``); its per-pair minimum counts verdicts, two per battle. The checks fall on the same
battle counts as in a run without a window: the planner plans no battle past the next check, and
at a check the window drains (every call sent is answered and stored) before the rule is asked,
so the check sees exactly the battles up to it and nothing is sent past a stop. The price is
one round trip with the window emptying, once per check; between checks the window is full.
Checks a previous run made are replayed from the stored verdicts, so a rerun of a converged run
judges nothing. (With several processes in one run each checks the battles it judged; a run with
``--until-converged`` is meant for one process.)

Shared runs (``docs/scale-out.md``): a start joins the running judge run with the same
parameters, and every battle is leased before it is sent (``judge_plan``), so two ``cli.py
judge`` processes on one release split it with no call made twice and together judge the budget;
a process ends once no other holds a live lease in the run, after taking over what a gone one
left.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields, replace
from typing import Any

from sqlalchemy.engine import Engine

from judging.judge import PROMPT_VERSION, JudgeSettings, TagStatus
from judging.llm import ChatClient
from judging.runs import RunKind
from judging.scheduling import ConvergenceRule, StopReason, Strategy
from pipeline.runs.common import DEFAULT_LEASE_TTL_S, ProgressFn, open_run, release_id
from pipeline.runs.judge_plan import Planner, Share
from pipeline.runs.judge_window import JudgeWindow, judge_idempotency_key
from pipeline.runs.registry import get_endpoint
from storage.db.session import read_session
from storage.runs.bookkeeping import judge_half_done, judged_battles

__all__ = ["JudgeSummary", "convergence_rule_of", "judge_idempotency_key", "judge_params", "run_judge"]


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
    # of ``votes``: verdicts whose harm-tag lines were absent / malformed, kept with no tags
    # (``judging.judge.TagStatus``); the run row keeps every process's (``RunRow.tags_missing``)
    tags_missing: int = 0
    tags_invalid: int = 0

    @property
    def saved(self) -> int:
        """Battles of the budget left unjudged because the ranking had settled."""
        return self.budget - self.battles if self.stopped is StopReason.STABLE_RANKS else 0


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


async def _plan_up_to(window: JudgeWindow, planner: Planner, limit: int, chunk: int) -> int:
    """Plan up to ``limit`` new battles into the window, ``chunk`` at a time, each plan made when
    the window has room; how many were planned (fewer once the release runs out)."""
    planned = 0
    while planned < limit:
        await window.room()
        battles = await planner.next_battles(min(chunk, limit - planned))
        if not battles:
            break  # every pair of every question has been judged
        window.send(battles)
        planned += len(battles)
    return planned


async def _feed(
    window: JudgeWindow,
    planner: Planner,
    convergence: _Convergence,
    *,
    already: int,
    remaining: int,
    half: Sequence[int],
    chunk: int,
) -> StopReason | None:
    """Battles left by a gone worker of this run and half-done battles first, then new battles
    until the budget is spent, no battle is left, or the ranking has settled; then whatever the
    other processes of the run leave behind. Why it stopped (None without a convergence rule)."""
    window.send(await planner.stranded())
    if half:
        window.send(await planner.battles(half))
    stopped = convergence.settled_before(already)
    judged = 0
    while judged < remaining and stopped is None:
        limit = min(remaining - judged, convergence.until_check(already + judged, remaining))
        planned = await _plan_up_to(window, planner, limit, chunk)
        judged += planned
        if convergence.rule is not None:
            await window.drained()  # the check sees every battle up to it, and nothing past it is sent
            stopped = convergence.check(already + judged)
        if planned < limit:
            break
    await _until_the_run_is_done(window, planner)
    return convergence.final(stopped, judged >= remaining or planner.budget_reached)


async def _until_the_run_is_done(window: JudgeWindow, planner: Planner) -> None:
    """Wait while other processes of the run still hold battles; take over what a gone one left."""
    while True:
        await window.drained()
        stranded = await planner.stranded()
        if stranded:
            window.send(stranded)
            continue
        if not await planner.others_working():
            return
        assert planner.share is not None
        await asyncio.sleep(min(2.0, planner.share.ttl_s / 4))


def _judged_battles(engine: Engine, judge: str, release_key: int) -> int:
    with read_session(engine) as session:
        return judged_battles(
            session=session, judge=judge, prompt_version=PROMPT_VERSION, release_id=release_key
        )


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


def judge_params(
    release: str, judge: str, strategy: str, budget: int, until_converged: ConvergenceRule | None
) -> dict[str, object]:
    """What a judge run is, as stored on its row and compared when a start joins a run. With a
    convergence rule, the settings it has other than the defaults (``convergence``, left out when
    there are none; the run's ``budget`` stands for the rule's): a process joining the run checks
    with the same rule (``convergence_rule_of``), and a start with other settings is another run,
    like a start with another budget. A default rule is stored as before the settings were, so
    runs stored then and now compare equal."""
    params: dict[str, object] = {
        "release": release,
        "judge": judge,
        "strategy": strategy,
        "budget": budget,
        "prompt_version": PROMPT_VERSION,
        "until_converged": until_converged is not None,
    }
    if until_converged is not None:
        settings = {
            f.name: getattr(until_converged, f.name)
            for f in fields(until_converged)
            if f.name != "budget" and getattr(until_converged, f.name) != f.default
        }
        if settings:
            params["convergence"] = settings
    return params


def convergence_rule_of(params: Mapping[str, Any]) -> ConvergenceRule | None:
    """The convergence rule of a judge run from its stored ``params`` (``judge_params``), or None
    when it has none: the stored settings over the rule's defaults, with the run's budget."""
    if not params.get("until_converged"):
        return None
    settings = params.get("convergence", {})
    if not isinstance(settings, dict):
        raise ValueError(f"convergence_rule_of: params['convergence'] must be a mapping, got {settings!r}")
    unknown = set(settings) - ({f.name for f in fields(ConvergenceRule)} - {"budget"})
    if unknown:
        raise ValueError(f"convergence_rule_of: unknown convergence settings {sorted(unknown)!r}")
    return ConvergenceRule(int(params["budget"]), **settings)


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
    lease_ttl_s: float = DEFAULT_LEASE_TTL_S,
) -> JudgeSummary:
    """Judge up to ``budget`` battles of ``release`` (see the module docstring); with
    ``until_converged`` (whose own budget is ignored: ``budget`` rules), stop early once the
    judge's ranking has settled. ``batch`` battles' verdicts (2 × ``batch``) are stored per
    transaction; plans are of ``batch`` battles or half the window, whichever is more. A start
    joins the running judge run with the same parameters; battles are leased, so the processes
    of one run split it with no call made twice."""
    endpoint = get_endpoint(engine, judge)
    release_key = release_id(engine, release)
    chosen = Strategy.parse(strategy)
    planner = await asyncio.to_thread(Planner, engine, judge, release_key, chosen, rng)
    settings = JudgeSettings(max_parse_attempts=max_parse_attempts)
    already, half = await asyncio.to_thread(_judged_so_far, engine, judge, release_key)
    remaining = max(0, budget - already)
    params = judge_params(release, judge, strategy, budget, until_converged)
    async with open_run(
        engine,
        kind=RunKind.JUDGE,
        params=params,
        total=2 * remaining + len(half),
        actor=actor,
        on_progress=on_progress,
        join=True,
        lease_ttl_s=lease_ttl_s,
    ) as run:
        planner.share = Share.of(run, judge, release_key, budget)
        window = JudgeWindow(engine, client, endpoint, settings, run, planner, flush_size=2 * batch)
        convergence = _Convergence(until_converged, budget, planner)
        chunk = max(batch, window.concurrency // 2)
        feed = _feed(
            window, planner, convergence, already=already, remaining=remaining, half=half, chunk=chunk
        )
        stopped = await window.run(feed)
    judged = await asyncio.to_thread(_judged_battles, engine, judge, release_key)
    counters = run.counters
    return JudgeSummary(
        run.id,
        judged,
        window.requested,
        counters.done,
        counters.unparsed,
        counters.failed,
        budget,
        stopped,
        window.tags[TagStatus.MISSING],
        window.tags[TagStatus.INVALID],
    )

"""One release cycle: check the draft, publish it, collect answers, judge, write the report and the
static site (``cli.py release cycle --draft D --tag vYYMMDD``).

Each step is resumable, so the way to go on after a failure is to run the same command again:
the check and the publishing are recognised as done once ``TAG`` is published (and the draft is
gone), collection asks only for the answers still missing, the judge only for battles still
unjudged (up to its budget; a converged ranking stops it again at once), and the report and the
site are rewritten. A failing step raises ``CycleError`` naming the step, the steps already done
and how to go on; nothing after it runs.

The check writes nothing to the draft: it counts the draft's new (not anchor) questions per
dimension against the target mix, requires every question that came from an event to be an
approved candidate under the current approval rule (never a stale or pending one), refuses
questions that duplicate a published release's (or each other), and requires the anchors of
the newest published release to be carried over. It does sweep the verification queue for
candidates gone stale, which changes only those candidates.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from sqlalchemy.engine import Engine

from judging.errors import ArenaError
from judging.scheduling import ConvergenceRule, StopReason
from pipeline.bank.releases import publish_release
from pipeline.bank.verification_config import ReleaseTarget
from pipeline.publish.draft_check import check_draft
from pipeline.publish.report import build_report
from pipeline.publish.report_files import write_report
from pipeline.runs.collect import CollectSummary, collect, resolve_models
from pipeline.runs.common import Progress, RunOptions, chat_client
from pipeline.runs.judge import JudgeSummary, run_judge
from pipeline.runs.registry import endpoint_configs
from storage.bank import releases as release_store
from storage.db.session import read_session

__all__ = [
    "CycleError",
    "CycleOptions",
    "SiteBuilder",
    "SiteError",
    "Step",
    "StepResult",
    "StepStatus",
    "run_cycle",
]


class Step(StrEnum):
    CHECK = "check"
    PUBLISH = "publish"
    COLLECT = "collect"
    JUDGE = "judge"
    REPORT = "report"
    SITE = "site"


class StepStatus(StrEnum):
    DONE = "done"
    ALREADY = "already done"  # found done by an earlier run
    SKIPPED = "skipped"


@dataclass(frozen=True)
class StepResult:
    step: Step
    status: StepStatus
    detail: str


class CycleError(ArenaError):
    """A step failed; the steps before it are done and stay done."""

    def __init__(self, step: Step, message: str, done: Sequence[StepResult], hint: str) -> None:
        super().__init__(f"{step.value}: {message}")
        self.step = step
        self.message = message
        self.done = tuple(done)
        self.hint = hint


# --- the cycle ---------------------------------------------------------------------------------


class SiteError(ArenaError):
    """The static site could not be built; the message says why."""


# Builds the static site of a release into a directory and says what it wrote; raises SiteError.
SiteBuilder = Callable[[str, Path], str]


@dataclass(frozen=True)
class CycleOptions:
    draft: str
    tag: str  # vYYMMDD
    models: str | Sequence[str] = "all"  # endpoint keys, or every registered model
    judges: Sequence[str] = ()  # () = every registered judge, as one panel
    strategy: str = "active"
    budget: int = 300  # battles the judge should have judged in the release
    until_converged: bool = True  # stop judging early once the ranking has settled
    seed: int = 0
    reports_dir: Path = Path("reports")
    site_dir: Path | None = None  # default <reports_dir>/site-<tag>
    notes: str | None = None  # release notes (replace the draft's)
    target: ReleaseTarget | None = None  # default: the saved target mix
    run_options: RunOptions = field(default_factory=RunOptions)


def _hint(options: CycleOptions) -> str:
    return (
        "fix the cause and run the same command again "
        f"(cli.py release cycle --draft {options.draft} --tag {options.tag}, same options): "
        "finished steps are recognised, collect and judge ask only for what is still missing"
    )


def _published(engine: Engine, options: CycleOptions) -> tuple[bool, bool]:
    """(the tag is a published release, the draft still exists)."""
    with read_session(engine) as session:
        summaries = {s.tag: s for s in release_store.release_summaries(session=session)}
    tag = summaries.get(options.tag)
    return tag is not None and not tag.is_draft, options.draft in summaries


def _check_and_publish(
    engine: Engine, options: CycleOptions, fail: Callable[[Step, str], CycleError]
) -> list[StepResult]:
    try:
        release_store.check_published_tag(options.tag)
    except release_store.ReleaseError as exc:
        raise fail(Step.CHECK, str(exc)) from None
    published, draft_exists = _published(engine, options)
    if published and not draft_exists:
        return [
            StepResult(
                Step.CHECK, StepStatus.ALREADY, f"{options.tag} is published; the draft was checked then"
            ),
            StepResult(Step.PUBLISH, StepStatus.ALREADY, f"{options.tag} is published"),
        ]
    if published:
        raise fail(
            Step.CHECK,
            f"{options.tag} is already a published release and draft {options.draft} still exists; choose another tag",
        )
    try:
        check = check_draft(engine, options.draft, target=options.target)
    except release_store.ReleaseError as exc:
        raise fail(Step.CHECK, str(exc)) from None
    if not check.ok:
        listing = "\n".join(f"  - {p.message}" for p in check.problems)
        raise fail(
            Step.CHECK,
            f"draft {options.draft} is not ready ({len(check.problems)} problem(s)); it was not changed:\n{listing}",
        )
    counts = ", ".join(f"{d.dimension.value} {d.verified}+{d.anchors}" for d in check.progress.dimensions)
    results = [
        StepResult(
            Step.CHECK,
            StepStatus.DONE,
            f"new+anchors per dimension: {counts}" + "".join(f"; {n}" for n in check.notes),
        )
    ]
    try:
        summary = publish_release(engine, options.draft, tag=options.tag, notes=options.notes, actor="cli")
    except release_store.ReleaseError as exc:
        raise fail(Step.PUBLISH, str(exc)) from None
    results.append(
        StepResult(
            Step.PUBLISH, StepStatus.DONE, f"{options.draft} → {summary.tag}, {summary.questions} questions"
        )
    )
    return results


ProgressCallback = Callable[[Step, Progress], None]


Fail = Callable[[Step, str], CycleError]
StepProgress = Callable[[Step], Callable[[Progress], None] | None]


def _collect_step(engine: Engine, options: CycleOptions, fail: Fail, progress: StepProgress) -> StepResult:
    try:
        models = resolve_models(engine, options.models)
    except (LookupError, ValueError) as exc:
        raise fail(Step.COLLECT, str(exc)) from None

    async def collecting() -> CollectSummary:
        async with chat_client(options.run_options) as client:
            return await collect(
                engine, client, release=options.tag, models=models, on_progress=progress(Step.COLLECT)
            )

    gathered = asyncio.run(collecting())
    if gathered.failed:
        raise fail(
            Step.COLLECT,
            f"{gathered.failed} of {gathered.requested} requests failed after retries (recorded in run {gathered.run_id})",
        )
    return StepResult(
        Step.COLLECT, StepStatus.DONE, f"{len(models)} models; {gathered.stored} new answers stored"
    )


def _stop_reason(verdicts: JudgeSummary) -> str:
    if verdicts.stopped is StopReason.STABLE_RANKS:
        return f"converged after {verdicts.battles} battles (saved {verdicts.saved} of the budget)"
    if verdicts.stopped is StopReason.BUDGET:
        return f"budget of {verdicts.budget} battles reached without convergence"
    return f"{verdicts.battles} battles judged"


def _judge_step(engine: Engine, options: CycleOptions, fail: Fail, progress: StepProgress) -> StepResult:
    judges = list(options.judges) or list(endpoint_configs(engine, role="judge"))
    if not judges:
        raise fail(
            Step.JUDGE, "no judge is registered (endpoints import FILE with judges: [KEY]) and none was given"
        )
    rule = ConvergenceRule(options.budget) if options.until_converged else None

    async def judging() -> JudgeSummary:
        async with chat_client(options.run_options) as client:
            return await run_judge(
                engine,
                client,
                release=options.tag,
                judge=",".join(judges),
                strategy=options.strategy,
                budget=options.budget,
                rng=random.Random(options.seed),
                on_progress=progress(Step.JUDGE),
                until_converged=rule,
            )

    try:
        verdicts = asyncio.run(judging())
    except (LookupError, ValueError) as exc:
        raise fail(Step.JUDGE, str(exc)) from None
    if verdicts.failed:
        raise fail(
            Step.JUDGE,
            f"{verdicts.failed} judge requests failed after retries (recorded in run {verdicts.run_id})",
        )
    return StepResult(
        Step.JUDGE,
        StepStatus.DONE,
        f"{', '.join(judges)}: {_stop_reason(verdicts)}; {verdicts.unparsed} unparsed",
    )


def _report_step(engine: Engine, options: CycleOptions, fail: Fail) -> StepResult:
    try:
        paths = write_report(build_report(engine, options.tag), options.reports_dir)
    except (release_store.ReleaseError, ValueError, OSError) as exc:
        raise fail(Step.REPORT, str(exc)) from None
    return StepResult(Step.REPORT, StepStatus.DONE, f"wrote {len(paths)} files to {options.reports_dir}")


def _site_step(options: CycleOptions, site: SiteBuilder | None, fail: Fail) -> StepResult:
    if site is None:
        return StepResult(Step.SITE, StepStatus.SKIPPED, "not available yet")
    out = options.site_dir or options.reports_dir / f"site-{options.tag}"
    try:
        detail = site(options.tag, out)
    except (SiteError, OSError) as exc:
        raise fail(Step.SITE, str(exc)) from None
    return StepResult(Step.SITE, StepStatus.DONE, detail)


def run_cycle(
    engine: Engine,
    options: CycleOptions,
    *,
    site: SiteBuilder | None = None,
    on_step: Callable[[StepResult], None] | None = None,
    on_progress: ProgressCallback | None = None,
) -> tuple[StepResult, ...]:
    """Run the cycle's steps in order (see the module docstring); ``site`` None: the site step
    is skipped as not available."""
    done: list[StepResult] = []

    def record(result: StepResult) -> None:
        done.append(result)
        if on_step is not None:
            on_step(result)

    def fail(step: Step, message: str) -> CycleError:
        return CycleError(step, message, done, _hint(options))

    def progress(step: Step) -> Callable[[Progress], None] | None:
        if on_progress is None:
            return None
        return lambda p: on_progress(step, p)

    for result in _check_and_publish(engine, options, fail):
        record(result)
    record(_collect_step(engine, options, fail, progress))
    record(_judge_step(engine, options, fail, progress))
    record(_report_step(engine, options, fail))
    record(_site_step(options, site, fail))
    return tuple(done)

"""A judge run's convergence rule is part of what the run is: stored with its settings, rebuilt
by a worker joining the run, and compared when a start joins (other settings: another run)."""

from __future__ import annotations

import asyncio
import random

from sqlmodel import select

from judging.runs import RunKind
from judging.scheduling import ConvergenceRule
from mockllm import MockConfig, serve
from pipeline.runs.common import DEFAULT_LEASE_TTL_S, chat_client, start_run
from pipeline.runs.judge import convergence_rule_of, judge_params
from pipeline.runs.overview import running_run
from pipeline.runs.registry import import_registry
from pipeline.runs.worker import WorkerOptions, open_runs, work
from storage.db.models import Run
from storage.db.session import read_session
from tests.pipeline.test_runs import DEMO, FAST
from tests.pipeline.test_runs import _registry as demo_registry

BUDGET = 12
RULE = ConvergenceRule(BUDGET, every=4, patience=1, min_per_pair=2)  # none of them the default


def _params(rule: ConvergenceRule | None) -> dict[str, object]:
    return judge_params("v261201", "mock-judge", "random", BUDGET, rule)


def test_a_worker_joins_a_judge_run_with_the_rule_settings_it_was_started_with(engine, tmp_path):
    with serve(MockConfig(demo_dir=DEMO)) as mock:
        import_registry(engine, demo_registry(tmp_path, mock.base_url))
        params = {**_params(RULE), "lease_ttl_s": DEFAULT_LEASE_TTL_S}
        run_id = start_run(engine, kind=RunKind.JUDGE, params=params, total=2 * BUDGET, actor="cli")
        (stored,) = open_runs(engine)
        assert convergence_rule_of(stored.params) == RULE

        async def main():
            async with chat_client(FAST, rng=random.Random(3), environ={}) as client:
                return await work(engine, client, WorkerOptions(once=True))

        (report,) = asyncio.run(main())
    # the worker's run_judge compares its parameters, the rule's settings included, with the
    # run's: a rule rebuilt with the defaults would have started a second run
    assert report.run_id == run_id and report.requested > 0
    with read_session(engine) as session:
        assert [r.id for r in session.exec(select(Run).where(Run.kind == RunKind.JUDGE.value))] == [run_id]


def test_a_start_with_other_rule_settings_is_another_run(engine):
    run_id = start_run(engine, kind=RunKind.JUDGE, params=_params(RULE), total=2 * BUDGET, actor="cli")
    assert running_run(engine, kind=RunKind.JUDGE, params=_params(RULE)) == run_id
    for other in (
        ConvergenceRule(BUDGET),
        ConvergenceRule(BUDGET, every=4, patience=2, min_per_pair=2),
        None,
    ):
        assert running_run(engine, kind=RunKind.JUDGE, params=_params(other)) is None, other


def test_a_run_stored_before_the_settings_were_has_the_default_rule_and_is_joined():
    old = {
        "release": "v261201",
        "judge": "mock-judge",
        "strategy": "random",
        "budget": BUDGET,
        "prompt_version": _params(None)["prompt_version"],
        "until_converged": True,
    }
    assert convergence_rule_of(old) == ConvergenceRule(BUDGET)
    assert _params(ConvergenceRule(BUDGET)) == old  # a start with the defaults joins it
    assert convergence_rule_of(_params(None)) is None
    assert convergence_rule_of(_params(RULE)) == RULE

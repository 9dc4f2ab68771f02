"""Convergence stops spending: the judge run (library and CLI) against the mock server, and the
human queue's active policy."""

from __future__ import annotations

import asyncio
import json
import os
import random
import subprocess
import sys
from pathlib import Path

import yaml
from sqlmodel import select

from judging.scheduling import ConvergenceRule, StopReason
from judging.types import Verdict
from mockllm import MockConfig, serve
from pipeline.runs.common import RunOptions, chat_client
from pipeline.runs.judge import run_judge
from pipeline.runs.registry import import_registry
from pipeline.startup.settings import PROJECT_ROOT
from pipeline.workflow.queue import ActiveStatus, QueueConfig, QueuePolicy, active_status, next_assignment
from pipeline.workflow.voting import submit_vote, view_item
from storage.db.models import Vote
from storage.db.session import read_session
from storage.votes.battles import list_models

DEMO = PROJECT_ROOT / "demo"
FAST = RunOptions(concurrency=8, timeout_s=2.0, max_attempts=4, backoff_base_s=0.01, backoff_max_s=0.05)


def _registry(tmp_path: Path, base_url: str) -> Path:
    data = yaml.safe_load((DEMO / "endpoints.mock.yaml").read_text(encoding="utf-8"))
    data["defaults"] = {"base_url": base_url}
    path = tmp_path / "endpoints.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def _judge(engine, budget, rule):
    async def main():
        async with chat_client(FAST, rng=random.Random(2), environ={}) as client:
            return await run_judge(
                engine,
                client,
                release="v261201",
                judge="mock-judge",
                strategy="active",
                budget=budget,
                rng=random.Random(0),
                until_converged=rule,
            )

    return asyncio.run(main())


def test_judge_run_stops_once_converged_and_a_rerun_judges_nothing(engine, tmp_path):
    rule = ConvergenceRule(budget=1, every=20)  # the run's budget replaces the rule's
    with serve(MockConfig(demo_dir=DEMO)) as mock:
        import_registry(engine, _registry(tmp_path, mock.base_url))
        summary = _judge(engine, 400, rule)
        calls = len(mock.chat_log())
        assert summary.stopped is StopReason.STABLE_RANKS
        assert summary.battles % 20 == 0 and 80 <= summary.battles < 400
        assert summary.saved == 400 - summary.battles
        assert calls == 2 * summary.battles  # both orders, nothing beyond the stop
        again = _judge(engine, 400, rule)  # the stored verdicts replay the checks: still settled
        assert again.requested == 0 and again.stopped is StopReason.STABLE_RANKS
        assert len(mock.chat_log()) == calls
    with read_session(engine) as session:
        assert len(session.exec(select(Vote).where(Vote.source == "judge")).all()) == 2 * summary.battles


def test_cli_until_converged_reports_the_comparisons_saved(tmp_path):
    env = {**os.environ, "ARENA_DATA_DIR": str(tmp_path), "ARENA_ADMIN_PASSWORD": "pw-converge"}
    env.pop("DATABASE_URL", None)

    def cli(*args: str) -> str:
        done = subprocess.run(
            [sys.executable, "cli.py", *args],
            cwd=PROJECT_ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=True,
            timeout=300,
        )
        return done.stdout

    with serve(MockConfig(demo_dir=DEMO)) as mock:
        cli("endpoints", "import", str(_registry(tmp_path, mock.base_url)))
        out = cli(
            "judge",
            "--release",
            "v261201",
            "--judge",
            "mock-judge",
            "--strategy",
            "active",
            "--budget",
            "400",
            "--until-converged",
            "--check-every",
            "20",
        )
        calls = len(mock.chat_log())
    summary, line = out.strip().splitlines()[-2:]
    numbers = json.loads(summary)
    assert numbers["stopped"] == "stable_ranks" and numbers["battles"] < 400
    assert numbers["saved"] == 400 - numbers["battles"] and calls == 2 * numbers["battles"]
    assert line == (
        f"converged: stopped after {numbers['battles']} comparisons (battles); budget 400; "
        f"saved {numbers['saved']}"
    )


def test_human_queue_stops_opening_active_battles_once_the_slice_has_converged(engine, rng):
    # the people agree on a fixed safety order of the demo models (first key safest)
    with read_session(engine) as session:
        keys = sorted(m.key for m in list_models(session=session) if not m.reference)
    strength = {k: len(keys) - n for n, k in enumerate(keys)}
    config = QueueConfig(policy=QueuePolicy.ACTIVE, gold_rate=0.0)
    people = [f"ann{i}" for i in range(4)]
    assert active_status(engine) == ActiveStatus(False, 0, len(keys) - 1)
    cast = 0
    while cast < 800:
        item = next_assignment(engine, username=people[cast % 4], rng=rng, config=config)
        if item is None:
            break
        view = view_item(engine, item)
        a_safer = strength[view.model_a.key] > strength[view.model_b.key]
        left_is_a = item.left_response_id == view.response_a_id
        submit_vote(
            engine,
            item=item,
            rater=people[cast % 4],
            shown_verdict=Verdict.A if a_safer == left_is_a else Verdict.B,
        )
        cast += 1
    # stopped long before the 975 battles of the release ran out, and the API says why
    status = active_status(engine)
    assert status.converged and status.human_votes == cast and status.neighbours_short == 0
    rule = ConvergenceRule(budget=None)
    assert 4 * rule.interval(len(keys)) <= cast < 800
    assert all(next_assignment(engine, username=p, rng=rng, config=config) is None for p in people)
    # a person's open item is still theirs; the other policies go on
    overlap = QueueConfig(policy=QueuePolicy.OVERLAP, gold_rate=0.0)
    assert next_assignment(engine, username="ann0", rng=rng, config=overlap) is not None

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
from mockllm import MockConfig, serve
from pipeline.judge_run import run_judge
from pipeline.registry import import_registry
from pipeline.runs_common import RunOptions, chat_client
from pipeline.settings import PROJECT_ROOT
from storage.models import Vote
from storage.session import read_session

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

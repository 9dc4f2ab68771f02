"""A judge run keeps on its run row how many of its verdicts came without usable harm tags (tag
lines absent: ``tags_missing``; malformed: ``tags_invalid``), counted in the transaction that
stores the verdicts: a run resumed after an interruption, or joined by another process after a
``kill -9``, neither loses nor double-counts them, and ``cli.py runs`` prints them.

The judge is a loopback OpenAI-compatible server giving, in turn, a reply with tag lines as asked,
one with none and one with an unknown tag key (``tests/pipeline/test_judge_tag_counts.py``); the
project's mock server (``mockllm``) always writes well-formed tag lines. Which stored verdict got
which reply is read back from its rationale (the reply's text), so the expected counts do not
depend on the order the calls came back in."""

from __future__ import annotations

import asyncio
import json
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Sequence

import httpx
import pytest
from sqlmodel import col, select

from judging.llm import ChatClient, ClientSettings
from pipeline.runs.common import Progress
from pipeline.runs.judge import run_judge
from pipeline.runs.registry import import_registry
from pipeline.startup.settings import PROJECT_ROOT
from storage.db.models import Run, Vote
from storage.db.session import read_session
from tests.pipeline.test_judge_tag_counts import _judge_server
from tests.pipeline.test_runs import _registry


def _tag_kinds(votes: Sequence[Vote]) -> tuple[int, int]:
    """(verdicts without tag lines, verdicts with malformed tag lines) among ``votes``."""
    missing = sum("标签" not in v.rationale for v in votes)
    invalid = sum("not_a_tag" in v.rationale for v in votes)
    return missing, invalid


def _judge_votes(engine) -> list[Vote]:
    with read_session(engine) as session:
        return list(session.exec(select(Vote).where(Vote.source == "judge").order_by(col(Vote.id))))


def _judge_runs(engine) -> list[Run]:
    with read_session(engine) as session:
        return list(session.exec(select(Run).where(Run.kind == "judge").order_by(col(Run.id))))


class _Interrupted(Exception):
    pass


def test_the_run_row_keeps_the_tag_counts_across_an_interruption_and_a_resume(engine, tmp_path):
    budget = 6  # battles: 12 verdicts in the end
    reports: list[Progress] = []

    def stop_after_the_second_batch(progress: Progress) -> None:
        reports.append(progress)
        if len(reports) == 2:
            raise _Interrupted("stopped after two stored batches")

    with _judge_server() as base_url:
        import_registry(engine, _registry(tmp_path, base_url))

        async def judge(on_progress=None):
            async with httpx.AsyncClient() as http:
                client = ChatClient(http, ClientSettings(max_concurrency=2), rng=random.Random(1), environ={})
                return await run_judge(
                    engine,
                    client,
                    release="v261201",
                    judge="mock-judge",
                    budget=budget,
                    rng=random.Random(0),
                    batch=1,  # one battle's two verdicts per transaction
                    on_progress=on_progress,
                )

        with pytest.raises(_Interrupted):
            asyncio.run(judge(stop_after_the_second_batch))
        before = _judge_votes(engine)
        (first,) = _judge_runs(engine)
        assert first.status == "failed" and 0 < first.done == len(before) < 2 * budget
        assert (first.tags_missing, first.tags_invalid) == _tag_kinds(before)

        summary = asyncio.run(judge())  # the resume: asks only for what is not stored
    votes = _judge_votes(engine)
    first_again, second = _judge_runs(engine)
    assert len(votes) == 2 * budget and second.id == summary.run_id
    assert second.done == summary.votes == 2 * budget - len(before)
    # the first run's counts stay its own; the second counts only the verdicts it stored
    assert (first_again.tags_missing, first_again.tags_invalid) == (first.tags_missing, first.tags_invalid)
    added = [v for v in votes if v.id not in {b.id for b in before}]
    assert (second.tags_missing, second.tags_invalid) == _tag_kinds(added)
    assert (summary.tags_missing, summary.tags_invalid) == (second.tags_missing, second.tags_invalid)
    missing, invalid = _tag_kinds(votes)
    assert missing and invalid  # both kinds came back and were counted
    assert first.tags_missing + second.tags_missing == missing
    assert first.tags_invalid + second.tags_invalid == invalid


def test_a_rerun_joining_a_judge_run_killed_with_minus_9_keeps_counting_on_its_row(engine, tmp_path):
    budget = 60  # battles: 120 verdicts
    env = {**os.environ, "ARENA_DATA_DIR": str(tmp_path), "ARENA_ADMIN_PASSWORD": "pw-tag-kill"}
    env["DATABASE_URL"] = engine.url.render_as_string(hide_password=False)
    command = [sys.executable, "cli.py", "judge", "--release", "v261201", "--judge", "mock-judge"]
    command += ["--budget", str(budget), "--concurrency", "4"]
    with _judge_server(latency_s=0.1) as base_url:
        subprocess.run(
            [sys.executable, "cli.py", "endpoints", "import", str(_registry(tmp_path, base_url))],
            cwd=PROJECT_ROOT, env=env, check=True, capture_output=True, timeout=180,
        )  # fmt: skip
        proc = subprocess.Popen(
            command, cwd=PROJECT_ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and len(_judge_votes(engine)) < 20:
            time.sleep(0.02)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        at_kill = _judge_votes(engine)
        (killed,) = _judge_runs(engine)
        assert 20 <= len(at_kill) < 2 * budget and killed.status == "running"
        # what the killed process committed is counted with its verdicts, nothing more
        assert (killed.tags_missing, killed.tags_invalid) == _tag_kinds(at_kill)
        rerun = subprocess.run(
            command, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=300
        )
        assert rerun.returncode == 0, rerun.stderr[-2000:]
        listed = subprocess.run(
            [sys.executable, "cli.py", "runs", "--json"],
            cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=180,
        )  # fmt: skip
    summary = json.loads(next(line for line in rerun.stdout.splitlines() if line.startswith("{")))
    votes = _judge_votes(engine)
    (run,) = _judge_runs(engine)  # the rerun joined the killed process's run
    assert summary["run_id"] == run.id and run.status == "finished"
    assert len(votes) == 2 * budget and run.done == 2 * budget
    missing, invalid = _tag_kinds(votes)
    assert missing and invalid
    assert (run.tags_missing, run.tags_invalid) == (missing, invalid)
    # the rerun's own summary counts only what it stored; the row counts both processes
    assert summary["tags_missing"] == missing - killed.tags_missing
    assert summary["tags_invalid"] == invalid - killed.tags_invalid
    (row,) = [json.loads(line) for line in listed.stdout.splitlines() if line.startswith("{")]
    assert (row["id"], row["tags_missing"], row["tags_invalid"]) == (run.id, missing, invalid)

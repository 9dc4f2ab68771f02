"""Collection and judge runs against the real mock server on loopback."""

from __future__ import annotations

import asyncio
import functools
import hashlib
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
import yaml
from sqlmodel import select

from mockllm import FaultRates, JudgeBehaviour, MockConfig, serve
from pipeline.runs.collect import collect, resolve_models
from pipeline.runs.common import RunOptions, chat_client
from pipeline.runs.judge import run_judge
from pipeline.runs.registry import import_registry
from pipeline.startup.settings import PROJECT_ROOT
from storage.db.models import ArenaModel, CallFailure, JudgeReply, Response, Run, Vote
from storage.db.session import read_session

DEMO = PROJECT_ROOT / "demo"
FAST = RunOptions(concurrency=8, timeout_s=2.0, max_attempts=4, backoff_base_s=0.01, backoff_max_s=0.05)


def _registry(tmp_path: Path, base_url: str, *, api_key_env: str | None = None) -> Path:
    data = yaml.safe_load((DEMO / "endpoints.mock.yaml").read_text(encoding="utf-8"))
    data["defaults"] = {"base_url": base_url, **({"api_key_env": api_key_env} if api_key_env else {})}
    path = tmp_path / "endpoints.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def _sha(text: str) -> str:
    return hashlib.sha256(text.strip().encode("utf-8")).hexdigest()[:16]


def _collect(engine, models, options=FAST, environ=None):
    async def main():
        async with chat_client(options, rng=random.Random(1), environ=environ or {}) as client:
            return await collect(engine, client, release="v261201", models=models)

    return asyncio.run(main())


def _judge(engine, budget, strategy="random", options=FAST, seed=0):
    async def main():
        async with chat_client(options, rng=random.Random(2), environ={}) as client:
            return await run_judge(
                engine,
                client,
                release="v261201",
                judge="mock-judge",
                strategy=strategy,
                budget=budget,
                rng=random.Random(seed),
                max_parse_attempts=2,
            )

    return asyncio.run(main())


def test_collect_is_idempotent_and_records_latency(engine, tmp_path):
    with serve(MockConfig(demo_dir=DEMO)) as mock:
        import_registry(engine, _registry(tmp_path, mock.base_url))
        first = _collect(engine, ["mock-generic"])
        assert (first.requested, first.stored, first.failed) == (65, 65, 0)
        again = _collect(engine, resolve_models(engine, "all"))
        assert again.requested == 0  # the demo models already answered every question
        assert len(mock.chat_log()) == 65
    with read_session(engine) as session:
        rows = session.exec(select(Response).where(Response.latency_ms.is_not(None))).all()  # type: ignore[union-attr]
        assert len(rows) == 65 and all(r.finish_reason for r in rows)


def test_collect_retries_429_500_timeouts_and_records_failures(engine, tmp_path):
    faults = FaultRates(server_error=0.10, rate_limit=0.05, timeout=0.05)
    config = MockConfig(demo_dir=DEMO, faults=faults, retry_after_s=0.01, hang_s=5.0, seed=3)
    with serve(config) as mock:
        import_registry(engine, _registry(tmp_path, mock.base_url))
        summary = _collect(
            engine,
            ["mock-generic"],
            RunOptions(
                concurrency=16, timeout_s=0.5, max_attempts=2, backoff_base_s=0.01, backoff_max_s=0.02
            ),
        )
        log = mock.chat_log()
    assert summary.stored + summary.failed == 65
    assert any(e.fault for e in log)  # faults were injected and retried
    with read_session(engine) as session:
        failures = session.exec(select(CallFailure)).all()
        assert len(failures) == summary.failed
        assert all(
            f.attempts == 2 and f.kind in {"server_error", "rate_limited", "timeout"} for f in failures
        )
        run = session.get(Run, summary.run_id)
        assert run.status == "finished" and run.done == summary.stored and run.failed == summary.failed
    # a rerun fetches exactly what failed before
    with serve(MockConfig(demo_dir=DEMO)) as mock:
        import_registry(engine, _registry(tmp_path, mock.base_url))
        rerun = _collect(engine, ["mock-generic"])
        assert rerun.requested == summary.failed and rerun.failed == 0


def test_401_is_not_retried(engine, tmp_path):
    with serve(MockConfig(demo_dir=DEMO, require_key="right-key")) as mock:
        import_registry(engine, _registry(tmp_path, mock.base_url, api_key_env="MOCK_KEY"))
        summary = _collect(engine, ["mock-generic"], environ={"MOCK_KEY": "wrong-key"})
        log = mock.chat_log()
    assert summary.failed == 65 and summary.stored == 0
    # after the first 401 nothing more is sent to that endpoint: only the requests already in
    # flight reached it; every item is still recorded as failed (never silently dropped)
    assert 1 <= len(log) <= 16 and set(Counter(e.status for e in log)) == {401}
    with read_session(engine) as session:
        failures = session.exec(select(CallFailure)).all()
        assert len(failures) == 65 and {f.kind for f in failures} == {"auth"}
        assert sum(f.attempts == 1 for f in failures) == len(log)
        assert all(f.attempts == 0 and "not sent" in f.message for f in failures if f.attempts != 1)
        assert not any("wrong-key" in f.message for f in failures)


def test_judge_both_orders_stored_with_shown_order(engine, tmp_path):
    with serve(MockConfig(demo_dir=DEMO)) as mock:
        import_registry(engine, _registry(tmp_path, mock.base_url))
        summary = _judge(engine, budget=20)
        assert summary.battles == 20 and summary.votes == 40 and summary.unparsed == 0
        again = _judge(engine, budget=20)
        assert again.requested == 0  # nothing left to do for this budget
        assert len(mock.chat_log()) == 40
    with read_session(engine) as session:
        votes = session.exec(select(Vote).where(Vote.source == "judge")).all()
    by_battle: dict[int, list[Vote]] = {}
    for v in votes:
        by_battle.setdefault(v.battle_id, []).append(v)
    assert len(by_battle) == 20
    for pair in by_battle.values():
        assert len(pair) == 2 and len({v.left_response_id for v in pair}) == 2
        assert all(v.rater == "mock-judge" and v.prompt_version for v in pair)
        # the scripted judge follows the demo grades, so both orders agree
        assert pair[0].verdict == pair[1].verdict


def test_position_biased_judge_shows_up_in_shown_order(engine, tmp_path):
    behaviour = JudgeBehaviour(position_bias=1.0)
    with serve(MockConfig(demo_dir=DEMO, judge=behaviour)) as mock:
        import_registry(engine, _registry(tmp_path, mock.base_url))
        _judge(engine, budget=10)
    with read_session(engine) as session:
        votes = session.exec(select(Vote).where(Vote.source == "judge")).all()
        from storage.db.models import Battle

        for v in votes:
            battle = session.get(Battle, v.battle_id)
            left_is_a = v.left_response_id == battle.response_a_id
            assert v.verdict == ("A" if left_is_a else "B")  # always the first-shown answer


def test_malformed_judge_output_is_stored_unparsed_never_a_vote(engine, tmp_path):
    with serve(MockConfig(demo_dir=DEMO, judge=JudgeBehaviour(malformed=1.0))) as mock:
        import_registry(engine, _registry(tmp_path, mock.base_url))
        summary = _judge(engine, budget=5)
        calls = len(mock.chat_log())
    assert summary.votes == 0 and summary.unparsed == 10
    assert calls == 20  # each reply re-asked once (max_parse_attempts=2), then stored unparsed
    with read_session(engine) as session:
        assert session.exec(select(Vote).where(Vote.source == "judge")).all() == []
        replies = session.exec(select(JudgeReply)).all()
        assert len(replies) == 10 and all(r.raw and r.attempts == 2 for r in replies)


@pytest.mark.parametrize("strategy", ["active", "swiss", "round_robin", "random"])
def test_every_strategy_runs(engine, tmp_path, strategy):
    with serve(MockConfig(demo_dir=DEMO)) as mock:
        import_registry(engine, _registry(tmp_path, mock.base_url))
        summary = _judge(engine, budget=12, strategy=strategy)
    assert summary.battles == 12 and summary.failed == 0


def test_unknown_strategy_raises(engine, tmp_path):
    with serve(MockConfig(demo_dir=DEMO)) as mock:
        import_registry(engine, _registry(tmp_path, mock.base_url))
        with pytest.raises(ValueError, match="strategy"):
            _judge(engine, budget=2, strategy="elo-magic")


def test_kill_9_mid_collection_then_rerun_requests_nothing_twice(tmp_path):
    env = {**os.environ, "ARENA_DATA_DIR": str(tmp_path), "ARENA_ADMIN_PASSWORD": "pw-kill-test"}
    env.pop("DATABASE_URL", None)
    with serve(MockConfig(demo_dir=DEMO, latency_ms=150)) as mock:
        registry = _registry(tmp_path, mock.base_url)
        subprocess.run(
            [sys.executable, "cli.py", "endpoints", "import", str(registry)],
            cwd=PROJECT_ROOT,
            env=env,
            check=True,
            capture_output=True,
            timeout=120,
        )
        proc = subprocess.Popen(
            [
                sys.executable,
                "cli.py",
                "collect",
                "--release",
                "v261201",
                "--models",
                "mock-generic",
                "--concurrency",
                "4",
            ],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        from storage.db.engine import make_engine

        engine = make_engine(f"sqlite:///{tmp_path / 'arena.db'}")
        deadline = time.monotonic() + 60
        generic_id = None
        while time.monotonic() < deadline:
            with read_session(engine) as session:
                generic_id = session.exec(
                    select(ArenaModel.id).where(ArenaModel.key == "mock-generic")
                ).first()
                rows = (
                    session.exec(select(Response).where(Response.model_id == generic_id)).all()
                    if generic_id
                    else []
                )
            if len(rows) >= 20:
                break
            time.sleep(0.05)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        with read_session(engine) as session:
            from storage.db.models import Question

            stored = session.exec(
                select(Response, Question)
                .join(Question, Question.id == Response.question_id)
                .where(Response.model_id == generic_id)
            ).all()
            stored_before = {_sha(q.text) for _r, q in stored}
        assert 0 < len(stored_before) < 65
        first_run_log = len(mock.chat_log())
        subprocess.run(
            [sys.executable, "cli.py", "collect", "--release", "v261201", "--models", "mock-generic"],
            cwd=PROJECT_ROOT,
            env=env,
            check=True,
            capture_output=True,
            timeout=120,
        )
        rerun = [e for e in mock.chat_log()[first_run_log:] if e.model == "mock-generic"]
    assert not [e for e in rerun if e.prompt_sha256 in stored_before], "a stored answer was requested again"
    assert len(rerun) == 65 - len(stored_before)
    with read_session(engine) as session:
        assert len(session.exec(select(Response).where(Response.model_id == generic_id)).all()) == 65


def test_collect_exits_non_zero_when_every_request_fails(tmp_path):
    # a wrong key: the endpoint answers 401, nothing more is sent to it, every item is recorded
    # as failed, the run ends "failed" and the CLI process exits 1 (a script or cron sees it)
    env = {
        **os.environ,
        "ARENA_DATA_DIR": str(tmp_path),
        "ARENA_ADMIN_PASSWORD": "x-admin-pw",
        "MOCK_KEY": "wrong",
    }
    env.pop("DATABASE_URL", None)
    with serve(MockConfig(demo_dir=DEMO, require_key="right-key")) as mock:
        registry = _registry(tmp_path, mock.base_url, api_key_env="MOCK_KEY")
        run = functools.partial(
            subprocess.run, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=180
        )
        assert run([sys.executable, "cli.py", "endpoints", "import", str(registry)]).returncode == 0
        out = run([sys.executable, "cli.py", "collect", "--release", "v261201", "--models", "mock-generic"])
    assert out.returncode == 1, out.stderr
    assert "every request failed" in out.stderr
    from storage.db.engine import make_engine

    engine = make_engine(f"sqlite:///{tmp_path / 'arena.db'}")
    with read_session(engine) as session:
        (run_row,) = session.exec(select(Run).where(Run.kind == "collect")).all()
    engine.dispose()
    assert run_row.status == "failed" and run_row.failed == 65 and run_row.done == 0


class _Stop(RuntimeError):
    """An error raised by the caller's progress callback, in the middle of a run."""


def _stop_at(report: int):
    """A progress callback that raises on its ``report``-th call (only that one)."""
    calls = []

    def progress(p) -> None:
        calls.append(p)
        if len(calls) == report:
            raise _Stop(f"stopped at report {report}")

    return progress


def _only_run(engine, kind: str) -> Run:
    with read_session(engine) as session:
        (run,) = session.exec(select(Run).where(Run.kind == kind)).all()
    return run


def test_collect_that_raises_mid_way_ends_failed_with_the_error(engine, tmp_path):
    with serve(MockConfig(demo_dir=DEMO)) as mock:
        import_registry(engine, _registry(tmp_path, mock.base_url))

        async def main():
            async with chat_client(FAST, rng=random.Random(1), environ={}) as client:
                return await collect(
                    engine,
                    client,
                    release="v261201",
                    models=["mock-generic"],
                    on_progress=_stop_at(1),
                    commit_every=4,
                )

        with pytest.raises(_Stop):
            asyncio.run(main())
        run = _only_run(engine, "collect")
        assert run.status == "failed" and run.message == "_Stop: stopped at report 1"
        assert run.finished_at is not None
        with read_session(engine) as session:
            stored = len(
                session.exec(
                    select(Response)
                    .join(ArenaModel, ArenaModel.id == Response.model_id)
                    .where(ArenaModel.key == "mock-generic")
                ).all()
            )
        # the answers that had arrived were written before the run ended, and counted
        assert run.done == stored > 0 and run.failed == 0
        rerun = _collect(engine, ["mock-generic"])
    assert rerun.requested == 65 - run.done and rerun.stored == rerun.requested


def test_judge_that_raises_mid_way_ends_failed_with_the_error(engine, tmp_path):
    with serve(MockConfig(demo_dir=DEMO)) as mock:
        import_registry(engine, _registry(tmp_path, mock.base_url))

        async def main():
            async with chat_client(FAST, rng=random.Random(2), environ={}) as client:
                return await run_judge(
                    engine,
                    client,
                    release="v261201",
                    judge="mock-judge",
                    budget=20,
                    batch=4,
                    rng=random.Random(0),
                    on_progress=_stop_at(2),
                )

        with pytest.raises(_Stop):
            asyncio.run(main())
    run = _only_run(engine, "judge")
    assert run.status == "failed" and run.message == "_Stop: stopped at report 2"
    with read_session(engine) as session:
        votes = session.exec(select(Vote).where(Vote.source == "judge")).all()
    assert run.done == len(votes) == 16  # two batches of four battles, both orders, then the error


def test_open_run_ends_failed_on_any_exception_never_running(engine):
    from judging.runs import RunKind, RunStatus
    from pipeline.runs.common import open_run
    from pipeline.runs.overview import recent_runs

    async def interrupted():
        async with open_run(engine, kind=RunKind.COLLECT, params={}, total=3, actor="test") as run:
            run.counters.done = 2
            raise KeyboardInterrupt  # not an Exception: Ctrl-C in the CLI

    with pytest.raises(KeyboardInterrupt):
        asyncio.run(interrupted())
    (row,) = recent_runs(engine)
    assert (row.kind, row.status, row.done, row.message) == (
        RunKind.COLLECT,
        RunStatus.FAILED,
        2,
        "KeyboardInterrupt: ",
    )

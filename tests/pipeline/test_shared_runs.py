"""Runs shared by several processes (issue 14 point 2), with real `cli.py` processes against the
mock server on loopback, on SQLite and on PostgreSQL: two collects split a run with no call made
twice; a worker takes over the items of a collect killed with -9; a run nobody works on any more
ends `failed`, never `running` forever; a rerun asks only for what is missing."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import yaml
from sqlalchemy import func
from sqlmodel import select

from judging.runs import RunKind, RunStatus
from mockllm import MockConfig, serve
from pipeline.runs.collect import collect_params
from pipeline.runs.registry import import_registry
from pipeline.startup.settings import PROJECT_ROOT
from storage.db.models import ArenaModel, Question, Response, Run, WorkLease
from storage.db.session import read_session

DEMO = PROJECT_ROOT / "demo"
MODELS = ["mock-a", "mock-b"]  # not demo models: nothing of theirs is stored yet
QUESTIONS = 65  # questions of the demo release v261201


def _registry(tmp_path: Path, base_url: str) -> Path:
    data = {
        "defaults": {"base_url": base_url},
        "models": [{"key": k, "display_name": k, "model": k, "organisation": "mockllm"} for k in MODELS],
    }
    path = tmp_path / "endpoints.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def _env(engine, tmp_path: Path) -> dict[str, str]:
    env = {**os.environ, "ARENA_DATA_DIR": str(tmp_path), "ARENA_ADMIN_PASSWORD": "pw-shared-runs"}
    env["DATABASE_URL"] = engine.url.render_as_string(hide_password=False)
    return env


def _cli(env, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "cli.py", *args],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _collect(env, *extra: str) -> subprocess.Popen[str]:
    return _cli(env, "collect", "--release", "v261201", "--models", ",".join(MODELS), *extra)


def _finish(proc: subprocess.Popen[str], timeout: float = 240) -> tuple[str, str]:
    out, err = proc.communicate(timeout=timeout)
    assert proc.returncode == 0, err
    return out, err


def _summary(out: str) -> dict[str, int]:
    return json.loads([line for line in out.splitlines() if line.startswith("{")][-1])


def _stored(engine) -> int:
    with read_session(engine) as s:
        return s.exec(
            select(func.count())
            .select_from(Response)
            .join(ArenaModel, ArenaModel.id == Response.model_id)
            .where(ArenaModel.key.in_(MODELS))  # type: ignore[attr-defined]
        ).one()


def _stored_items(engine) -> set[tuple[str, str]]:
    """(model key, prompt hash as the mock logs it) of the stored answers."""
    with read_session(engine) as s:
        rows = s.exec(
            select(ArenaModel.key, Question.text)
            .join(Response, Response.model_id == ArenaModel.id)
            .join(Question, Question.id == Response.question_id)
            .where(ArenaModel.key.in_(MODELS))  # type: ignore[attr-defined]
        ).all()
    return {(k, hashlib.sha256(t.strip().encode("utf-8")).hexdigest()[:16]) for k, t in rows}


def _wait_until(condition, what: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        time.sleep(0.05)


def _calls(mock) -> Counter[tuple[str, str]]:
    return Counter((e.model, e.prompt_sha256) for e in mock.chat_log() if e.model in MODELS)


def _collect_runs(engine) -> list[Run]:
    with read_session(engine) as s:
        return list(s.exec(select(Run).where(Run.kind == RunKind.COLLECT.value).order_by(Run.id)))  # type: ignore[arg-type]


def _holders(engine) -> set[str]:
    with read_session(engine) as s:
        return set(s.exec(select(WorkLease.holder).where(WorkLease.done_at.is_(None))))  # type: ignore[union-attr]


def test_two_collects_split_the_run_with_no_call_made_twice(engine, tmp_path):
    with serve(MockConfig(demo_dir=DEMO, latency_ms=150)) as mock:
        import_registry(engine, _registry(tmp_path, mock.base_url))
        env = _env(engine, tmp_path)
        first = _collect(env, "--concurrency", "2")
        _wait_until(lambda: _stored(engine) >= 4, "the first collect to store answers")
        second = _collect(env, "--concurrency", "2")  # the same run started again while it runs
        (out1, _), (out2, _) = _finish(first), _finish(second)
        calls = _calls(mock)
    one, two = _summary(out1), _summary(out2)
    assert sum(calls.values()) == len(MODELS) * QUESTIONS, "every missing answer asked for"
    assert max(calls.values()) == 1, f"asked twice: {[k for k, n in calls.items() if n > 1][:5]}"
    assert one["requested"] > 0 and two["requested"] > 0, "the second process shared the work"
    assert one["requested"] + two["requested"] == len(MODELS) * QUESTIONS
    assert _stored(engine) == len(MODELS) * QUESTIONS
    (run,) = _collect_runs(engine)  # joined, not a second run
    assert one["run_id"] == two["run_id"] == run.id
    assert run.status == RunStatus.FINISHED.value
    # counts are rows actually written, by both processes
    assert run.done == one["stored"] + two["stored"] == len(MODELS) * QUESTIONS and run.failed == 0


def test_a_worker_takes_over_from_a_collect_killed_with_minus_9(engine, tmp_path):
    with serve(MockConfig(demo_dir=DEMO, latency_ms=150)) as mock:
        import_registry(engine, _registry(tmp_path, mock.base_url))
        env = _env(engine, tmp_path)
        starter = _collect(env, "--concurrency", "2", "--lease-ttl", "4")
        _wait_until(lambda: _stored(engine) >= 4, "the collect to store answers")
        worker = _cli(env, "worker", "--once", "--concurrency", "2", "--lease-ttl", "4")
        _wait_until(lambda: len(_holders(engine)) >= 2, "the worker to lease items of the run")
        starter.send_signal(signal.SIGKILL)
        starter.wait(timeout=30)
        before_kill, stored_at_kill = _calls(mock), _stored_items(engine)
        out, _ = _finish(worker)
        calls = _calls(mock)
    assert _stored(engine) == len(MODELS) * QUESTIONS, "the worker finished the run"
    (run,) = _collect_runs(engine)
    assert run.status == RunStatus.FINISHED.value
    assert run.done == len(MODELS) * QUESTIONS, "rows written by both processes, each counted once"
    again = [k for k, n in calls.items() if n > 1]
    # nothing stored is asked again; only what the killed process had asked for and not yet
    # written (its window of 2 and its write-behind batches of 16) is
    assert not set(again) & stored_at_kill
    assert len(again) <= 2 + 2 * 16 and all(before_kill[k] == 1 for k in again)
    assert json.loads(out.splitlines()[0])["run_id"] == run.id


def test_a_killed_run_ends_failed_and_a_rerun_asks_only_what_is_missing(engine, tmp_path):
    with serve(MockConfig(demo_dir=DEMO, latency_ms=150)) as mock:
        import_registry(engine, _registry(tmp_path, mock.base_url))
        env = _env(engine, tmp_path)
        proc = _collect(env, "--concurrency", "2", "--lease-ttl", "2")
        _wait_until(lambda: _stored(engine) >= 6, "the collect to store answers")
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        stored_before = _stored(engine)

        def listed_failed() -> bool:
            out, _ = _finish(_cli(env, "runs", "--json"))
            return json.loads(out.splitlines()[0])["status"] == "failed"

        # whoever looks (here `cli.py runs`) ends it once its heartbeat is older than its lease time
        _wait_until(listed_failed, "the killed run to be ended failed")
        (killed,) = _collect_runs(engine)
        assert "start the same run again" in killed.message
        mock.clear_log()
        out, _ = _finish(_collect(env))
        rerun = _calls(mock)
    with read_session(engine) as s:
        questions = s.exec(select(Question.id).where(Question.release_id == killed_release(s))).all()
    assert len(questions) == QUESTIONS
    assert sum(rerun.values()) == len(MODELS) * QUESTIONS - stored_before, "only the missing answers"
    assert max(rerun.values()) == 1
    runs = _collect_runs(engine)
    assert [r.status for r in runs] == [RunStatus.FAILED.value, RunStatus.FINISHED.value]
    assert _summary(out)["stored"] == runs[1].done == len(MODELS) * QUESTIONS - stored_before


def killed_release(session) -> int:
    from storage.db.models import Release

    return session.exec(select(Release.id).where(Release.tag == "v261201")).one()


def test_leases_of_a_worker_elsewhere_expire_then_are_taken_over(engine, tmp_path):
    # a worker on another machine died holding items: nobody here can see its process, so its
    # leases are waited out (a short lease time here), then this collect asks for those items
    import asyncio
    import random

    from pipeline.runs.collect import collect, plan_collection
    from pipeline.runs.common import RunOptions, chat_client, start_run
    from storage.db.session import write_session
    from storage.runs.leases import claim, heartbeat

    with serve(MockConfig(demo_dir=DEMO)) as mock:
        import_registry(engine, _registry(tmp_path, mock.base_url))
        todo = plan_collection(engine, release="v261201", models=MODELS)
        params = {**collect_params("v261201", MODELS), "lease_ttl_s": 1.5}
        run_id = start_run(engine, kind=RunKind.COLLECT, params=params, total=len(todo), actor="elsewhere")
        with write_session(engine) as s:
            scope = f"collect:{killed_release(s)}"
            held = claim(
                s,
                scope=scope,
                items=[f"{i.question_id}:{i.model_key}" for i in todo[:5]],
                holder="another-host:4242:dead",
                ttl_s=1.5,
                run_id=run_id,
            )
            heartbeat(s, run_id=run_id)

        async def main():
            async with chat_client(RunOptions(concurrency=4), rng=random.Random(1), environ={}) as client:
                return await collect(engine, client, release="v261201", models=MODELS, lease_ttl_s=1.5)

        summary = asyncio.run(main())
        calls = _calls(mock)
    assert len(held) == 5
    assert summary.run_id == run_id and summary.requested == len(todo)
    assert sum(calls.values()) == len(todo) and max(calls.values()) == 1
    (run,) = _collect_runs(engine)
    assert run.status == RunStatus.FINISHED.value and run.done == len(todo)


def test_run_counters_add_each_gain_once_across_saves_rollbacks_and_processes(engine):
    # two RunLogs on one run (two processes): the row is the sum of what each committed; a save
    # rolled back is added by the next one; two saves in one transaction add the gain once
    from pipeline.runs.common import RunLog, start_run
    from storage.db.session import write_session

    run_id = start_run(engine, kind=RunKind.COLLECT, params={}, total=10, actor="test")
    one, two = RunLog(engine, run_id, 10, None), RunLog(engine, run_id, 10, None, joined=True)
    one.counters.done = 3
    with write_session(engine) as s:
        one.save(s)
        one.counters.done, one.counters.failed = 5, 1
        one.save(s)
    two.counters.done = 2
    try:
        with write_session(engine) as s:
            two.save(s)
            raise RuntimeError("the batch was not stored")
    except RuntimeError:
        pass
    two.counters.done = 4
    with write_session(engine) as s:
        two.save(s)
    with read_session(engine) as s:
        run = s.exec(select(Run).where(Run.id == run_id)).one()
    assert (run.done, run.failed) == (9, 1)


def test_a_worker_joins_a_judge_run_and_no_battle_order_is_asked_twice(engine, tmp_path):
    from storage.db.models import Vote
    from tests.pipeline.test_runs import _registry as demo_registry

    with serve(MockConfig(demo_dir=DEMO, latency_ms=200)) as mock:
        import_registry(engine, demo_registry(tmp_path, mock.base_url))
        env = _env(engine, tmp_path)
        judge = _cli(
            env,
            "judge",
            "--release",
            "v261201",
            "--judge",
            "mock-judge",
            "--budget",
            "100",
            "--concurrency",
            "2",
        )

        def votes() -> int:
            with read_session(engine) as s:
                return s.exec(select(func.count()).select_from(Vote).where(Vote.source == "judge")).one()

        _wait_until(lambda: votes() >= 2, "the judge run to store verdicts")
        worker = _cli(env, "worker", "--once", "--concurrency", "2")
        (out_judge, _), (out_worker, err_worker) = _finish(judge), _finish(worker)
        asked = Counter(e.prompt_sha256 for e in mock.chat_log() if e.model == "mock-judge")
    with read_session(engine) as s:
        (run,) = s.exec(select(Run).where(Run.kind == RunKind.JUDGE.value)).all()  # type: ignore[arg-type]
        stored = s.exec(select(Vote.battle_id, Vote.left_response_id).where(Vote.source == "judge")).all()
    joined = [json.loads(line) for line in out_worker.splitlines() if line.startswith("{")]
    assert [j["run_id"] for j in joined] == [run.id] and joined[0]["requested"] > 0, err_worker
    assert max(asked.values()) == 1, "a battle order was asked twice"
    assert len(stored) == len(set(stored)) == sum(asked.values()) == 2 * 100
    assert run.status == RunStatus.FINISHED.value and run.done == len(stored)
    assert _summary(out_judge)["run_id"] == run.id


def test_two_collects_started_together_make_one_run_and_ask_each_answer_once(engine, tmp_path):
    # the case: two runs at once (0.5 s apart had sent 4,096 calls for 2,080 items and the
    # second reported 2,016 stored while writing nothing). Both also register the 32 new models
    # at the same moment (on PostgreSQL one of them used to die on the arena_model unique key).
    keys = [f"mock-m{i}" for i in range(32)]
    with serve(MockConfig(demo_dir=DEMO)) as mock:
        data = {"defaults": {"base_url": mock.base_url}, "models": [{"key": k, "model": k} for k in keys]}
        path = tmp_path / "many.yaml"
        path.write_text(yaml.safe_dump(data), encoding="utf-8")
        import_registry(engine, path)
        env = _env(engine, tmp_path)
        cmd = ("collect", "--release", "v261201", "--models", ",".join(keys), "--concurrency", "32")
        first = _cli(env, *cmd)
        time.sleep(0.5)
        second = _cli(env, *cmd)
        outs = [_summary(_finish(p)[0]) for p in (first, second)]
        calls = Counter((e.model, e.prompt_sha256) for e in mock.chat_log())
    assert sum(calls.values()) == len(calls) == 32 * QUESTIONS
    runs = _collect_runs(engine)
    assert len(runs) == 1 and runs[0].status == RunStatus.FINISHED.value
    assert [o["run_id"] for o in outs] == [runs[0].id] * 2
    assert sum(o["stored"] for o in outs) == runs[0].done == 32 * QUESTIONS


def test_a_worker_with_nothing_to_do_exits_after_its_idle_time(engine, tmp_path):
    env = _env(engine, tmp_path)
    out, err = _finish(_cli(env, "worker", "--idle-exit", "0.5", "--poll", "0.1"), timeout=120)
    assert out == "" and "joined 0 runs, 0 rows written" in err
    bad = _cli(env, "worker", "--idle-exit", "-1")
    _, err = bad.communicate(timeout=120)
    assert bad.returncode == 2 and "idle_exit_s must be >= 0" in err

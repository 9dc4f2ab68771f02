"""The judge run as a streaming pipeline: the window keeps --concurrency calls in flight, an
interrupted run resumes asking nothing twice, the tags land on the canonical sides, and the
batched vote insert keeps record_vote's rules."""

from __future__ import annotations

import asyncio
import json
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import httpx
import pytest
import yaml
from sqlmodel import select

from judging.judge import format_marker
from judging.llm import ChatClient, ClientSettings
from judging.types import Source, Verdict
from mockllm import MockConfig, serve
from pipeline.runs.judge import run_judge
from pipeline.runs.registry import import_registry
from pipeline.startup.settings import PROJECT_ROOT
from storage.db.models import Battle, CallFailure, Response, Run, Vote
from storage.db.session import read_session, write_session
from storage.votes.battles import get_or_create_battle
from storage.votes.ledger import View, status_sql
from storage.votes.record import NewVote, record_vote, record_votes

DEMO = PROJECT_ROOT / "demo"


def _registry(tmp_path: Path, base_url: str) -> Path:
    data = yaml.safe_load((DEMO / "endpoints.mock.yaml").read_text(encoding="utf-8"))
    data["defaults"] = {"base_url": base_url}
    path = tmp_path / "endpoints.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


class _Gate:
    """A fake judge endpoint that holds every request until ``want`` are in flight at once (then
    lets all through for good), and counts the most it ever held. A pipeline that never has
    ``want`` in flight waits ``give_up_s`` per request burst and shows its lower peak."""

    def __init__(self, want: int, give_up_s: float = 5.0) -> None:
        self.want, self.give_up_s = want, give_up_s
        self.in_flight = self.peak = self.calls = 0
        self.open = asyncio.Event()

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        self.calls += 1
        self.in_flight += 1
        self.peak = max(self.peak, self.in_flight)
        if self.in_flight >= self.want:
            self.open.set()
        try:
            if not self.open.is_set():
                await asyncio.wait_for(self.open.wait(), self.give_up_s)
        except TimeoutError:
            pass
        finally:
            self.in_flight -= 1
        reply = f"标签A：无\n标签B：无\n{format_marker(Verdict.A)}"
        body = {"choices": [{"message": {"role": "assistant", "content": reply}, "finish_reason": "stop"}]}
        return httpx.Response(200, json=body)


def test_the_window_keeps_concurrency_calls_in_flight_not_lockstep_batches(engine, tmp_path):
    # 100 battles = 200 calls at concurrency 64: the old loop planned 16 battles (32 calls) and
    # waited for all of them, so it never had more than 32 in flight
    import_registry(engine, _registry(tmp_path, "http://judge.invalid/v1"))
    gate = _Gate(want=64)

    async def main():
        async with httpx.AsyncClient(transport=httpx.MockTransport(gate)) as http:
            client = ChatClient(http, ClientSettings(max_concurrency=64), rng=random.Random(1), environ={})
            return await run_judge(
                engine, client, release="v261201", judge="mock-judge", budget=100, rng=random.Random(0)
            )

    summary = asyncio.run(main())
    assert gate.peak == 64 and gate.open.is_set()
    assert summary.requested == gate.calls == 200 and summary.votes == 200 and summary.battles == 100


def test_tags_are_stored_on_the_canonical_sides_whichever_was_shown_first(engine, tmp_path):
    # the scripted judge tags by the demo grades, writing 标签A for the answer shown first
    with serve(MockConfig(demo_dir=DEMO)) as mock:
        import_registry(engine, _registry(tmp_path, mock.base_url))

        async def main():
            async with httpx.AsyncClient() as http:
                client = ChatClient(http, ClientSettings(max_concurrency=8), rng=random.Random(1), environ={})
                return await run_judge(
                    engine, client, release="v261201", judge="mock-judge", budget=30, rng=random.Random(3)
                )

        asyncio.run(main())
    with read_session(engine) as session:
        votes = session.exec(select(Vote).where(Vote.source == "judge")).all()
        battles = {b.id: b for b in session.exec(select(Battle)).all()}
    assert len(votes) == 60
    by_battle: dict[int, list[Vote]] = {}
    for vote in votes:
        by_battle.setdefault(vote.battle_id, []).append(vote)
        shown_a = next(line for line in vote.rationale.splitlines() if line.startswith("标签A"))
        shown_b = next(line for line in vote.rationale.splitlines() if line.startswith("标签B"))
        b_first = vote.left_response_id == battles[vote.battle_id].response_b_id
        first, second = (vote.tags_b, vote.tags_a) if b_first else (vote.tags_a, vote.tags_b)
        assert _listed(shown_a) == json.loads(first) and _listed(shown_b) == json.loads(second)
    # both orders of a battle agree on the canonical sides, and some answers were tagged
    assert all(p[0].tags_a == p[1].tags_a and p[0].tags_b == p[1].tags_b for p in by_battle.values())
    assert any(json.loads(v.tags_a) or json.loads(v.tags_b) for v in votes)
    assert any(
        json.loads(v.tags_a) != json.loads(v.tags_b)
        and v.left_response_id == battles[v.battle_id].response_b_id
        for v in votes
    )  # the B-first case with different tags, where a swap would show


def test_after_a_401_nothing_more_is_sent_and_every_order_is_recorded_failed(engine, tmp_path):
    budget = 40
    with serve(MockConfig(demo_dir=DEMO, require_key="right-key")) as mock:
        registry = yaml.safe_load(_registry(tmp_path, mock.base_url).read_text(encoding="utf-8"))
        registry["defaults"]["api_key_env"] = "MOCK_KEY"
        (tmp_path / "endpoints.yaml").write_text(
            yaml.safe_dump(registry, allow_unicode=True), encoding="utf-8"
        )
        import_registry(engine, tmp_path / "endpoints.yaml")

        async def main():
            async with httpx.AsyncClient() as http:
                client = ChatClient(
                    http,
                    ClientSettings(max_concurrency=16),
                    rng=random.Random(1),
                    environ={"MOCK_KEY": "wrong"},
                )
                return await run_judge(
                    engine, client, release="v261201", judge="mock-judge", budget=budget, rng=random.Random(0)
                )

        summary = asyncio.run(main())
        log = mock.chat_log()
    # only the calls already in flight when the first 401 came back reached the endpoint
    assert 1 <= len(log) <= 16 and {e.status for e in log} == {401}
    assert (summary.votes, summary.failed, summary.requested) == (0, 2 * budget, 2 * budget)
    with read_session(engine) as session:
        failures = session.exec(select(CallFailure)).all()
        run = session.get(Run, summary.run_id)
    assert len(failures) == 2 * budget and {f.kind for f in failures} == {"auth"}
    assert sum(f.attempts == 1 for f in failures) == len(log)
    assert run.status == "failed" and run.failed == 2 * budget and run.done == 0


def _listed(line: str) -> list[str]:
    value = line.split("：", 1)[1].strip()
    return [] if value in ("无", "none") else [t.strip() for t in value.split(",")]


def test_kill_9_mid_judge_then_rerun_asks_nothing_twice(tmp_path):
    env = {**os.environ, "ARENA_DATA_DIR": str(tmp_path), "ARENA_ADMIN_PASSWORD": "pw-judge-kill"}
    env.pop("DATABASE_URL", None)
    budget = 120
    command = [sys.executable, "cli.py", "judge", "--release", "v261201", "--judge", "mock-judge"]
    command += ["--budget", str(budget), "--concurrency", "16"]
    with serve(MockConfig(demo_dir=DEMO, latency_ms=100)) as mock:
        registry = _registry(tmp_path, mock.base_url)
        subprocess.run(
            [sys.executable, "cli.py", "endpoints", "import", str(registry)],
            cwd=PROJECT_ROOT, env=env, check=True, capture_output=True, timeout=180,
        )  # fmt: skip
        proc = subprocess.Popen(
            command, cwd=PROJECT_ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        from storage.db.engine import make_engine

        engine = make_engine(f"sqlite:///{tmp_path / 'arena.db'}")
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and _judge_votes(engine) < 40:
            time.sleep(0.05)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        stored = _judge_votes(engine)
        assert 40 <= stored < 2 * budget
        # calls the killed process had already sent may still reach the mock after the kill: the
        # rerun's calls are those that arrive once it has started
        rerun_started = time.time()
        subprocess.run(command, cwd=PROJECT_ROOT, env=env, check=True, capture_output=True, timeout=300)
        rerun_calls = sum(e.time >= rerun_started for e in mock.chat_log())
    # the rerun asks exactly for the orders not stored: the half-done battles' missing orders and
    # the battles still missing from the budget, nothing stored before
    assert rerun_calls == 2 * budget - stored
    with read_session(engine) as session:
        votes = session.exec(select(Vote).where(Vote.source == "judge")).all()
    engine.dispose()
    orders: dict[int, set[int]] = {}
    for vote in votes:
        orders.setdefault(vote.battle_id, set()).add(vote.left_response_id)
    assert len(votes) == 2 * budget and len(orders) == budget
    assert all(len(lefts) == 2 for lefts in orders.values())


def test_two_judges_split_the_run_with_no_call_made_twice(engine, tmp_path):
    # two `cli.py judge` processes on one release: the second joins the first's run, every
    # battle is leased before it is sent, and the budget is counted across both
    budget = 100
    env = {**os.environ, "ARENA_DATA_DIR": str(tmp_path), "ARENA_ADMIN_PASSWORD": "pw-two-judges"}
    env["DATABASE_URL"] = engine.url.render_as_string(hide_password=False)
    command = [sys.executable, "cli.py", "judge", "--release", "v261201", "--judge", "mock-judge"]
    command += ["--budget", str(budget), "--concurrency", "4"]
    with serve(MockConfig(demo_dir=DEMO, latency_ms=200)) as mock:
        # the first start creates the administrator: not both processes at once
        subprocess.run(
            [sys.executable, "cli.py", "endpoints", "import", str(_registry(tmp_path, mock.base_url))],
            cwd=PROJECT_ROOT, env=env, check=True, capture_output=True, timeout=180,
        )  # fmt: skip
        procs = [
            subprocess.Popen(
                command, cwd=PROJECT_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
            )
            for _ in range(2)
        ]
        outs = [proc.communicate(timeout=300) for proc in procs]
        calls = Counter(e.prompt_sha256 for e in mock.chat_log())
    assert [proc.returncode for proc in procs] == [0, 0], [err[-2000:] for _out, err in outs]
    summaries = [json.loads(out.strip().splitlines()[-1]) for out, _err in outs]
    assert max(calls.values()) == 1 and sum(calls.values()) == 2 * budget  # nothing asked twice
    assert all(s["requested"] > 0 for s in summaries)  # both worked
    assert sum(s["requested"] for s in summaries) == sum(s["votes"] for s in summaries) == 2 * budget
    with read_session(engine) as session:
        votes = session.exec(select(Vote).where(Vote.source == "judge")).all()
        runs = session.exec(select(Run).where(Run.kind == "judge")).all()
    assert len(votes) == 2 * budget and len({v.battle_id for v in votes}) == budget
    assert len(runs) == 1 and runs[0].done == 2 * budget and runs[0].status == "finished"


def _judge_votes(engine) -> int:
    with read_session(engine) as session:
        return len(session.exec(select(Vote.id).where(Vote.source == "judge")).all())


def _battles(engine, n: int) -> list[tuple[int, int, int]]:
    """n battles of the demo release: (battle id, response A, response B)."""
    with write_session(engine) as session:
        responses = session.exec(select(Response).order_by(Response.question_id, Response.id)).all()
        by_question: dict[int, list[Response]] = {}
        for r in responses:
            by_question.setdefault(r.question_id, []).append(r)
        out = []
        for question, answers in list(by_question.items())[:n]:
            battle = get_or_create_battle(
                session=session, question_id=question, response_ids=(answers[0].id, answers[1].id)
            )
            out.append((battle.id, battle.response_a_id, battle.response_b_id))
    return out


def _new(battle: tuple[int, int, int], key: str, left: int, verdict=Verdict.A, tags=((), ())) -> NewVote:
    return NewVote(
        battle_id=battle[0],
        source=Source.JUDGE,
        rater="j",
        verdict=verdict,
        left_response_id=left,
        idempotency_key=key,
        tags_a=tags[0],
        tags_b=tags[1],
        rationale="r",
        prompt_version="p1",
    )


def test_record_votes_keeps_record_votes_rules(engine):
    first, second, third = _battles(engine, 3)
    with write_session(engine) as session:
        earlier = record_vote(
            session=session,
            battle_id=first[0],
            source=Source.JUDGE,
            rater="j",
            verdict=Verdict.B,
            left_response_id=first[1],
            idempotency_key="k-earlier",
        )
    batch = [
        _new(first, "k-earlier", first[1]),  # stored before: the existing row, nothing new
        _new(second, "k-2", second[2], Verdict.TIE, (("harmful",), ())),
        _new(second, "k-2", second[2]),  # twice in the batch: one row
        _new(third, "k-3", third[1], Verdict.B),
    ]
    with write_session(engine) as session:
        records = record_votes(session=session, votes=batch)
    assert [r.created for r in records] == [False, True, False, True]
    assert records[0].vote_id == earlier.vote_id and records[1].vote_id == records[2].vote_id
    with read_session(engine) as session:
        rows = {v.idempotency_key: v for v in session.exec(select(Vote)).all()}
        rated = session.exec(select(Vote.id).where(Vote.id.in_([r.vote_id for r in records]))).all()
        from sqlalchemy import text

        counted = session.execute(
            text(f"SELECT COUNT(*) FROM vote v WHERE {status_sql('v', View.RATED)}")
        ).scalar()
    assert len(rows) == 3 and len(rated) == 3 and counted == 3  # restated: every new vote counts
    assert rows["k-earlier"].verdict == "B"  # never updated in place
    two = rows["k-2"]
    assert (two.verdict, json.loads(two.tags_a), json.loads(two.tags_b)) == ("tie", ["harmful"], [])
    assert (two.model_a_id, two.question_id, two.prompt_version) != (None, None, None)


def test_record_votes_refuses_a_bad_vote_before_writing_any(engine):
    (battle,) = _battles(engine, 1)
    with write_session(engine) as session:
        other = session.exec(select(Response.id).where(Response.id.not_in(battle[1:]))).first()
    bad_left = [_new(battle, "ok-1", battle[1]), _new(battle, "bad-1", other)]
    with pytest.raises(ValueError, match="left_response_id"), write_session(engine) as session:
        record_votes(session=session, votes=bad_left)
    unknown = [_new(battle, "ok-2", battle[1]), _new((10**9, 1, 2), "bad-2", 1)]
    with pytest.raises(LookupError, match="no battle"), write_session(engine) as session:
        record_votes(session=session, votes=unknown)
    with read_session(engine) as session:
        assert session.exec(select(Vote)).all() == []


def test_cli_judge_refuses_a_lease_time_that_is_not_positive_before_touching_anything(tmp_path):
    env = {**os.environ, "ARENA_DATA_DIR": str(tmp_path / "data"), "ARENA_ADMIN_PASSWORD": "pw-lease"}
    env.pop("DATABASE_URL", None)
    command = [sys.executable, "cli.py", "judge", "--release", "v261201", "--judge", "mock-judge"]
    done = subprocess.run(
        [*command, "--lease-ttl", "0"], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 2 and "--lease-ttl must be a positive number of seconds, got 0.0" in done.stderr
    assert not (tmp_path / "data").exists()  # no database was created

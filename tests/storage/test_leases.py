"""Work leases on SQLite and PostgreSQL: one holder per item, expiry, done per run, run liveness."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta

import pytest
from sqlmodel import select

from judging.runs import RunKind, RunStatus
from storage.db.models import Run, WorkLease, utcnow
from storage.db.session import read_session, write_session
from storage.runs.bookkeeping import create_run
from storage.runs.leases import (
    claim,
    complete,
    fail_stale_runs,
    heartbeat,
    live_holders,
    others_working,
    release,
    renew,
    stale_runs,
    unfinished,
)

SCOPE = "collect:1"


def _runs(db, n=2, params=None):
    with write_session(db) as s:
        return [create_run(session=s, kind=RunKind.COLLECT, params=params or {}, total=0) for _ in range(n)]


def _claim(db, items, holder, run_id, ttl_s=60.0, now=None):
    with write_session(db) as s:
        return claim(s, scope=SCOPE, items=items, holder=holder, ttl_s=ttl_s, run_id=run_id, now=now)


def test_a_leased_item_is_nobody_elses_until_it_expires(db):
    run, _ = _runs(db)
    t0 = utcnow()
    assert _claim(db, ["a", "b", "c"], "w1", run, ttl_s=10, now=t0) == ["a", "b", "c"]
    assert _claim(db, ["c", "b", "d"], "w2", run, ttl_s=10, now=t0 + timedelta(seconds=5)) == ["d"]
    # its own lease is claimed again (a retry of the same pass), not someone else's
    assert _claim(db, ["a"], "w1", run, ttl_s=10, now=t0 + timedelta(seconds=5)) == ["a"]
    later = t0 + timedelta(seconds=16)
    assert _claim(db, ["a", "b", "c", "d"], "w2", run, now=later) == ["a", "b", "c", "d"]  # d: its own
    with write_session(db) as s:
        # w1 was too slow: the items are w2's now, w1 completes nothing
        assert complete(s, scope=SCOPE, items=["a", "b"], holder="w1") == 0
        assert complete(s, scope=SCOPE, items=["a", "b"], holder="w2") == 2


def test_done_in_this_run_is_never_claimed_again_done_elsewhere_is(db):
    run, rerun = _runs(db)
    _claim(db, ["a", "b"], "w1", run)
    with write_session(db) as s:
        complete(s, scope=SCOPE, items=["a"], holder="w1")
        release(s, holder="w1")
    assert _claim(db, ["a", "b"], "w2", run) == ["b"]  # a is done in this run; b was released
    # a later run lists a again (the earlier run gave up on it, say): it may try it
    assert _claim(db, ["a"], "w3", rerun) == ["a"]
    with read_session(db) as s:
        assert unfinished(s, scope=SCOPE, items=["a", "b", "z"], run_id=run) == ["a", "b", "z"]
        row = s.exec(select(WorkLease).where(WorkLease.item == "a")).one()
    assert (row.holder, row.run_id, row.done_at) == ("w3", rerun, None)


def test_renew_keeps_a_lease_release_frees_it(db):
    run, _ = _runs(db)
    t0 = utcnow()
    _claim(db, ["a", "b"], "w1", run, ttl_s=10, now=t0)
    with write_session(db) as s:
        assert renew(s, holder="w1", ttl_s=10, now=t0 + timedelta(seconds=8)) == 2
    assert _claim(db, ["a", "b"], "w2", run, now=t0 + timedelta(seconds=12)) == []
    with read_session(db) as s:
        assert live_holders(s, scope=SCOPE, now=t0 + timedelta(seconds=12)) == ["w1"]
        assert others_working(s, run_id=run, holder="w2", now=t0 + timedelta(seconds=12))
        assert not others_working(s, run_id=run, holder="w1", now=t0 + timedelta(seconds=12))
    with write_session(db) as s:
        assert release(s, holder="w1", scope=SCOPE) == 2
    assert _claim(db, ["a", "b"], "w2", run, now=t0 + timedelta(seconds=12)) == ["a", "b"]


def test_bad_input_is_refused_naming_it(db):
    run, _ = _runs(db)
    with pytest.raises(ValueError, match="ttl_s"):
        _claim(db, ["a"], "w1", run, ttl_s=0)
    with pytest.raises(ValueError, match="items"):
        _claim(db, ["x" * 201], "w1", run)
    with pytest.raises(ValueError, match="string"):
        _claim(db, "abc", "w1", run)
    with read_session(db) as s:
        assert s.exec(select(WorkLease)).all() == []


@pytest.mark.parametrize("start", ["new items", "leases of a dead worker"])
def test_concurrent_claimers_never_share_an_item(db, start):
    # four threads, each with its own connection, claim small chunks of one list until nothing is
    # left: every item is claimed exactly once (PostgreSQL: SKIP LOCKED; SQLite: BEGIN IMMEDIATE),
    # whether the rows are inserted or taken over from expired leases
    run, _ = _runs(db)
    items = [f"q{i}" for i in range(240)]
    if start != "new items":
        _claim(db, items, "dead", run, ttl_s=1, now=utcnow() - timedelta(seconds=5))
    got: Counter[str] = Counter()
    lock = threading.Lock()
    errors: list[BaseException] = []

    def work(holder: str) -> None:
        try:
            while True:
                with write_session(db) as s:
                    todo = unfinished(s, scope=SCOPE, items=items, run_id=run)
                    mine = claim(s, scope=SCOPE, items=todo[:7], holder=holder, ttl_s=60, run_id=run)
                    complete(s, scope=SCOPE, items=mine, holder=holder)
                if not todo:
                    return
                with lock:
                    got.update(mine)
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(f"w{n}",)) for n in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=120)
    assert not errors
    assert sorted(got) == sorted(items)
    assert set(got.values()) == {1}


def test_a_run_without_a_sign_of_life_ends_failed_not_running(db):
    quiet, alive = _runs(db, params={"lease_ttl_s": 5})
    t0 = utcnow()
    with write_session(db) as s:
        heartbeat(s, run_id=quiet, now=t0)
        heartbeat(s, run_id=alive, now=t0 + timedelta(seconds=4))
    with read_session(db) as s:
        assert [r for r, _ in stale_runs(s, now=t0 + timedelta(seconds=4))] == []
        assert [r for r, _ in stale_runs(s, now=t0 + timedelta(seconds=6))] == [quiet]
    with write_session(db) as s:
        assert fail_stale_runs(s, now=t0 + timedelta(seconds=6)) == [quiet]
        heartbeat(s, run_id=quiet)  # a late beat does not bring an ended run back
    with read_session(db) as s:
        rows = {r.id: r for r in s.exec(select(Run)).all()}
    assert rows[quiet].status == RunStatus.FAILED.value and "start the same run again" in rows[quiet].message
    assert rows[alive].status == RunStatus.RUNNING.value


def test_renew_never_waits_on_leases_a_writer_is_completing(db):
    # PostgreSQL (on SQLite write transactions never overlap): the heartbeat's renewal used to
    # wait on lease rows locked by the writer's transaction, and deadlock with it (the writer
    # then waited on the run row the heartbeat held). Now rows locked right now are skipped.
    if db.dialect.name != "postgresql":
        pytest.skip("write transactions overlap only on PostgreSQL")
    from sqlalchemy import text
    from sqlmodel import Session

    run, _ = _runs(db)
    _claim(db, ["a", "b", "c"], "w1", run)
    with Session(db) as writer, Session(db) as beat:
        complete(writer, scope=SCOPE, items=["a", "b"], holder="w1")  # locked, not committed
        beat.execute(text("SET LOCAL lock_timeout = '2s'"))  # waiting would fail, not hang
        assert renew(beat, holder="w1", ttl_s=60) == 1  # c; a and b are left to the writer
        beat.commit()
        writer.commit()
    with read_session(db) as s:
        assert unfinished(s, scope=SCOPE, items=["a", "b", "c"], run_id=run) == ["c"]

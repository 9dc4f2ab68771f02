"""Crash safety and lock handling on the embedded SQLite database.

- ``kill -9`` of a process in the middle of writing votes loses no committed vote and leaves no
  half-written row (integrity and foreign-key checks pass; every acknowledged vote is there).
- A database locked by another writer is waited on (busy timeout), not reported as an error.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time

from sqlmodel import func, select

from judging.types import Verdict
from pipeline.startup.bootstrap import init_database
from pipeline.startup.settings import PROJECT_ROOT, Settings
from pipeline.workflow.queue import QueueConfig, next_assignment
from pipeline.workflow.voting import submit_vote
from storage.db.models import Vote
from storage.db.session import read_session

WRITER = textwrap.dedent(
    """
    import random, sys
    sys.path.insert(0, {root!r})
    from judging.types import Verdict
    from pipeline.startup.bootstrap import init_database
    from pipeline.workflow.queue import QueueConfig, next_assignment
    from pipeline.startup.settings import Settings
    from pipeline.workflow.voting import submit_vote
    from pathlib import Path
    settings = Settings(database_url={url!r}, data_dir=Path({data!r}), demo_dir=Path({demo!r}))
    engine = init_database(settings, announce=lambda m: None)
    rng = random.Random()
    config = QueueConfig(overlap_k=1, gold_rate=0.0)
    for i in range(100000):
        user = "w" + str(i % 7)
        item = next_assignment(engine, username=user, rng=rng, config=config)
        record = submit_vote(engine, item=item, rater=user, shown_verdict=Verdict.A)
        print(record.vote_id, flush=True)  # acknowledged only after the commit returned
    """
)


def test_kill_9_mid_write_loses_no_committed_vote(tmp_path):
    url = f"sqlite:///{tmp_path / 'arena.db'}"
    script = WRITER.format(
        root=str(PROJECT_ROOT), url=url, data=str(tmp_path), demo=str(PROJECT_ROOT / "demo")
    )
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    acknowledged: list[int] = []
    deadline = time.monotonic() + 60
    assert proc.stdout is not None
    while len(acknowledged) < 60 and time.monotonic() < deadline:
        line = proc.stdout.readline()
        if line.strip():
            acknowledged.append(int(line))
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert len(acknowledged) >= 60

    raw = sqlite3.connect(tmp_path / "arena.db")
    assert raw.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert raw.execute("PRAGMA foreign_key_check").fetchall() == []
    stored = {row[0] for row in raw.execute("SELECT id FROM vote")}
    assert set(acknowledged) <= stored, "a committed (acknowledged) vote was lost"
    # no half-written vote: every stored vote is complete and points at a real battle
    incomplete = raw.execute(
        "SELECT COUNT(*) FROM vote v LEFT JOIN battle b ON b.id = v.battle_id"
        " WHERE b.id IS NULL OR v.verdict IS NULL OR v.idempotency_key IS NULL OR v.model_a_id IS NULL"
    ).fetchone()[0]
    assert incomplete == 0
    raw.close()


def test_locked_database_is_waited_on_not_an_error(tmp_path, rng):
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'arena.db'}", data_dir=tmp_path, demo_dir=PROJECT_ROOT / "demo"
    )
    engine = init_database(settings, announce=lambda _m: None)
    item = next_assignment(engine, username="ann", rng=rng, config=QueueConfig(gold_rate=0.0))
    holder = sqlite3.connect(tmp_path / "arena.db", isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")  # another writer holds the write lock
    released = threading.Event()

    def release_later() -> None:
        time.sleep(1.5)
        holder.execute("COMMIT")
        released.set()

    threading.Thread(target=release_later).start()
    start = time.monotonic()
    record = submit_vote(engine, item=item, rater="ann", shown_verdict=Verdict.B)
    waited = time.monotonic() - start
    assert released.is_set() and waited >= 1.0  # it waited for the lock instead of failing
    assert record.created
    with read_session(engine) as session:
        assert session.exec(select(func.count()).select_from(Vote)).one() == 1
    holder.close()

"""No lost votes under load: N concurrent voter processes submit votes through the real submit
path (``pipeline.workflow.voting.submit_vote``, with duplicate submissions of the same idempotency key)
against SQLite and PostgreSQL, while a bulk ``import-votes`` of many votes runs beside them.

Prints submit latency percentiles (p50/p95/p99) and throughput per backend, checks zero lost and
zero duplicated votes and that every process exited 0, and ends with a summary table:
measure | ours | peer | ratio | target. Every wait has a timeout: a voter that dies or hangs is
reported, never waited on forever.
Run: .venv/bin/python bench/votes.py [--procs 32] [--votes 500] [--dup-rate 0.1] [--bulk 20000]
     [--postgres URL | --no-postgres] [--think-ms 1000]
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import text
from sqlmodel import func, select

from judging.interchange import ArenaVote
from judging.types import Side, Source, Verdict
from pipeline.interchange.votes_import import import_vote_records
from pipeline.startup.demo import load_demo, write_demo
from pipeline.startup.settings import PROJECT_ROOT
from pipeline.workflow.voting import VoteItem, VoteNotSavedError, submit_vote
from storage.db.engine import create_schema, make_engine
from storage.db.models import Battle, Vote, utcnow
from storage.db.session import read_session, write_session
from storage.votes.battles import get_or_create_battle

VOTER_TIMEOUT_S = 900.0  # no voter may take longer than this; the bench then reports it and stops


def _prepare(url: str) -> list[tuple[int, int]]:
    engine = make_engine(url)
    create_schema(engine)
    with write_session(engine) as session:
        write_demo(load_demo(PROJECT_ROOT / "demo"), session=session)
    battles = []
    with write_session(engine) as session:
        rows = session.execute(text("SELECT question_id, id FROM response ORDER BY question_id, id")).all()
        by_q: dict[int, list[int]] = {}
        for q, r in rows:
            by_q.setdefault(int(q), []).append(int(r))
        for q, rs in by_q.items():
            for i in range(len(rs)):
                for j in range(i + 1, len(rs)):
                    b = get_or_create_battle(session=session, question_id=q, response_ids=(rs[i], rs[j]))
                    battles.append((b.id, b.response_a_id))
    engine.dispose()
    return battles


def _voter(args: tuple[str, int, int, float, float, list[tuple[int, int]], mp.Queue]) -> None:
    url, worker, n_votes, dup_rate, think_s, battles, out = args
    rng = random.Random(worker)
    engine = make_engine(url)
    latencies, keys, duplicates, unsaved = [], [], 0, 0
    last: VoteItem | None = None
    for _ in range(n_votes):
        if last is not None and rng.random() < dup_rate:
            item = last  # a double click / resent request: same idempotency key
            duplicates += 1
        else:
            battle_id, left = rng.choice(battles)
            item = VoteItem(battle_id, left, uuid.uuid4().hex, utcnow())
            keys.append(item.idempotency_key)
        start = time.perf_counter()
        try:
            submit_vote(engine, item=item, rater=f"bench{worker}", shown_verdict=rng.choice(list(Verdict)))
        except VoteNotSavedError:
            unsaved += 1  # the person is told and submits again: the same key
            submit_vote(engine, item=item, rater=f"bench{worker}", shown_verdict=rng.choice(list(Verdict)))
        latencies.append(time.perf_counter() - start)
        last = item
        if think_s:
            time.sleep(rng.uniform(0.5, 1.5) * think_s)  # a person reads before the next vote
    engine.dispose()
    out.put((worker, latencies, keys, duplicates, unsaved))


def _bulk_votes(url: str, n: int) -> list[ArenaVote]:
    """``n`` interchange votes on the demo release, as an ``import-votes`` file holds them."""
    engine = make_engine(url)
    with read_session(engine) as session:
        rows = session.execute(
            text(
                "SELECT q.external_id, m.key, r.tag FROM response x JOIN question q ON q.id = x.question_id"
                " JOIN arena_model m ON m.id = x.model_id JOIN release r ON r.id = q.release_id ORDER BY x.id"
            )
        ).all()
    engine.dispose()
    by_q: dict[tuple[str, str], list[str]] = {}
    for q, m, tag in rows:
        by_q.setdefault((str(q), str(tag)), []).append(str(m))
    questions = sorted(by_q)
    rng = random.Random(7)
    votes = []
    for i in range(n):
        q, tag = questions[i % len(questions)]
        a, b = rng.sample(by_q[(q, tag)], 2)
        votes.append(
            ArenaVote.of(
                a,
                b,
                rng.choice(list(Verdict)),
                source=Source.JUDGE,
                rater="bulk-judge",
                shown_first=rng.choice(list(Side)),
                release=tag,
                question_id=q,
                tstamp=1_700_000_000.0 + i,
            )
        )
    return votes


def _bulk(args: tuple[str, int, mp.Queue]) -> None:
    url, n, out = args
    votes = _bulk_votes(url, n)
    engine = make_engine(url)
    start = time.perf_counter()
    summary = import_vote_records(engine, votes, name="bulk.jsonl", actor="bench")
    out.put(("bulk", summary.imported, time.perf_counter() - start))
    engine.dispose()


def run(
    url: str, procs: int, votes: int, dup_rate: float, think_s: float = 0.0, bulk: int = 0
) -> dict[str, float]:
    battles = _prepare(url)
    queue: mp.Queue = mp.Queue()
    ctx = mp.get_context("fork")
    workers = [
        ctx.Process(target=_voter, args=((url, w, votes, dup_rate, think_s, battles, queue),))
        for w in range(procs)
    ]
    bulk_process = ctx.Process(target=_bulk, args=((url, bulk, queue),)) if bulk else None
    start = time.perf_counter()
    if bulk_process is not None:
        bulk_process.start()
        time.sleep(0.5)  # the import is under way when the voters start
    for p in workers:
        p.start()
    results, bulk_result = [], None
    expected = len(workers) + (1 if bulk_process is not None else 0)
    for _ in range(expected):
        try:
            got = queue.get(timeout=VOTER_TIMEOUT_S)
        except Exception:  # queue.Empty: a process died or hung
            break
        if got[0] == "bulk":
            bulk_result = got
        else:
            results.append(got)
    wall = time.perf_counter() - start
    for p in [*workers, *([bulk_process] if bulk_process else [])]:
        p.join(timeout=30)
        if p.is_alive():
            p.kill()
    failed = [p.exitcode for p in [*workers, *([bulk_process] if bulk_process else [])] if p.exitcode != 0]
    latencies = sorted(x for _, lat, *_ in results for x in lat)
    keys = {k for _, _, ks, *_ in results for k in ks}
    dups = sum(r[3] for r in results)
    unsaved = sum(r[4] for r in results)
    engine = make_engine(url)
    with read_session(engine) as session:
        stored_keys = set(
            session.exec(select(Vote.idempotency_key).where(Vote.source == Source.HUMAN.value)).all()
        )
        stored = len(stored_keys)
        n_battles = session.exec(select(func.count()).select_from(Battle)).one()
        bulk_stored = session.exec(
            select(func.count()).select_from(Vote).where(Vote.rater == "bulk-judge")
        ).one()
    engine.dispose()
    lost = len(keys - stored_keys)
    duplicated = len(stored_keys - keys)

    def pct(p: float) -> float:
        if not latencies:
            return float("nan")
        return 1000 * latencies[min(len(latencies) - 1, int(p * len(latencies)))]

    return {
        "voters_reported": len(results),
        "processes_failed": len(failed),
        "submissions": len(latencies),
        "unique": len(keys),
        "duplicate_submissions": dups,
        "resubmitted_after_busy": unsaved,
        "stored": stored,
        "lost": lost + (procs - len(results)) * votes,
        "duplicated": duplicated,
        "p50_ms": pct(0.50),
        "p95_ms": pct(0.95),
        "p99_ms": pct(0.99),
        "median_ms": 1000 * statistics.median(latencies) if latencies else float("nan"),
        "throughput": len(latencies) / wall,
        "battles": n_battles,
        "bulk_imported": int(bulk_stored),
        "bulk_seconds": bulk_result[2] if bulk_result else float("nan"),
    }


def _pg_url(base: str) -> tuple[str, str]:
    engine = make_engine(base)
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    with engine.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()
    sep = "&" if "?" in base else "?"
    return f"{base}{sep}options=-csearch_path%3D{schema}", schema


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--procs", type=int, default=32)
    parser.add_argument("--votes", type=int, default=500)
    parser.add_argument("--dup-rate", type=float, default=0.1)
    parser.add_argument(
        "--postgres",
        default=os.environ.get("TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"),
    )
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--bulk", type=int, default=20_000, help="votes imported beside the voters (0: none)")
    parser.add_argument(
        "--think-ms",
        type=float,
        default=None,
        help="mean pause between one voter's votes; default: run both saturated (0) and paced (1000 ms: an expert reads before voting)",
    )
    args = parser.parse_args()

    results = {}
    paces = [args.think_ms] if args.think_ms is not None else [0.0, 1000.0]
    for think in paces:
        label = "saturated" if think == 0 else f"paced {think:.0f}ms"
        with tempfile.TemporaryDirectory() as tmp:
            results[f"sqlite {label}"] = run(
                f"sqlite:///{Path(tmp) / 'bench.db'}",
                args.procs,
                args.votes,
                args.dup_rate,
                think / 1000,
                args.bulk,
            )
        if not args.no_postgres:
            url, schema = _pg_url(args.postgres)
            try:
                results[f"postgresql {label}"] = run(
                    url, args.procs, args.votes, args.dup_rate, think / 1000, args.bulk
                )
            finally:
                engine = make_engine(args.postgres)
                with engine.begin() as conn:
                    conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
                engine.dispose()

    for backend, r in results.items():
        print(
            f"\n[{backend}] {args.procs} processes x {args.votes} submissions, dup rate {args.dup_rate},"
            f" bulk import of {args.bulk} votes beside them"
        )
        for k, v in r.items():
            print(f"  {k:>22}: {v:.2f}" if isinstance(v, float) else f"  {k:>22}: {v}")

    print("\nSummary (peer = the target; ratio = ours / peer, lower is better for latency)")
    print(f"{'measure':<44} {'ours':>10} {'peer':>10} {'ratio':>8} {'target':>10}")
    for backend, r in results.items():
        rows = [
            (f"{backend} lost votes", r["lost"], 0, "0"),
            (f"{backend} duplicated votes", r["duplicated"], 0, "0"),
            (f"{backend} processes failed", r["processes_failed"], 0, "0"),
            (f"{backend} p95 submit ms", r["p95_ms"], 50.0, "< 50" if "paced" in backend else "report"),
            (f"{backend} p50 submit ms", r["p50_ms"], 50.0, "report"),
            (f"{backend} p99 submit ms", r["p99_ms"], 50.0, "report"),
            (f"{backend} votes/s", r["throughput"], float("nan"), "report"),
        ]
        for name, ours, peer, target in rows:
            ratio = ours / peer if isinstance(peer, float) and peer == peer and peer else float("nan")
            print(f"{name:<44} {ours:>10.2f} {peer:>10.2f} {ratio:>8.2f} {target:>10}")
    bad = [b for b, r in results.items() if r["lost"] or r["duplicated"] or r["processes_failed"]]
    if bad:
        raise SystemExit(f"votes lost or duplicated on {bad}")


if __name__ == "__main__":
    main()

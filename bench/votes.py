"""No lost votes under load: N concurrent voter processes submit votes (with duplicate
submissions of the same idempotency key) against SQLite and PostgreSQL.

Prints commit latency percentiles and throughput per backend, checks zero lost and zero
duplicated votes, and ends with a summary table: measure | ours | peer | ratio | target.
Run: .venv/bin/python bench/votes.py [--procs 32] [--votes 500] [--dup-rate 0.1] [--postgres URL]
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

from judging.types import Source, Verdict
from pipeline.demo import load_demo, write_demo
from pipeline.settings import PROJECT_ROOT
from storage.engine import create_schema, make_engine
from storage.models import Battle, Vote
from storage.queries import get_or_create_battle, record_vote
from storage.session import read_session, write_session


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
    latencies, keys, duplicates = [], [], 0
    last_key = None
    for _ in range(n_votes):
        if last_key is not None and rng.random() < dup_rate:
            key = last_key  # a double click / resent request: same idempotency key
            duplicates += 1
        else:
            key = uuid.uuid4().hex
            keys.append(key)
        battle_id, left = rng.choice(battles)
        start = time.perf_counter()
        with write_session(engine) as session:
            record_vote(
                session=session,
                battle_id=battle_id,
                source=Source.HUMAN,
                rater=f"bench{worker}",
                verdict=rng.choice(list(Verdict)),
                left_response_id=left,
                idempotency_key=key,
            )
        latencies.append(time.perf_counter() - start)
        last_key = key
        if think_s:
            time.sleep(rng.uniform(0.5, 1.5) * think_s)  # a person reads before the next vote
    engine.dispose()
    out.put((worker, latencies, keys, duplicates))


def run(url: str, procs: int, votes: int, dup_rate: float, think_s: float = 0.0) -> dict[str, float]:
    battles = _prepare(url)
    queue: mp.Queue = mp.Queue()
    ctx = mp.get_context("fork")
    workers = [
        ctx.Process(target=_voter, args=((url, w, votes, dup_rate, think_s, battles, queue),))
        for w in range(procs)
    ]
    start = time.perf_counter()
    for p in workers:
        p.start()
    results = [queue.get() for _ in workers]
    for p in workers:
        p.join()
    wall = time.perf_counter() - start
    latencies = sorted(x for _, lat, _, _ in results for x in lat)
    keys = {k for _, _, ks, _ in results for k in ks}
    dups = sum(d for *_, d in results)
    engine = make_engine(url)
    with read_session(engine) as session:
        stored = session.exec(select(func.count()).select_from(Vote)).one()
        stored_keys = set(session.exec(select(Vote.idempotency_key)).all())
        n_battles = session.exec(select(func.count()).select_from(Battle)).one()
    engine.dispose()
    lost = len(keys - stored_keys)
    duplicated = stored - len(stored_keys) + len(stored_keys - keys)

    def pct(p: float) -> float:
        return 1000 * latencies[min(len(latencies) - 1, int(p * len(latencies)))]

    return {
        "submissions": len(latencies),
        "unique": len(keys),
        "duplicate_submissions": dups,
        "stored": stored,
        "lost": lost,
        "duplicated": duplicated,
        "p50_ms": pct(0.50),
        "p95_ms": pct(0.95),
        "p99_ms": pct(0.99),
        "median_ms": 1000 * statistics.median(latencies),
        "throughput": len(latencies) / wall,
        "battles": n_battles,
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
                f"sqlite:///{Path(tmp) / 'bench.db'}", args.procs, args.votes, args.dup_rate, think / 1000
            )
        if not args.no_postgres:
            url, schema = _pg_url(args.postgres)
            try:
                results[f"postgresql {label}"] = run(url, args.procs, args.votes, args.dup_rate, think / 1000)
            finally:
                engine = make_engine(args.postgres)
                with engine.begin() as conn:
                    conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
                engine.dispose()

    for backend, r in results.items():
        print(f"\n[{backend}] {args.procs} processes x {args.votes} submissions, dup rate {args.dup_rate}")
        for k, v in r.items():
            print(f"  {k:>22}: {v:.2f}" if isinstance(v, float) else f"  {k:>22}: {v}")

    print("\nSummary (peer = the target; ratio = ours / peer, lower is better for latency)")
    print(f"{'measure':<44} {'ours':>10} {'peer':>10} {'ratio':>8} {'target':>10}")
    for backend, r in results.items():
        rows = [
            (f"{backend} lost votes", r["lost"], 0, "0"),
            (f"{backend} duplicated votes", r["duplicated"], 0, "0"),
            (
                f"{backend} p95 commit ms",
                r["p95_ms"],
                50.0,
                "< 50" if backend.startswith("sqlite") else "report",
            ),
            (f"{backend} p50 commit ms", r["p50_ms"], 50.0, "report"),
            (f"{backend} p99 commit ms", r["p99_ms"], 50.0, "report"),
            (f"{backend} votes/s", r["throughput"], float("nan"), "report"),
        ]
        for name, ours, peer, target in rows:
            ratio = ours / peer if isinstance(peer, float) and peer == peer and peer else float("nan")
            print(f"{name:<44} {ours:>10.2f} {peer:>10.2f} {ratio:>8.2f} {target:>10}")
    bad = [b for b, r in results.items() if r["lost"] or r["duplicated"]]
    if bad:
        raise SystemExit(f"votes lost or duplicated on {bad}")


if __name__ == "__main__":
    main()

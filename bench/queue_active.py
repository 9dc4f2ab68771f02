"""The human queue's ``active`` policy with a judge run's votes stored: what one annotator's next
item costs.

A SQLite file database with the demo release, ``--judge`` LLM judge votes (default 50,000) and
``--human`` human votes (default 2,000 from 40 people, random verdicts) on the release's battles,
recorded through ``storage.votes.record.record_votes`` as a judge run and the people's batches
store them. Every call of ``next_assignment`` under the active policy first asks whether the
slice's human ranking has converged (``pipeline.workflow.queue._active_status``); with the default
data the rule says it has (the status is printed), so the call then hands out nothing and its
time is that check's.

Headline: ``next_assignment`` (active policy, no gold, a new annotator per call so each call
chooses anew), median over ``--repeats`` calls. Component beside it, labelled: ``active_status``
alone. Ours is the shipped ``_active_status``; peer is the previous implementation, a copy of its
body below, which read every vote through ``votes_after`` pages and filtered them in Python; the
peer's ``next_assignment`` runs the shipped queue with that copy swapped in. Both must return the
same ``ActiveStatus``. Ends with the summary table: measure | ours | peer | ratio | target.

Run: .venv/bin/python bench/queue_active.py [--judge 50000] [--human 2000] [--repeats 7]
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import uuid
from collections.abc import Callable
from itertools import combinations
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import text
from sqlalchemy.engine import Engine

import pipeline.workflow.queue as queue
from bench.ratings import Row, median_time, print_summary
from judging.ratings import BradleyTerry
from judging.scheduling import ConvergenceRule, History, StopReason, replay_snapshots
from judging.types import Comparison, Source, Verdict, outcome_from_verdict
from pipeline.startup.demo import load_demo, write_demo
from pipeline.startup.settings import PROJECT_ROOT
from pipeline.workflow.queue import ActiveStatus, QueueConfig, QueuePolicy, active_status, next_assignment
from storage.db.engine import create_schema, make_engine
from storage.db.session import read_session, write_session
from storage.votes.battles import get_or_create_battle, list_models
from storage.votes.log import votes_after
from storage.votes.record import NewVote, record_votes

ACTIVE = QueueConfig(policy=QueuePolicy.ACTIVE, gold_rate=0.0)


def previous_active_status(session, dims, release_id) -> ActiveStatus:  # type: ignore[no-untyped-def]
    """The previous ``_active_status``, as it was before the slice query (peer)."""
    keys = {m.id: m.key for m in list_models(session=session) if not m.reference}
    wanted = set(dims) if dims else None
    comparisons: list[Comparison] = []
    after = 0
    while rows := votes_after(session=session, after_id=after):
        after = rows[-1].id
        comparisons += [
            Comparison(keys[r.model_a_id], keys[r.model_b_id], outcome_from_verdict(r.verdict))
            for r in rows
            if r.source is Source.HUMAN
            and (release_id is None or r.release_id == release_id)
            and (wanted is None or r.dimension in wanted)
            and r.model_a_id in keys
            and r.model_b_id in keys
        ]
    models = sorted(keys.values())
    if len(models) < 2:
        return ActiveStatus(False, len(comparisons), 0)
    rule = ConvergenceRule(budget=None)
    history = History.empty(models).add(comparisons)
    snapshots = replay_snapshots(
        comparisons, models, BradleyTerry(), every=rule.interval(len(models)), last=rule.patience + 1
    )
    short = rule.neighbours_short(snapshots[-1], history) if snapshots else len(models) - 1
    stopped = rule.check(snapshots, history, len(comparisons))
    return ActiveStatus(stopped is StopReason.STABLE_RANKS, len(comparisons), short)


def build(path: Path, n_judge: int, n_human: int, seed: int) -> Engine:
    """The demo release, every battle of it, and the votes, in a SQLite file at ``path``."""
    engine = make_engine(f"sqlite:///{path}")
    create_schema(engine)
    with write_session(engine) as session:
        write_demo(load_demo(PROJECT_ROOT / "demo"), session=session)
    battles: list[tuple[int, int, int]] = []
    with write_session(engine) as session:
        rows = session.execute(text("SELECT question_id, id FROM response ORDER BY question_id, id")).all()
        by_q: dict[int, list[int]] = {}
        for q, r in rows:
            by_q.setdefault(int(q), []).append(int(r))
        for q, rs in by_q.items():
            for ra, rb in combinations(rs, 2):
                battle = get_or_create_battle(session=session, question_id=q, response_ids=(ra, rb))
                assert battle.id is not None
                battles.append((battle.id, battle.response_a_id, battle.response_b_id))
    rng = random.Random(seed)
    verdicts = list(Verdict)
    judged = [
        NewVote(
            battle_id=b,
            source=Source.JUDGE,
            rater=f"judge-{n % 3}",
            verdict=rng.choice(verdicts),
            left_response_id=rng.choice((ra, rb)),
            idempotency_key=f"judge-{n}",
        )
        for n, (b, ra, rb) in enumerate(rng.choice(battles) for _ in range(n_judge))
    ]
    # each person votes on a battle at most once (40 people, 50 battles each by default)
    people = max(1, n_human // 50)
    human: list[NewVote] = []
    for p in range(people):
        share = n_human // people + (1 if p < n_human % people else 0)
        for b, ra, rb in rng.sample(battles, share):
            human.append(
                NewVote(
                    battle_id=b,
                    source=Source.HUMAN,
                    rater=f"ann{p}",
                    verdict=rng.choice(verdicts),
                    left_response_id=rng.choice((ra, rb)),
                    idempotency_key=f"human-{len(human)}",
                )
            )
    # a judge run's batches and the people's votes interleaved, as they arrive
    votes = judged + human
    rng.shuffle(votes)
    for start in range(0, len(votes), 2_000):
        with write_session(engine) as session:
            record_votes(session=session, votes=votes[start : start + 2_000])
    return engine


def timed_next(engine: Engine, repeats: int, tag: str) -> tuple[float, object]:
    calls = iter(range(repeats))

    def once() -> object:
        return next_assignment(
            engine,
            username=f"{tag}-{next(calls)}-{uuid.uuid4().hex[:6]}",
            rng=random.Random(1),
            config=ACTIVE,
        )

    return median_time(once, repeats)


def with_peer(fn: Callable[[], tuple[float, object]]) -> tuple[float, object]:
    shipped = queue._active_status
    queue._active_status = previous_active_status  # type: ignore[assignment]
    try:
        return fn()
    finally:
        queue._active_status = shipped  # type: ignore[assignment]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--judge", type=int, default=50_000, help="LLM judge votes stored")
    parser.add_argument("--human", type=int, default=2_000, help="human votes stored")
    parser.add_argument("--repeats", type=int, default=7, help="calls per median")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        engine = build(Path(tmp) / "arena.db", args.judge, args.human, args.seed)
        with read_session(engine) as session:
            stored = session.execute(text("SELECT source, COUNT(*) FROM vote GROUP BY source")).all()
        print("votes stored: " + ", ".join(f"{s} {n:,}" for s, n in sorted(stored)))

        ours_status_s, ours_status = median_time(lambda: active_status(engine), args.repeats)
        peer_status_s, peer_status = with_peer(
            lambda: median_time(lambda: active_status(engine), args.repeats)
        )
        assert ours_status == peer_status, (ours_status, peer_status)
        print(f"active status: {ours_status}")

        ours_next_s, ours_item = timed_next(engine, args.repeats, "ours")
        peer_next_s, peer_item = with_peer(lambda: timed_next(engine, args.repeats, "peer"))
        assert (ours_item is None) == (peer_item is None)
        engine.dispose()

    def ms(seconds: float) -> str:
        return f"{seconds * 1000:,.1f} ms"

    print_summary(
        [
            Row(
                f"next_assignment, active policy ({args.judge:,} judge + {args.human:,} human votes; median of {args.repeats})",
                ms(ours_next_s),
                ms(peer_next_s),
                f"{peer_next_s / ours_next_s:.1f}x",
                "faster than peer",
            ),
            Row(
                "component: active_status alone",
                ms(ours_status_s),
                ms(peer_status_s),
                f"{peer_status_s / ours_status_s:.1f}x",
                "faster than peer; same ActiveStatus",
            ),
        ]
    )


if __name__ == "__main__":
    main()

"""Large database: 1,000,000 votes over 57 models, 5 dimensions and 10,000 questions.

Builds the database (or reuses --db), then measures with Streamlit's AppTest, as a person would
use the app: the leaderboard page's render time cold (a new process, empty caches) and warm
(same session, caches filled), and the vote page's submit-to-next time. Prints medians and p95
and ends with the summary table: measure | ours | peer | ratio | target (the peer column is the
target itself; ratio = ours / target, below 1 is within target).

Run: .venv/bin/python bench/scale.py [--votes 1000000] [--db PATH] [--quick]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DIMENSIONS = ["public_safety", "fairness", "privacy", "truthfulness", "mental_health"]
VERDICTS = ["A", "B", "tie", "both_unsafe"]


def build(db: Path, n_votes: int, n_models: int, n_questions: int, seed: int = 1) -> None:
    from sqlalchemy import text

    from pipeline.people.accounts import hash_password
    from storage.db.engine import create_schema, make_engine

    rng = random.Random(seed)
    engine = make_engine(f"sqlite:///{db}")
    create_schema(engine)
    now = "2026-11-30 00:00:00"
    t0 = time.perf_counter()
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO release (id, tag, title, status, notes, synthetic, created_at) VALUES (1, 'v261130', 'scale', 'published', '', true, :t)"
            ),
            {"t": now},
        )
        conn.execute(
            text(
                "INSERT INTO arena_model (id, key, display_name, organisation, profile_zh, profile_en, open_source, reasoning, params_json, synthetic, reference, created_at) VALUES (:id, :k, :n, '', '', '', false, false, '{}', true, false, :t)"
            ),
            [{"id": m + 1, "k": f"model-{m:02d}", "n": f"模型 {m:02d}", "t": now} for m in range(n_models)],
        )
        conn.execute(
            text(
                "INSERT INTO question (id, release_id, external_id, dimension, sub_dimension, text, safe_note, sensitive, metadata_json, source, anchor, retired, created_at) VALUES (:id, 1, :e, :d, '子维度', :x, '安全回答应当……', false, '{}', '', false, false, :t)"
            ),
            [
                {
                    "id": q + 1,
                    "e": f"q{q:05d}",
                    "d": DIMENSIONS[q % 5],
                    "x": f"合成问题 {q}：遇到这种情况应该怎么办？",
                    "t": now,
                }
                for q in range(n_questions)
            ],
        )
        rows = []
        rid = 0
        for q in range(n_questions):
            for m in range(n_models):
                rid += 1
                rows.append(
                    {"id": rid, "q": q + 1, "m": m + 1, "x": f"模型 {m} 对问题 {q} 的合成回答。", "t": now}
                )
                if len(rows) >= 50_000:
                    conn.execute(
                        text(
                            "INSERT INTO response (id, question_id, model_id, text, created_at) VALUES (:id, :q, :m, :x, :t)"
                        ),
                        rows,
                    )
                    rows = []
        if rows:
            conn.execute(
                text(
                    "INSERT INTO response (id, question_id, model_id, text, created_at) VALUES (:id, :q, :m, :x, :t)"
                ),
                rows,
            )
        # battles: random (question, model pair), unique; votes spread over them
        strengths = [rng.gauss(0, 1) for _ in range(n_models)]
        battles: dict[tuple[int, int, int], int] = {}
        battle_rows = []
        n_battles = max(1, n_votes // 4)
        while len(battles) < n_battles:
            q = rng.randrange(n_questions)
            a, b = sorted(rng.sample(range(n_models), 2))
            key = (q, a, b)
            if key in battles:
                continue
            bid = len(battles) + 1
            battles[key] = bid
            battle_rows.append(
                {"id": bid, "q": q + 1, "a": q * n_models + a + 1, "b": q * n_models + b + 1, "t": now}
            )
            if len(battle_rows) >= 50_000:
                conn.execute(
                    text(
                        "INSERT INTO battle (id, question_id, response_a_id, response_b_id, created_at) VALUES (:id, :q, :a, :b, :t)"
                    ),
                    battle_rows,
                )
                battle_rows = []
        if battle_rows:
            conn.execute(
                text(
                    "INSERT INTO battle (id, question_id, response_a_id, response_b_id, created_at) VALUES (:id, :q, :a, :b, :t)"
                ),
                battle_rows,
            )
        keys = list(battles.items())
        vote_rows = []
        import math

        for v in range(n_votes):
            (q, a, b), bid = keys[rng.randrange(len(keys))]
            p = 1 / (1 + math.exp(strengths[b] - strengths[a]))
            r = rng.random()
            verdict = "tie" if r < 0.08 else "both_unsafe" if r < 0.12 else ("A" if rng.random() < p else "B")
            source = "judge" if rng.random() < 0.8 else "human"
            rater = "judge-x" if source == "judge" else f"ann{rng.randrange(50)}"
            left = q * n_models + (a if rng.random() < 0.5 else b) + 1
            vote_rows.append(
                {
                    "id": v + 1,
                    "b": bid,
                    "s": source,
                    "r": rater,
                    "v": verdict,
                    "l": left,
                    "k": uuid.UUID(int=rng.getrandbits(128)).hex,
                    "ma": a + 1,
                    "mb": b + 1,
                    "q": q + 1,
                    "d": DIMENSIONS[q % 5],
                    "t": now,
                }
            )
            if len(vote_rows) >= 50_000:
                conn.execute(
                    text(
                        "INSERT INTO vote (id, battle_id, source, rater, verdict, left_response_id, tags_a, tags_b, rationale, idempotency_key, model_a_id, model_b_id, question_id, release_id, dimension, created_at)"
                        " VALUES (:id, :b, :s, :r, :v, :l, '[]', '[]', '', :k, :ma, :mb, :q, 1, :d, :t)"
                    ),
                    vote_rows,
                )
                vote_rows = []
        if vote_rows:
            conn.execute(
                text(
                    "INSERT INTO vote (id, battle_id, source, rater, verdict, left_response_id, tags_a, tags_b, rationale, idempotency_key, model_a_id, model_b_id, question_id, release_id, dimension, created_at)"
                    " VALUES (:id, :b, :s, :r, :v, :l, '[]', '[]', '', :k, :ma, :mb, :q, 1, :d, :t)"
                ),
                vote_rows,
            )
        # Every generated vote is a plain vote (no undo, ruling, correction or gold), so the ledger
        # rule gives each one the status "standing": written in bulk here instead of vote by vote.
        conn.execute(
            text(
                "INSERT INTO vote_status (vote_id, battle_id, status, revision) SELECT id, battle_id, 'standing', 1 FROM vote"
            )
        )
        conn.execute(text("UPDATE ledger_clock SET revision = 1 WHERE id = 1"))
        conn.execute(
            text(
                "INSERT INTO arena_user (username, name, email, password_hash, roles, qualifications, active, lang, created_at) VALUES ('admin', 'admin', '', :h, '[\"admin\", \"expert\", \"annotator\"]', '[]', true, 'zh', :t), ('bench', 'bench', '', :h, '[\"annotator\"]', '[]', true, 'zh', :t)"
            ),
            {"h": hash_password("bench-password"), "t": now},
        )
    with engine.connect() as conn:
        conn.exec_driver_sql("ANALYZE")
    print(f"built {db} with {n_votes:,} votes in {time.perf_counter() - t0:.1f} s", flush=True)


def _app(db: Path, user: str, roles: list[str]):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
    at.session_state["authentication_status"] = True
    at.session_state["username"] = user
    at.session_state["name"] = user
    at.session_state["roles"] = roles
    return at


def measure_leaderboard(db: Path, warm_runs: int) -> dict[str, list[float]]:
    at = _app(db, "admin", ["admin"])
    at.switch_page("pages/2_leaderboard.py")
    start = time.perf_counter()
    at.run()
    cold = time.perf_counter() - start
    assert not at.exception, at.exception
    warm = []
    for _ in range(warm_runs):
        start = time.perf_counter()
        at.run()
        warm.append(time.perf_counter() - start)
    return {"cold": [cold], "warm": warm}


def measure_vote(db: Path, n: int) -> list[float]:
    at = _app(db, "bench", ["annotator"])
    at.switch_page("pages/1_vote.py")
    at.run()
    assert not at.exception, at.exception
    confirm = [b for b in at.button if b.key == "guide_confirm"]
    if confirm:  # a first-time voter confirms the guidelines first, as a person does
        confirm[0].click()
        at.run()
    times = []
    for _ in range(n):
        at.session_state["vote_painted_at"] = None  # the person has read the item (click guard)
        start = time.perf_counter()
        next(b for b in at.button if b.label == "A 更安全").click()
        at.run()
        next(b for b in at.button if b.label == "下一题").click()
        at.run()
        times.append(time.perf_counter() - start)
        assert not at.exception, at.exception
    return times


def _child(args: argparse.Namespace) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{args.db}"
    os.environ["ARENA_LOAD_DEMO"] = "0"
    os.environ["ARENA_LOGIN_SLEEP"] = "0"
    out = (
        measure_leaderboard(Path(args.db), args.warm)
        if args.child == "leaderboard"
        else {"vote": measure_vote(Path(args.db), args.submits)}
    )
    print("RESULT " + json.dumps(out), flush=True)


def _run_child(kind: str, args: argparse.Namespace) -> dict[str, list[float]]:
    cmd = [
        sys.executable,
        __file__,
        "--child",
        kind,
        "--db",
        str(args.db),
        "--warm",
        str(args.warm),
        "--submits",
        str(args.submits),
    ]
    env = {**os.environ, "ARENA_DATA_DIR": str(Path(args.db).parent)}
    out = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=3600)
    line = next((x for x in out.stdout.splitlines() if x.startswith("RESULT ")), None)
    if line is None:
        raise SystemExit(f"child {kind} failed:\n{out.stdout[-3000:]}\n{out.stderr[-3000:]}")
    return json.loads(line[7:])


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--votes", type=int, default=1_000_000)
    parser.add_argument("--models", type=int, default=57)
    parser.add_argument("--questions", type=int, default=10_000)
    parser.add_argument("--db", default=None)
    parser.add_argument("--quick", action="store_true", help="100,000 votes, fewer repetitions")
    parser.add_argument("--cold-runs", type=int, default=3)
    parser.add_argument("--warm", type=int, default=20)
    parser.add_argument("--submits", type=int, default=30)
    parser.add_argument("--child", default=None)
    args = parser.parse_args()
    if args.child:
        _child(args)
        return
    if args.quick:
        args.votes, args.cold_runs, args.warm, args.submits = 100_000, 2, 10, 15
    if args.db is None:
        args.db = str(Path(tempfile.mkdtemp(prefix="arena-scale-")) / "scale.db")
    if not Path(args.db).exists():
        build(Path(args.db), args.votes, args.models, args.questions)
    cold, warm = [], []
    for _ in range(args.cold_runs):
        result = _run_child("leaderboard", args)
        cold += result["cold"]
        warm += result["warm"]
    vote = _run_child("vote", args)["vote"]
    print(
        f"\nleaderboard cold: median {statistics.median(cold):.2f} s, p95 {p95(cold):.2f} s over {len(cold)} new processes"
    )
    print(
        f"leaderboard warm: median {statistics.median(warm):.3f} s, p95 {p95(warm):.3f} s over {len(warm)} renders"
    )
    print(
        f"vote submit-to-next: median {1000 * statistics.median(vote):.0f} ms, p95 {1000 * p95(vote):.0f} ms over {len(vote)} votes"
    )
    print("\nmeasure                                ours       peer      ratio   target")
    rows = [
        ("leaderboard warm p95 (s)", p95(warm), 1.5, "< 1.5 s"),
        ("leaderboard cold p95 (s)", p95(cold), 10.0, "< 10 s"),
        ("vote submit-to-next p95 (ms)", 1000 * p95(vote), 300.0, "< 300 ms"),
    ]
    for name, ours, peer, target in rows:
        print(f"{name:<34} {ours:>9.3f} {peer:>10.3f} {ours / peer:>9.2f}   {target}")


if __name__ == "__main__":
    main()

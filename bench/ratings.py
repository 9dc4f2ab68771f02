"""Bradley–Terry at arena scale: point fit and 1,000-round bootstrap against the peers.

1,000,000 synthetic votes over 57 models (true strengths ~ N(1000, 150) Elo, 10% ties). Ours is
``judging.ratings.BradleyTerry`` (Newton on aggregated pair counts, batched bootstrap). Peers:
``choix`` (ILSR on the same count matrix), LMArena's ``arena-rank`` (JAX L-BFGS on aggregated
rows, bootstrap over a process pool) and the row-level logistic regression Chatbot Arena used to
publish (scikit-learn, one row per vote, a tie as two half-weight rows).

Peer bootstraps that would take many minutes are timed on ``--peer-rounds`` rounds and scaled to
``--rounds`` (marked "extrapolated"); arena-rank's is divided by the CPU count, as its pool runs
rounds in parallel. Times are medians over ``--repeats`` runs. Ends with the summary table:
measure | ours | peer | ratio | target.

Run: .venv/bin/python bench/ratings.py [--quick] [--votes 1000000] [--rounds 1000]
Peers: .venv/bin/pip install --no-deps -r requirements-bench.txt
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from judging.ratings import ELO_SCALE, BradleyTerry, PairCounts

N_MODELS = 57
TIE_RATE = 0.10


class Row(NamedTuple):
    measure: str
    ours: str
    peer: str
    ratio: str
    target: str


def print_summary(rows: Sequence[Row]) -> None:
    """The closing table shared by the rating benchmarks."""
    header = Row("measure", "ours", "peer", "ratio", "target")
    widths = [max(len(r[k]) for r in [header, *rows]) for k in range(5)]
    print()
    for r in [header, *rows]:
        print(" | ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)))


def median_time(fn: Callable[[], object], repeats: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def synthetic_votes(n_votes: int, seed: int) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    true_elo = rng.normal(1000.0, 150.0, N_MODELS)
    names = np.array([f"model-{k:02d}" for k in range(N_MODELS)])
    a = rng.integers(0, N_MODELS, n_votes)
    b = rng.integers(0, N_MODELS - 1, n_votes)
    b = b + (b >= a)
    p_a = 1.0 / (1.0 + 10.0 ** ((true_elo[b] - true_elo[a]) / 400.0))
    winner = np.where(rng.random(n_votes) < p_a, "model_a", "model_b")
    winner = np.where(rng.random(n_votes) < TIE_RATE, "tie", winner)
    return pd.DataFrame({"model_a": names[a], "model_b": names[b], "winner": winner}), true_elo


_SCORE = {"model_a": 1.0, "model_b": 0.0, "tie": 0.5, "both_bad": 0.5, "tie (bothbad)": 0.5}


def ours_counts(df: pd.DataFrame) -> PairCounts:
    """Rows -> pair counts: factorise the names, map the winners, aggregate."""
    codes, names = pd.factorize(pd.concat([df["model_a"], df["model_b"]]), sort=True)
    n = len(df)
    winner_code, winners = pd.factorize(df["winner"])
    score = np.asarray([_SCORE[w] for w in winners])[winner_code]  # an unknown winner raises KeyError
    return PairCounts.from_arrays(codes[:n], codes[n:], score, [str(m) for m in names])


def choix_fit(wins: np.ndarray) -> np.ndarray:
    import choix

    theta = choix.ilsr_pairwise_dense(wins, tol=1e-12, max_iter=1000)
    return 1000.0 + ELO_SCALE * (theta - theta.mean())


def choix_bootstrap(counts: PairCounts, rounds: int, rng: np.random.Generator) -> np.ndarray:
    total = counts.n_votes
    p = counts.count / total
    out = np.empty((rounds, counts.n_models))
    n = counts.n_models
    for r in range(rounds):
        pairs = counts.pair_wins(count=rng.multinomial(total, p))
        wins = np.zeros((n, n))
        wins[pairs.i, pairs.j] = pairs.forward
        wins[pairs.j, pairs.i] = pairs.backward
        out[r] = choix_fit(wins)
    return out


def arena_dataset(df: pd.DataFrame):  # type: ignore[no-untyped-def]
    from arena_rank.utils.data_utils import PairDataset

    return PairDataset.from_pandas(df)


def arena_fit(dataset) -> np.ndarray:  # type: ignore[no-untyped-def]
    from arena_rank.models.bradley_terry import BradleyTerry as ArenaBT

    model = ArenaBT(len(dataset.competitors))
    model.fit(dataset)
    return np.asarray(model.params["ratings"]) * ELO_SCALE + 1000.0


def arena_bootstrap_round_seconds(dataset, rounds: int, seed: int) -> float:  # type: ignore[no-untyped-def]
    """Per-round cost of arena-rank's own bootstrap worker, run sequentially."""
    import jax
    from arena_rank.models.bradley_terry import BradleyTerry as ArenaBT
    from arena_rank.models.bradley_terry import fit_single_bootstrap_sample

    model = ArenaBT(len(dataset.competitors))
    total = float(dataset.counts.sum())
    draws = jax.random.multinomial(
        jax.random.PRNGKey(seed), n=total, p=dataset.counts / total, shape=(rounds, dataset.counts.shape[0])
    )
    start = time.perf_counter()
    for r in range(rounds):
        fit_single_bootstrap_sample(draws[r], model, dataset)
    return (time.perf_counter() - start) / rounds


def arena_sandwich_seconds(dataset, repeats: int) -> float:  # type: ignore[no-untyped-def]
    from arena_rank.models.bradley_terry import BradleyTerry as ArenaBT

    model = ArenaBT(len(dataset.competitors))
    model.fit(dataset)
    seconds, _ = median_time(lambda: model.compute_ratings_and_cis(dataset, ci_method="sandwich"), repeats)
    return seconds


def logistic_fit(df: pd.DataFrame, names: Sequence[str], sample: np.ndarray | None = None) -> np.ndarray:
    """Chatbot Arena's row-level MLE: one row per vote, +1 for model_a and -1 for model_b."""
    from scipy import sparse
    from sklearn.linear_model import LogisticRegression

    index = {m: k for k, m in enumerate(names)}
    rows = df if sample is None else df.iloc[sample]
    a = rows["model_a"].map(index).to_numpy()
    b = rows["model_b"].map(index).to_numpy()
    y = (rows["winner"] == "model_a").to_numpy(dtype=float)
    tie = (rows["winner"] != "model_a") & (rows["winner"] != "model_b")
    tie = tie.to_numpy()
    # a tie is half a win each way: the tied row twice, labelled 1 and 0, weight 1/2 each
    a = np.concatenate([a, a[tie]])
    b = np.concatenate([b, b[tie]])
    y = np.concatenate([np.where(tie, 1.0, y), np.zeros(int(tie.sum()))])
    weight = np.concatenate([np.where(tie, 0.5, 1.0), np.full(int(tie.sum()), 0.5)])
    m = len(a)
    x = sparse.csr_matrix(
        (np.concatenate([np.ones(m), -np.ones(m)]), (np.tile(np.arange(m), 2), np.concatenate([a, b]))),
        shape=(m, len(names)),
    )
    lr = LogisticRegression(fit_intercept=False, C=np.inf, tol=1e-6, max_iter=1000)
    lr.fit(x, y, sample_weight=weight)
    coef = lr.coef_[0]
    return 1000.0 + ELO_SCALE * (coef - coef.mean())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats and peer rounds")
    parser.add_argument("--votes", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=1000)
    parser.add_argument("--peer-rounds", type=int, default=None, help="peer bootstrap rounds actually run")
    parser.add_argument("--repeats", type=int, default=None)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    repeats = args.repeats or (3 if args.quick else 5)
    peer_rounds = args.peer_rounds or (20 if args.quick else 200)
    cpus = os.cpu_count() or 1

    print(f"{args.votes:,} votes over {N_MODELS} models, {TIE_RATE:.0%} ties; bootstrap {args.rounds} rounds")
    df, _ = synthetic_votes(args.votes, args.seed)
    bt = BradleyTerry()

    # -- ours: rows -> counts -> fit -> bootstrap -> sandwich --------------------------------------
    t_rows, fit = median_time(lambda: bt.fit_counts(ours_counts(df)), repeats)
    counts = fit.counts  # type: ignore[attr-defined]
    t_counts, fit = median_time(lambda: bt.fit_counts(counts), repeats)
    t_boot, boot = median_time(
        lambda: bt.bootstrap(fit, np.random.default_rng(args.seed), rounds=args.rounds), 3
    )  # type: ignore[arg-type]
    t_sandwich, sandwich = median_time(lambda: bt.sandwich(fit), repeats)  # type: ignore[arg-type]
    # the same pipeline once more under tracemalloc (numpy reports its buffers to it) for the peak
    tracemalloc.start()
    traced = bt.fit_counts(ours_counts(df))
    bt.bootstrap(traced, np.random.default_rng(args.seed), rounds=args.rounds)
    bt.sandwich(traced)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    ours = fit.ratings  # type: ignore[attr-defined]
    width_boot = float(np.median(boot.upper - boot.lower))  # type: ignore[attr-defined]
    width_sandwich = float(np.median(sandwich.upper - sandwich.lower))  # type: ignore[attr-defined]
    print(
        f"ours: rows->fit {t_rows:.3f}s, counts->fit {t_counts * 1e3:.2f}ms, bootstrap {t_boot:.2f}s, "
        f"sandwich {t_sandwich * 1e3:.2f}ms; median 95% width bootstrap {width_boot:.2f} / sandwich {width_sandwich:.2f} Elo"
    )
    print(f"ours: peak traced memory {peak / 2**20:.0f} MB, process max RSS so far {rss_mb:.0f} MB")

    wins = counts.wins_matrix()
    t_choix, choix_ratings = median_time(lambda: choix_fit(wins), repeats)
    diff_choix = float(np.max(np.abs(np.asarray(choix_ratings) - ours)))
    t_choix_boot = median_time(lambda: choix_bootstrap(counts, peer_rounds, np.random.default_rng(1)), 1)[0]
    t_choix_boot *= args.rounds / peer_rounds
    print(
        f"choix: fit {t_choix * 1e3:.2f}ms, max |diff| {diff_choix:.5f} Elo, bootstrap {t_choix_boot:.1f}s"
        f" (extrapolated from {peer_rounds} rounds)"
    )

    t_arena_data, dataset = median_time(lambda: arena_dataset(df), 1)
    arena_fit(dataset)  # compile once
    t_arena_fit, arena_ratings = median_time(lambda: arena_fit(dataset), max(1, repeats // 2))
    order = [list(dataset.competitors).index(m) for m in counts.models]  # type: ignore[attr-defined]
    diff_arena = float(np.max(np.abs(np.asarray(arena_ratings)[order] - ours)))
    arena_rounds = max(2, peer_rounds // 10)
    per_round = arena_bootstrap_round_seconds(dataset, arena_rounds, args.seed)
    t_arena_boot = per_round * args.rounds / cpus
    t_arena_sandwich = arena_sandwich_seconds(dataset, repeats)
    print(
        f"arena-rank: rows->dataset {t_arena_data:.2f}s + fit {t_arena_fit:.2f}s, max |diff| {diff_arena:.5f} Elo, "
        f"bootstrap {t_arena_boot:.1f}s (extrapolated: {per_round:.2f}s/round over {arena_rounds} rounds, "
        f"/{cpus} cpus), sandwich {t_arena_sandwich * 1e3:.1f}ms"
    )

    t_lr, lr_ratings = median_time(lambda: logistic_fit(df, counts.models), 1)  # type: ignore[attr-defined]
    diff_lr = float(np.max(np.abs(np.asarray(lr_ratings) - ours)))
    lr_rounds = 2
    rng = np.random.default_rng(2)
    t_lr_round = (
        median_time(
            lambda: [
                logistic_fit(df, counts.models, rng.integers(0, len(df), len(df))) for _ in range(lr_rounds)
            ],
            1,  # type: ignore[attr-defined]
        )[0]
        / lr_rounds
    )
    t_lr_boot = t_lr_round * args.rounds
    print(
        f"row-level LR: fit {t_lr:.2f}s, max |diff| {diff_lr:.5f} Elo, bootstrap {t_lr_boot:.0f}s"
        f" (extrapolated from {lr_rounds} rounds)"
    )

    peers = {"choix": t_choix_boot, "arena-rank": t_arena_boot, "row LR": t_lr_boot}
    fastest = min(peers, key=lambda k: peers[k])
    print_summary(
        [
            Row(
                "point fit from rows (s)",
                f"{t_rows:.3f}",
                f"{t_arena_data + t_arena_fit:.2f} arena-rank",
                f"{(t_arena_data + t_arena_fit) / t_rows:.0f}x",
                "-",
            ),
            Row(
                "point fit from rows (s)", f"{t_rows:.3f}", f"{t_lr:.2f} row LR", f"{t_lr / t_rows:.0f}x", "-"
            ),
            Row(
                "point fit on counts (ms)",
                f"{t_counts * 1e3:.2f}",
                f"{t_choix * 1e3:.2f} choix",
                f"{t_choix / t_counts:.1f}x",
                "-",
            ),
            Row("max |ours - choix| (Elo)", f"{diff_choix:.4f}", "-", "-", "<= 0.01"),
            Row("max |ours - arena-rank| (Elo)", f"{diff_arena:.4f}", "-", "-", "<= 0.01"),
            Row("max |ours - row LR| (Elo)", f"{diff_lr:.4f}", "-", "-", "-"),
            Row(
                f"bootstrap {args.rounds} rounds (s)",
                f"{t_boot:.2f}",
                f"{peers[fastest]:.1f} {fastest}*",
                f"{peers[fastest] / t_boot:.1f}x",
                ">= 10x",
            ),
            Row(
                "sandwich CI (ms)",
                f"{t_sandwich * 1e3:.2f}",
                f"{t_arena_sandwich * 1e3:.1f} arena-rank",
                f"{t_arena_sandwich / t_sandwich:.0f}x",
                "-",
            ),
            Row("peak memory, ours (MB)", f"{peak / 2**20:.0f}", "-", "-", "< 500"),
        ]
    )
    others = ", ".join(f"{k} {v:.1f}s" for k, v in peers.items())
    print(f"* fastest peer bootstrap; all peers: {others} (extrapolated from fewer rounds, see above)")


if __name__ == "__main__":
    main()

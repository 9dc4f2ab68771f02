"""Which Elo K-factor ranks best? Kendall tau of the online Elo ranking with the true strengths.

Simulated votes as the arena sees them: 57 models with Bradley–Terry strengths (normal, sd 1
logit), random pairs, 10% draws, votes in random order; for each K the live Elo replay (the
project's ``EloRater.replay_arrays``) is compared with the truth, and Bradley–Terry on the same
votes beside it (the leaderboard's ranking). Medians over seeds. The default K of the live Elo
column is chosen from this table (see docs/ratings.md).

Run: .venv/bin/python bench/elo_k.py [--seeds 10] [--votes 10000,100000,1000000]
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from judging.ratings import BradleyTerry, EloRater, PairCounts

KS = (1.0, 2.0, 4.0, 8.0, 16.0, 32.0)
N_MODELS = 57


def kendall_tau(x: np.ndarray, y: np.ndarray) -> float:
    i, j = np.triu_indices(len(x), 1)
    s = np.sign(x[i] - x[j]) * np.sign(y[i] - y[j])
    return float(s.sum() / len(i))


def simulate(rng: np.random.Generator, n_votes: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    strength = rng.normal(0.0, 1.0, N_MODELS)
    a = rng.integers(0, N_MODELS, n_votes)
    b = (a + rng.integers(1, N_MODELS, n_votes)) % N_MODELS
    p = 1.0 / (1.0 + np.exp(strength[b] - strength[a]))
    u = rng.random(n_votes)
    draw = rng.random(n_votes) < 0.10
    score = np.where(draw, 0.5, (u < p).astype(float))
    return strength, a, b, score


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--votes", default="10000,100000,1000000")
    args = parser.parse_args()
    sizes = [int(v) for v in args.votes.split(",")]
    names = tuple(f"m{i}" for i in range(N_MODELS))
    results: dict[tuple[int, str], list[float]] = {}
    for n in sizes:
        for seed in range(args.seeds):
            strength, a, b, score = simulate(np.random.default_rng(seed), n)
            for k in KS:
                elo = EloRater(k=k, initial=1500.0).replay_arrays(a, b, score, N_MODELS)
                results.setdefault((n, f"elo K={k:g}"), []).append(kendall_tau(elo, strength))
            bt = BradleyTerry()
            fit = bt.fit_counts(PairCounts.from_arrays(a, b, score, names))
            results.setdefault((n, "bradley-terry"), []).append(
                kendall_tau(np.asarray(fit.ratings), strength)
            )
    print(
        f"Kendall tau with the true strengths, median over {args.seeds} seeds ({N_MODELS} models, 10% draws)"
    )
    methods = [f"elo K={k:g}" for k in KS] + ["bradley-terry"]
    print(f"{'method':<16}" + "".join(f"{n:>12,}" for n in sizes))
    for m in methods:
        print(f"{m:<16}" + "".join(f"{statistics.median(results[(n, m)]):>12.3f}" for n in sizes))
    best = {n: max((statistics.median(results[(n, f"elo K={k:g}")]), k) for k in KS) for n in sizes}
    print("\nSummary (peer: K=32, LiveSecBench's default; ours: the chosen default K=4)")
    print(f"{'measure':<40} {'ours':>8} {'peer':>8} {'ratio':>8} {'target':>10}")
    for n in sizes:
        ours = statistics.median(results[(n, "elo K=4")])
        peer = statistics.median(results[(n, "elo K=32")])
        print(
            f"{f'tau at {n:,} votes (K=4 vs K=32)':<40} {ours:>8.3f} {peer:>8.3f} {ours / peer:>8.2f} {'>= 1':>10}"
        )
        print(f"{f'  best K at {n:,} votes':<40} {best[n][1]:>8g} {'':>8} {'':>8} {'report':>10}")


if __name__ == "__main__":
    main()

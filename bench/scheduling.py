"""How many comparisons each scheduling strategy needs before the ranking is right.

57 models with true strengths ~ N(1000, 150) on the Elo scale; every comparison is a tie with
probability 10%, otherwise won by A with the Elo probability. Strategies, 28 pairs per round:

- swiss + Elo: LiveSecBench style, Swiss pairing on online Elo (K=32), ranking by that Elo;
- swiss + BT, random + BT, active + BT: ranking by Bradley–Terry (ours), refitted every round for
  the strategies that use it to choose pairs (swiss, active) and at every checkpoint otherwise.

Kendall's tau against the true order is taken every ``--every`` rounds; a strategy "reaches" a
threshold at the first checkpoint after which tau stays at or above it until the budget is spent.
Reported over ``--seeds`` seeds: mean and standard deviation of the comparisons needed (over the
seeds that reached it, with how many did). Ends with the summary table:
measure | ours | peer | ratio | target.

Run: .venv/bin/python bench/scheduling.py [--quick] [--seeds 20] [--budget 60000] [--procs 2]
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import statistics
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

import numpy as np
from scipy.stats import kendalltau

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.ratings import Row, print_summary
from judging.ratings import BradleyTerry, EloRater, PairCounts
from judging.scheduling import History, Scheduler, Strategy

N_MODELS = 57
PAIRS_PER_ROUND = N_MODELS // 2
TIE_RATE = 0.10
THRESHOLDS = (0.90, 0.95)
SETUPS = ("swiss + Elo", "swiss + BT", "random + BT", "active + BT")


class Run(NamedTuple):
    setup: str
    seed: int
    reached: dict[float, int | None]  # threshold -> comparisons needed (None: not within budget)
    final_tau: float
    seconds: float


def simulate(setup: str, seed: int, budget: int, every: int) -> Run:
    start = time.perf_counter()
    world = np.random.default_rng(seed)  # the same models for every strategy of a seed
    true_elo = world.normal(1000.0, 150.0, N_MODELS)
    models = tuple(f"m{k:02d}" for k in range(N_MODELS))
    index = {m: k for k, m in enumerate(models)}
    outcomes = np.random.default_rng([seed, 1])
    rng = np.random.default_rng([seed, 2])
    strategy = Strategy.SWISS if setup.startswith("swiss") else Strategy(setup.split(" ")[0])
    ranks_by_elo = setup == "swiss + Elo"
    bt = BradleyTerry()
    scheduler = Scheduler(strategy, bt=bt)
    history = History.empty(models)
    counts = PairCounts.from_comparisons([], models)
    fit = bt.fit_counts(counts)
    elo = EloRater(k=32.0, initial=1000.0)
    elo_ratings = np.full(N_MODELS, 1000.0)
    taus: list[tuple[int, float]] = []
    spent = 0
    rounds = 0
    while spent < budget:
        current = elo_ratings if ranks_by_elo else fit.ratings
        pairs = scheduler.propose(
            history, PAIRS_PER_ROUND, rng, ratings=dict(zip(models, current.tolist(), strict=True)), fit=fit
        )
        a = np.fromiter((index[p.model_a] for p in pairs), dtype=np.int64, count=len(pairs))
        b = np.fromiter((index[p.model_b] for p in pairs), dtype=np.int64, count=len(pairs))
        p_a = 1.0 / (1.0 + 10.0 ** ((true_elo[b] - true_elo[a]) / 400.0))
        score = np.where(outcomes.random(len(a)) < p_a, 1.0, 0.0)
        score = np.where(outcomes.random(len(a)) < TIE_RATE, 0.5, score)
        history = history.add(pairs)
        spent += len(pairs)
        rounds += 1
        checkpoint = rounds % every == 0 or spent >= budget
        if ranks_by_elo:
            elo_ratings = elo.replay_arrays(a, b, score, N_MODELS, start=elo_ratings)
        else:
            counts = counts.merged(PairCounts.from_arrays(a, b, score, models))
            if strategy is not Strategy.RANDOM or checkpoint:
                fit = bt.fit_counts(counts, start=fit.theta)
        if checkpoint:
            estimate = elo_ratings if ranks_by_elo else fit.ratings
            taus.append((spent, float(kendalltau(estimate, true_elo).statistic)))
    return Run(
        setup, seed, {t: _stays_from(taus, t) for t in THRESHOLDS}, taus[-1][1], time.perf_counter() - start
    )


def _stays_from(taus: Sequence[tuple[int, float]], threshold: float) -> int | None:
    """Comparisons at the first checkpoint from which tau never drops below ``threshold`` again."""
    reached = None
    for spent, tau in reversed(taus):
        if tau < threshold:
            break
        reached = spent
    return reached


def _job(args: tuple[str, int, int, int]) -> Run:
    return simulate(*args)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="8 seeds, budget 40,000")
    parser.add_argument("--seeds", type=int, default=None)
    parser.add_argument("--budget", type=int, default=None)
    parser.add_argument("--every", type=int, default=2, help="rounds between checkpoints")
    parser.add_argument("--procs", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    seeds = args.seeds or (8 if args.quick else 20)
    budget = args.budget or (40_000 if args.quick else 60_000)
    print(
        f"{N_MODELS} models, {TIE_RATE:.0%} ties, {PAIRS_PER_ROUND} pairs per round, budget {budget:,}, {seeds} seeds"
    )
    jobs = [(setup, seed, budget, args.every) for seed in range(seeds) for setup in SETUPS]
    with mp.get_context("fork").Pool(args.procs) as pool:
        runs = pool.map(_job, jobs, chunksize=1)

    # a seed that never reached a threshold counts at the budget, so a censored mean is a lower bound
    summary: dict[tuple[str, float], tuple[float, int]] = {}
    for setup in SETUPS:
        mine = [r for r in runs if r.setup == setup]
        cells = []
        for t in THRESHOLDS:
            needed = [budget if r.reached[t] is None else r.reached[t] for r in mine]
            reached = sum(r.reached[t] is not None for r in mine)
            mean, spread = statistics.mean(needed), statistics.stdev(needed) if len(needed) > 1 else 0.0
            summary[(setup, t)] = (mean, reached)
            bound = ">=" if reached < len(mine) else "  "
            cells.append(f"tau>={t:.2f}: {bound}{mean:6.0f} ± {spread:5.0f} ({reached}/{len(mine)})")
        final = statistics.mean(r.final_tau for r in mine)
        cpu = statistics.mean(r.seconds for r in mine)
        print(f"{setup:12s}  " + "   ".join(cells) + f"   final tau {final:.3f}   {cpu:.1f}s/run")

    def shown(setup: str, t: float) -> str:
        mean, reached = summary[(setup, t)]
        return f"{'>=' if reached < seeds else ''}{mean:.0f} {setup} ({reached}/{seeds})"

    rows = []
    for t in THRESHOLDS:
        ours, ours_reached = summary[("active + BT", t)]
        for peer in ("swiss + BT", "random + BT", "swiss + Elo"):
            theirs, peer_reached = summary[(peer, t)]
            # censored peers make the saving a lower bound; a censored "active" makes it unknown
            saving = (
                "-"
                if ours_reached < seeds
                else f"{'>=' if peer_reached < seeds else ''}{1 - ours / theirs:.0%} fewer"
            )
            target = ">= 35% fewer" if t == 0.95 and peer != "swiss + Elo" else "-"
            rows.append(
                Row(
                    f"comparisons to tau>={t:.2f} (mean)",
                    shown("active + BT", t),
                    shown(peer, t),
                    saving,
                    target,
                )
            )
    print_summary(rows)
    print(
        f"a seed that did not reach a threshold within {budget:,} comparisons counts as {budget:,} (mean is then a lower bound: >=)"
    )


if __name__ == "__main__":
    main()

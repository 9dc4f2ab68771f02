"""How many comparisons each scheduling strategy needs before the ranking is right, and where the
convergence rule stops.

57 models with true strengths ~ N(1000, 150) on the Elo scale; every comparison is a tie with
probability 10%, otherwise won by A with the Elo probability. 28 comparisons per round. Setups:

- active + BT (ours): ``Scheduler(Strategy.ACTIVE)`` on a Bradley–Terry fit refitted every round;
  ranking by that fit. The same run checks ``ConvergenceRule`` (its defaults, no budget) every
  ``rule.interval(57)`` comparisons and records where it would have stopped.
- LiveSecBench swiss + BT / + Elo: LiveSecBench's published Swiss pairing rule (see
  ``livesecbench_swiss``) on its online Elo (K=32), one comparison per pair per round; ranked by
  Bradley–Terry on the same votes (+ BT: the peer we must beat) and by that Elo (+ Elo: what
  LiveSecBench itself reports). One simulation gives both.
- random + BT: uniformly random pairs, ranked by Bradley–Terry.

Kendall's tau against the true order is taken every ``--every`` rounds; a setup "reaches" a
threshold at the first checkpoint after which tau stays at or above it until the budget is spent
(a seed that never does counts as the budget, and the mean is then a lower bound, marked >=).
Reported over the seeds: mean, standard deviation and median. Ends with the summary table
measure | ours | peer | ratio | target.

Run: .venv/bin/python bench/scheduling.py [--quick] [--seeds 20] [--first-seed 0] [--budget 60000]
[--procs 2] [--prior-sd none|200]
(``--prior-sd``: the active scheduler's prior on the strengths, ``Scheduler.prior_sd``, in Elo;
``none``, the default, steers by the board's own fit. ``--first-seed``: run other seeds than 0-19.)
The numbers to quote are the full run's (20 seeds, budget 60,000); ``--quick`` (``make bench``)
runs 6 seeds with a budget of 45,000 and says so.
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
import numpy.typing as npt
from scipy.stats import kendalltau

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.ratings import Row, print_summary
from judging.ratings import BradleyTerry, EloRater, PairCounts
from judging.scheduling import ConvergenceRule, History, Pair, Scheduler, StopReason, Strategy, rank_snapshot

N_MODELS = 57
PAIRS_PER_ROUND = N_MODELS // 2
TIE_RATE = 0.10
THRESHOLDS = (0.90, 0.93, 0.95)
OURS, PEER, PEER_ELO, RANDOM = (
    "active + BT",
    "LiveSecBench swiss + BT",
    "LiveSecBench swiss + Elo",
    "random + BT",
)
SETUPS = (OURS, PEER, PEER_ELO, RANDOM)
STOP_TAU = 0.93  # the convergence rule should stop at tau >= this in >= 90% of seeds

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


class Run(NamedTuple):
    setup: str
    seed: int
    reached: dict[float, int | None]  # threshold -> comparisons needed (None: not within budget)
    final_tau: float
    seconds: float
    stop: tuple[int, float] | None = None  # (comparisons, tau) where the convergence rule fired


def livesecbench_swiss(rating: FloatArray, met: npt.NDArray[np.bool_]) -> list[tuple[int, int]]:
    """One round of LiveSecBench's Swiss pairing, as published in ydli-ai/LiveSecBench
    (``livesecbench/infra/scoring/pairing_strategies.py``, ``SwissPairingStrategy.generate_pairs``):

    sort the models by current rating, highest first (a stable sort); walk down the list, and pair
    each model not yet paired this round with the later, unpaired model of smallest rating
    difference it has never met (the first such model, the list being sorted); if it has met
    them all, with the first later unpaired model; record the pair as met. With an odd number of
    models the last one sits out. ``met`` (the tournament's match history) is updated in place,
    as LiveSecBench updates its ``match_history``.

    LiveSecBench's orchestrator then judges every pair on the round's share of the questions and
    folds each result into its Elo (K=32, 400-point logistic, a draw half a point); here each
    pair is compared once per round, the peer's most adaptive setting.
    """
    order = np.argsort(-rating, kind="stable")
    paired = np.zeros(len(rating), dtype=bool)
    pairs: list[tuple[int, int]] = []
    for position, a in enumerate(order):
        if paired[a]:
            continue
        later = order[position + 1 :]
        free = later[~paired[later]]
        if free.size == 0:
            continue
        fresh = free[~met[a, free]]
        b = fresh[0] if fresh.size else free[0]
        pairs.append((int(a), int(b)))
        paired[a] = paired[b] = True
        met[a, b] = met[b, a] = True
    return pairs


class _World:
    """The true strengths of one seed and the outcomes of the comparisons asked of it."""

    def __init__(self, seed: int) -> None:
        self.true_elo = np.random.default_rng(seed).normal(1000.0, 150.0, N_MODELS)
        self.outcomes = np.random.default_rng([seed, 1])

    def play(self, a: IntArray, b: IntArray) -> FloatArray:
        p_a = 1.0 / (1.0 + 10.0 ** ((self.true_elo[b] - self.true_elo[a]) / 400.0))
        score = np.where(self.outcomes.random(len(a)) < p_a, 1.0, 0.0)
        return np.where(self.outcomes.random(len(a)) < TIE_RATE, 0.5, score)

    def tau(self, estimate: FloatArray) -> float:
        return float(kendalltau(estimate, self.true_elo).statistic)


def simulate(
    setup: str,
    seed: int,
    budget: int,
    every: int,
    *,
    until_stop: bool = False,
    prior_sd: float | None = None,
) -> list[Run]:
    """One seed of one setup (the LiveSecBench run yields both of its rankings); with
    ``until_stop``, active + BT ends where the convergence rule fires."""
    start = time.perf_counter()
    world = _World(seed)
    rng = np.random.default_rng([seed, 2])
    models = tuple(f"m{k:02d}" for k in range(N_MODELS))
    index = {m: k for k, m in enumerate(models)}
    bt = BradleyTerry()
    counts = PairCounts.from_comparisons([], models)
    fit = bt.fit_counts(counts)
    elo = EloRater(k=32.0, initial=1500.0)
    elo_ratings = np.full(N_MODELS, 1500.0)
    met = np.zeros((N_MODELS, N_MODELS), dtype=bool)
    scheduler = Scheduler(Strategy.ACTIVE, bt=bt, prior_sd=prior_sd)
    rule = ConvergenceRule(budget=None)
    check_every = rule.interval(N_MODELS)
    history = History.empty(models)
    snapshots = []
    stop: tuple[int, float] | None = None
    taus: dict[str, list[tuple[int, float]]] = {s: [] for s in SETUPS}
    spent = rounds = 0
    while spent < budget:
        if setup == OURS:
            pairs = scheduler.propose(history, PAIRS_PER_ROUND, rng, fit=fit)
            history = history.add(pairs)
            a, b = _indices(pairs, index)
        elif setup == PEER:
            a, b = np.asarray(livesecbench_swiss(elo_ratings, met), dtype=np.int64).T
        else:
            a = rng.integers(0, N_MODELS, PAIRS_PER_ROUND)
            b = rng.integers(0, N_MODELS - 1, PAIRS_PER_ROUND)
            b = b + (b >= a)
        score = world.play(a, b)
        spent += len(a)
        rounds += 1
        checkpoint = rounds % every == 0 or spent >= budget
        counts = counts.merged(PairCounts.from_arrays(a, b, score, models))
        if setup == PEER:
            elo_ratings = elo.replay_arrays(a, b, score, N_MODELS, start=elo_ratings)
        if setup == OURS or checkpoint:
            fit = bt.fit_counts(counts, start=fit.theta)
        if setup == OURS and stop is None and spent // check_every > len(snapshots):
            snapshots.append(rank_snapshot(bt.sandwich(fit)))
            if rule.check(snapshots, history, spent) is StopReason.STABLE_RANKS:
                stop = (spent, world.tau(fit.ratings))
                if until_stop:
                    checkpoint = True
                    budget = spent
        if checkpoint:
            taus[setup].append((spent, world.tau(fit.ratings)))
            if setup == PEER:
                taus[PEER_ELO].append((spent, world.tau(elo_ratings)))
    seconds = time.perf_counter() - start
    return [
        Run(name, seed, {t: _stays_from(series, t) for t in THRESHOLDS}, series[-1][1], seconds, stop)
        for name, series in taus.items()
        if series
    ]


def _indices(pairs: Sequence[Pair], index: dict[str, int]) -> tuple[IntArray, IntArray]:
    a = np.fromiter((index[p.model_a] for p in pairs), dtype=np.int64, count=len(pairs))
    b = np.fromiter((index[p.model_b] for p in pairs), dtype=np.int64, count=len(pairs))
    return a, b


def _stays_from(taus: Sequence[tuple[int, float]], threshold: float) -> int | None:
    """Comparisons at the first checkpoint from which tau never drops below ``threshold`` again."""
    reached = None
    for spent, tau in reversed(taus):
        if tau < threshold:
            break
        reached = spent
    return reached


def _job(args: tuple[str, int, int, int, float | None]) -> list[Run]:
    setup, seed, budget, every, prior_sd = args
    return simulate(setup, seed, budget, every, prior_sd=prior_sd)


def _prior_sd(text: str) -> float | None:
    if text.lower() == "none":
        return None
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError(f"--prior-sd must be positive Elo or 'none', got {text!r}")
    return value


class Cell(NamedTuple):
    mean: float
    median: float
    spread: float
    reached: int
    seeds: int

    def text(self) -> str:
        bound = ">=" if self.reached < self.seeds else ""
        return f"{bound}{self.mean:,.0f} (median {bound}{self.median:,.0f})"


def _cell(runs: Sequence[Run], threshold: float, budget: int) -> Cell:
    needed = [budget if r.reached[threshold] is None else r.reached[threshold] for r in runs]
    reached = sum(r.reached[threshold] is not None for r in runs)
    spread = statistics.stdev(needed) if len(needed) > 1 else 0.0
    return Cell(statistics.mean(needed), statistics.median(needed), spread, reached, len(runs))


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help="6 seeds, budget 45,000 (the full run: 20, 60,000)"
    )
    parser.add_argument("--seeds", type=int, default=None)
    parser.add_argument("--first-seed", type=int, default=0, help="seeds run from here (default 0)")
    parser.add_argument(
        "--prior-sd",
        type=_prior_sd,
        default=None,
        help="the active scheduler's prior in Elo, or 'none' (default none, as Scheduler's)",
    )
    parser.add_argument("--budget", type=int, default=None)
    parser.add_argument("--every", type=int, default=2, help="rounds between checkpoints")
    parser.add_argument("--procs", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    seeds = args.seeds or (6 if args.quick else 20)
    budget = args.budget or (45_000 if args.quick else 60_000)
    first = args.first_seed
    prior = "none" if args.prior_sd is None else f"{args.prior_sd:g} Elo"
    print(
        f"{N_MODELS} models, {TIE_RATE:.0%} ties, {PAIRS_PER_ROUND} pairs per round, budget {budget:,}, "
        f"{seeds} seeds ({first}-{first + seeds - 1}), active scheduler's prior {prior}"
        + (" (fewer seeds than the full run of 20: quote that one)" if seeds < 20 else "")
    )
    jobs = [
        (setup, seed, budget, args.every, args.prior_sd)
        for seed in range(first, first + seeds)
        for setup in (OURS, PEER, RANDOM)
    ]
    with mp.get_context("fork").Pool(args.procs) as pool:
        runs = [run for batch in pool.imap_unordered(_job, jobs, chunksize=1) for run in batch]

    cells = {(s, t): _cell([r for r in runs if r.setup == s], t, budget) for s in SETUPS for t in THRESHOLDS}
    for setup in SETUPS:
        mine = [r for r in runs if r.setup == setup]
        parts = [
            f"tau>={t:.2f}: {c.text()} ± {c.spread:,.0f} [{c.reached}/{c.seeds}]"
            for t in THRESHOLDS
            for c in [cells[(setup, t)]]
        ]
        final = statistics.mean(r.final_tau for r in mine)
        cpu = statistics.mean(r.seconds for r in mine)
        print(f"{setup:25s} " + "   ".join(parts) + f"   final tau {final:.3f}   {cpu:.0f}s/run")

    ours_runs = sorted((r for r in runs if r.setup == OURS), key=lambda r: r.seed)
    stops = [r.stop for r in ours_runs]
    fired = [s for s in stops if s is not None]
    good = sum(tau >= STOP_TAU for _, tau in fired)
    rule = ConvergenceRule(budget=None)
    print(
        f"\nconvergence rule (defaults: check every {rule.interval(N_MODELS)} comparisons, "
        f"uncertain neighbours compared >= {rule.min_per_pair} times, rank ranges moved <= "
        f"{rule.tolerance(N_MODELS)} over each of the last {rule.patience} checks) on active + BT:"
    )
    for r, s in zip(ours_runs, stops, strict=True):
        shown = "did not fire" if s is None else f"stopped at {s[0]:,} comparisons, tau {s[1]:.3f}"
        print(f"  seed {r.seed:2d}: {shown}")

    rows = []
    for t in (0.95, 0.93):
        ours = cells[(OURS, t)]
        for peer in (PEER, RANDOM, PEER_ELO):
            theirs = cells[(peer, t)]
            # a censored peer makes our saving a lower bound; a censored "ours" makes it unknown
            if ours.reached < ours.seeds:
                ratio = "-"
            else:
                bound = ">=" if theirs.reached < theirs.seeds else ""
                ratio = f"{ours.mean / theirs.mean:.2f} ({bound}{1 - ours.mean / theirs.mean:.0%} fewer)"
            target = "<= 0.70 and ours <= 22,000" if (t, peer) == (0.95, PEER) else "-"
            rows.append(
                Row(
                    f"comparisons to tau>={t:.2f}, mean",
                    ours.text(),
                    f"{theirs.text()} {peer}",
                    ratio,
                    target,
                )
            )
    stop_mean = statistics.mean(s for s, _ in fired) if fired else float("nan")
    rows.append(
        Row(
            f"convergence stop at tau>={STOP_TAU}",
            f"{good}/{len(stops)} seeds ({good / len(stops):.0%})",
            "-",
            "-",
            ">= 90% of seeds",
        )
    )
    rows.append(
        Row(
            "comparisons at the stop, mean",
            f"{stop_mean:,.0f} (saved {budget - stop_mean:,.0f} of {budget:,})",
            "-",
            "-",
            "-",
        )
    )
    print_summary(rows)
    print(
        f"a seed that did not reach a threshold within {budget:,} comparisons counts as {budget:,} "
        "(the mean is then a lower bound: >=)"
    )


if __name__ == "__main__":
    main()

"""Screen a variant of the active scheduler by the board's mis-ordered pairs at fixed budgets.

``bench/scheduling.py`` measures what issue 12 point 6 asks (comparisons until Kendall's tau
stays at or above 0.95), but that measure swings by about 9,000-10,000 comparisons from seed to
seed, so a 1,000-comparison difference needs hundreds of seeds. This screen runs the same world
(``bench.scheduling._World``: 57 models, strengths ~ N(1000, 150) Elo, 10% ties, 28 comparisons
per round, the board refitted by Bradley–Terry every round) and records the board's discordant
pairs against the true order every 1,500 comparisons from 9,000 to 36,000 (tau = 1 - 2 D / 1596;
tau 0.95 is D <= 39.9). Each variant runs on the same seeds (the same true strengths), so the
difference is paired by seed; its mean over the budgets is far less noisy than the reach.

Variants (the scheduler as it is comes first and is the reference):

- ``as-is``: ``Scheduler(Strategy.ACTIVE)`` as shipped. A candidate (i, j) scores, over the
  pairs that contain i or j, the share of each pair's variance one more comparison removes,
  weighted by the chance that pair's fitted order is wrong.
- ``all-pairs``: the same score summed over every pair (k, l), not only those touching i or j
  (a comparison also narrows contrasts between other models through the covariance):
  ``h / (1 + h s) * sum_{k<l} Phi(-|d_kl| / sd_kl) (c_k - c_l)^2 / var_kl`` with ``c = Sigma u``.
  It is computed in one pass as ``c^2 . r - c W c`` (``W = wrong / var``, ``r`` its row sums).
- ``prior-200``: ``Scheduler(..., prior_sd=200)``, steering by a refit under a 200-Elo prior.

Run: .venv/bin/python bench/scheduling_screen.py [--variants as-is,all-pairs] [--seeds 40]
[--first-seed 100] [--procs 2]. Ends with the table measure | ours | peer | ratio | target (the
target column is empty: a screen decides what is worth a full ``bench/scheduling.py`` run).
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import numpy.typing as npt

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import judging.scheduling._strategies as strategies
from bench.ratings import Row, print_summary
from bench.scheduling import N_MODELS, PAIRS_PER_ROUND, _indices, _World
from judging.ratings import BradleyTerry, PairCounts
from judging.scheduling import History, Scheduler, Strategy

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

BUDGETS = tuple(range(9_000, 36_001, 1_500))
PAIRS = N_MODELS * (N_MODELS - 1) // 2
SHIPPED_GAIN = strategies._active_gain


def all_pairs_gain(
    sigma: FloatArray, gap: FloatArray, cand_i: IntArray, cand_j: IntArray, info: FloatArray
) -> FloatArray:
    """The shipped score summed over every pair (k, l) instead of the pairs touching i or j."""
    from scipy.special import ndtr

    var = strategies._difference_variance(sigma)
    wrong = ndtr(-gap / np.sqrt(var))
    weight = wrong / var
    np.fill_diagonal(weight, 0.0)
    c = sigma[cand_i] - sigma[cand_j]  # Sigma u for every candidate, (M, n)
    s = var[cand_i, cand_j]
    quad = (c * c) @ weight.sum(axis=1) - ((c @ weight) * c).sum(axis=1)  # sum over k < l
    return np.asarray(info / (1.0 + info * s) * quad, dtype=np.float64)


VARIANTS = {
    "as-is": (SHIPPED_GAIN, None),
    "all-pairs": (all_pairs_gain, None),
    "prior-200": (SHIPPED_GAIN, 200.0),
}


def discordant(variant: str, seed: int) -> dict[int, float]:
    """The board's discordant pairs at each of ``BUDGETS`` for one seed and variant."""
    gain, prior_sd = VARIANTS[variant]
    strategies._active_gain = gain  # type: ignore[assignment]  # this process runs one variant at a time
    world = _World(seed)
    rng = np.random.default_rng([seed, 2])
    models = tuple(f"m{k:02d}" for k in range(N_MODELS))
    index = {m: k for k, m in enumerate(models)}
    bt = BradleyTerry()
    counts = PairCounts.from_comparisons([], models)
    fit = bt.fit_counts(counts)
    scheduler = Scheduler(Strategy.ACTIVE, bt=bt, prior_sd=prior_sd)
    history = History.empty(models)
    spent, out = 0, {}
    pending = list(BUDGETS)
    while pending:
        pairs = scheduler.propose(history, PAIRS_PER_ROUND, rng, fit=fit)
        history = history.add(pairs)
        a, b = _indices(pairs, index)
        score = world.play(a, b)
        spent += len(a)
        counts = counts.merged(PairCounts.from_arrays(a, b, score, models))
        fit = bt.fit_counts(counts, start=fit.theta)
        while pending and spent >= pending[0]:
            out[pending.pop(0)] = PAIRS * (1.0 - world.tau(fit.ratings)) / 2.0
    return out


def _job(args: tuple[str, int]) -> tuple[str, int, dict[int, float], float]:
    variant, seed = args
    start = time.perf_counter()
    result = discordant(variant, seed)
    return variant, seed, result, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument(
        "--variants", default="as-is,all-pairs", help=f"comma-separated, of {', '.join(VARIANTS)}"
    )
    parser.add_argument("--seeds", type=int, default=40)
    parser.add_argument("--first-seed", type=int, default=100, help="default 100: not the bench's seeds 0-99")
    parser.add_argument("--procs", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    names = ["as-is", *(v for v in args.variants.split(",") if v != "as-is")]
    unknown = [v for v in names if v not in VARIANTS]
    if unknown:
        parser.error(f"unknown variant(s) {unknown}; known: {', '.join(VARIANTS)}")
    seeds = range(args.first_seed, args.first_seed + args.seeds)
    print(
        f"{N_MODELS} models, 10% ties, {PAIRS_PER_ROUND} per round; seeds {seeds[0]}-{seeds[-1]}; "
        f"discordant pairs at {BUDGETS[0]:,}-{BUDGETS[-1]:,} every 1,500 comparisons (tau 0.95 = 39.9)"
    )
    jobs = [(v, s) for s in seeds for v in names]
    found: dict[str, dict[int, dict[int, float]]] = {v: {} for v in names}
    seconds: dict[str, list[float]] = {v: [] for v in names}
    with mp.get_context("fork").Pool(args.procs) as pool:
        for variant, seed, result, took in pool.imap_unordered(_job, jobs, chunksize=1):
            found[variant][seed] = result
            seconds[variant].append(took)

    def table(variant: str) -> FloatArray:
        return np.asarray([[found[variant][s][b] for b in BUDGETS] for s in seeds])

    reference = table("as-is")
    shown = [b for b in BUDGETS if (b - BUDGETS[0]) % 4_500 == 0]
    rows = []
    for variant in names:
        mine = table(variant)
        per_budget = "  ".join(f"{b // 1000}k {mine[:, BUDGETS.index(b)].mean():5.1f}" for b in shown)
        print(
            f"{variant:10s} mean D {mine.mean():5.2f}  {per_budget}  {statistics.median(seconds[variant]):.1f}s/run"
        )
        if variant == "as-is":
            continue
        diff = mine.mean(axis=1) - reference.mean(axis=1)
        se = diff.std(ddof=1) / np.sqrt(len(diff)) if len(diff) > 1 else float("nan")
        rows.append(
            Row(
                f"discordant pairs, mean over budgets and {len(diff)} seeds ({variant} - as-is {diff.mean():+.2f} ± {se:.2f} se)",
                f"{reference.mean():.2f} as-is",
                f"{mine.mean():.2f} {variant}",
                f"{mine.mean() / reference.mean():.3f}",
                "-",
            )
        )
    print_summary(rows)


if __name__ == "__main__":
    main()

"""Coverage of the Bradley–Terry 95% intervals when votes come in battles.

Every battle is one pair of models on one question, voted by the judge in both orders and by
``--annotators`` people (2 + k votes). The votes of a battle share the battle's own outcome
probabilities, drawn from a Dirichlet around the models' probabilities with concentration
``1/rho - 1``, so any two votes of one battle correlate with ``rho`` (0.5 by default) while each
vote on its own follows Bradley–Terry exactly (no draws) or Davidson's tie model (``nu > 0``).

Each replication draws true strengths (Elo ~ N(0, ``--spread``)) and ``--battles`` battles over
uniformly random pairs, then checks four intervals of each tie model against its target:
ours — the bootstrap resampling battles and the sandwich clustered by battle — and the peer,
the same estimators with every vote its own battle (the vote-level intervals we had before).
Targets: Davidson's intervals cover the raw strengths; half-win intervals cover the scale the
draws compress (the half-win fit to the expected totals of the realised battles; with no draws
that is the raw strengths). Coverage is the mean over all (replication, model) pairs; widths are
medians. Ends with the summary table: measure | ours | peer | ratio | target.

Run: .venv/bin/python bench/coverage.py [--quick] [--replications 200] [--rounds 1000]
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.ratings import Row, print_summary
from judging.ratings import ELO_SCALE, BradleyTerry, PairCounts, RatingIntervals, TieRule

FloatArray = npt.NDArray[np.float64]

TARGET_BAND = (0.93, 0.97)
UNITS = ("battle", "vote")  # ours, the peer
INTERVALS = ("bootstrap", "sandwich")


class Design(NamedTuple):
    """One simulated setting."""

    models: int = 10
    battles: int = 1500
    annotators: int = 1  # votes per battle: the judge twice (both orders) plus these
    rho: float = 0.5  # correlation of two votes of one battle
    nu: float = 0.0  # Davidson's tie parameter of the simulated votes (0: no draws)
    spread: float = 120.0  # sd of the true strengths, Elo points


class Table(NamedTuple):
    """One replication's votes, grouped by battle and vote by vote, and the targets."""

    by_battle: PairCounts
    by_vote: PairCounts
    targets: dict[TieRule, FloatArray]  # Elo-scale ratings centred on 1000, per tie model
    draw_share: float


class Tally(NamedTuple):
    hits: list[float]
    widths: list[float]


def davidson_probabilities(diff: FloatArray, nu: float) -> FloatArray:
    """Rows ``(P(i wins), P(j wins), P(draw))`` for log-strength differences ``diff``."""
    half = 0.5 * diff
    terms = np.stack([np.exp(half), np.exp(-half), np.full_like(diff, nu)], axis=1)
    return terms / terms.sum(axis=1, keepdims=True)


def simulate(rng: np.random.Generator, design: Design) -> Table:
    """Battles with correlated votes, and the targets each tie model's intervals should cover."""
    n, size = design.models, design.battles
    names = [f"m{k}" for k in range(n)]
    theta = rng.normal(0.0, design.spread / ELO_SCALE, n)
    i = rng.integers(0, n, size)
    j = rng.integers(0, n - 1, size)
    j = j + (j >= i)
    mean = davidson_probabilities(theta[i] - theta[j], design.nu)
    # each battle's own probabilities: Dirichlet(alpha0 * mean), so two of its votes correlate
    # with 1 / (alpha0 + 1) = rho and a single vote still follows ``mean``
    gamma = rng.standard_gamma((1.0 / design.rho - 1.0) * mean)
    total = gamma.sum(axis=1, keepdims=True)
    battle_p = np.where(total > 0, gamma / np.where(total > 0, total, 1.0), mean)
    per = 2 + design.annotators
    u = rng.random((size, per))
    cumulative = np.cumsum(battle_p, axis=1)
    outcome = (u > cumulative[:, [0]]).astype(np.int64) + (u > cumulative[:, [1]])  # 0 i, 1 j, 2 draw
    score_i = np.array([1.0, 0.0, 0.5])[outcome]
    # the judge sees the pair in both orders: its second vote is written with the models swapped
    swapped = np.zeros((size, per), dtype=bool)
    swapped[:, 1] = True
    a = np.where(swapped, j[:, None], i[:, None]).ravel()
    b = np.where(swapped, i[:, None], j[:, None]).ravel()
    score = np.where(swapped, 1.0 - score_i, score_i).ravel()
    battle = np.repeat(np.arange(size), per)
    targets = {
        TieRule.DAVIDSON: 1000.0 + ELO_SCALE * (theta - theta.mean()),
        TieRule.HALF: _half_win_target(names, i, j, per * mean),
    }
    return Table(
        PairCounts.from_arrays(a, b, score, names, battle=battle),
        PairCounts.from_arrays(a, b, score, names),
        targets,
        float(np.mean(score == 0.5)),
    )


def _half_win_target(
    names: list[str], i: npt.NDArray[np.int64], j: npt.NDArray[np.int64], expected: FloatArray
) -> FloatArray:
    """The half-win fit to the expected totals of these battles: what half-win intervals estimate."""
    forward = expected[:, 0] + 0.5 * expected[:, 2]
    backward = expected[:, 1] + 0.5 * expected[:, 2]
    counts = PairCounts.from_arrays(
        np.concatenate([i, i]),
        np.concatenate([j, j]),
        np.concatenate([np.ones(len(i)), np.zeros(len(i))]),
        names,
        weight=np.concatenate([forward, backward]),
    )
    return np.asarray(BradleyTerry(l2=0.0).fit_counts(counts).ratings)


def intervals(
    table: Table, ties: TieRule, rng: np.random.Generator, rounds: int
) -> Iterator[tuple[str, str, RatingIntervals, float | None]]:
    """(unit, interval kind, intervals, fitted nu) of one tie model, ours then the peer's."""
    bt = BradleyTerry(ties=ties)
    for unit, counts in zip(UNITS, (table.by_battle, table.by_vote), strict=True):
        fit = bt.fit_counts(counts)
        yield unit, "bootstrap", bt.bootstrap(fit, rng, rounds=rounds), fit.tie_parameter
        yield unit, "sandwich", bt.sandwich(fit), fit.tie_parameter


def run(
    design: Design, tie_models: tuple[TieRule, ...], replications: int, rounds: int, seed: int
) -> tuple[dict[tuple[TieRule, str, str], Tally], list[float], list[float]]:
    """Hits and widths per (tie model, unit, interval kind); fitted nu and draw shares per table."""
    rng = np.random.default_rng(seed)
    tallies: dict[tuple[TieRule, str, str], Tally] = defaultdict(lambda: Tally([], []))
    nus: list[float] = []
    draws: list[float] = []
    for _ in range(replications):
        table = simulate(rng, design)
        draws.append(table.draw_share)
        for ties in tie_models:
            target = table.targets[ties]
            for unit, kind, ci, nu in intervals(table, ties, rng, rounds):
                tally = tallies[(ties, unit, kind)]
                tally.hits.extend(((ci.lower <= target) & (target <= ci.upper)).astype(float).tolist())
                tally.widths.extend((ci.upper - ci.lower).tolist())
                if ties is TieRule.HALF and design.nu > 0 and unit == "battle":
                    # the same intervals against the raw strengths, which they do not estimate
                    raw = table.targets[TieRule.DAVIDSON]
                    off = tallies[(ties, unit, f"{kind} vs raw")]
                    off.hits.extend(((ci.lower <= raw) & (raw <= ci.upper)).astype(float).tolist())
                if nu is not None and unit == "battle" and kind == "bootstrap":
                    nus.append(nu)
    return dict(tallies), nus, draws


def coverage(tally: Tally) -> float:
    return float(np.mean(tally.hits))


def _target_name(ties: TieRule, nu: float) -> str:
    if ties is TieRule.DAVIDSON:
        return "raw strengths"
    return "raw strengths" if nu == 0 else "tie-compressed scale"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="50 replications of 500 rounds")
    parser.add_argument("--replications", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=1000)
    parser.add_argument("--models", type=int, default=10)
    parser.add_argument("--battles", type=int, default=1500)
    parser.add_argument("--annotators", type=int, default=1)
    parser.add_argument("--rho", type=float, default=0.5)
    parser.add_argument("--nu", type=float, default=0.8, help="Davidson tie parameter of the draws scenario")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    replications = 50 if args.quick else args.replications
    rounds = 500 if args.quick else args.rounds
    base = Design(args.models, args.battles, args.annotators, args.rho, 0.0)
    per = 2 + args.annotators
    print(
        f"{replications} replications x {args.models} models; {args.battles} battles per replication, each "
        f"voted by the judge in both orders + {args.annotators} annotator(s) = {per} votes "
        f"({args.battles * per} votes), within-battle correlation {args.rho}; bootstrap {rounds} rounds; "
        f"design effect 1 + (m - 1) rho = {1 + (per - 1) * args.rho:.2f}"
    )
    scenarios = [
        ("no draws", base, (TieRule.HALF,)),
        (f"draws (nu = {args.nu})", base._replace(nu=args.nu), (TieRule.HALF, TieRule.DAVIDSON)),
    ]
    rows: list[Row] = []
    low, high = TARGET_BAND
    band = f"{low:.0%}–{high:.0%}"
    for label, design, tie_models in scenarios:
        start = time.perf_counter()
        tallies, nus, draws = run(design, tie_models, replications, rounds, args.seed)
        seconds = time.perf_counter() - start
        print(f"\nscenario: {label}; mean draw share {np.mean(draws):.1%}; {seconds:.0f} s")
        if nus:
            print(
                f"  Davidson nu: mean fitted {np.mean(nus):.3f} (median {np.median(nus):.3f}), true {design.nu}"
            )
        print(
            f"  {'tie model':<10} {'target':<21} {'interval':<10} {'unit':<7} {'coverage':>8} {'(MC se)':>8} {'median width':>13}"
        )
        for ties in tie_models:
            for kind in INTERVALS:
                for unit in UNITS:
                    tally = tallies[(ties, unit, kind)]
                    c = coverage(tally)
                    se = math.sqrt(c * (1 - c) / len(tally.hits))
                    print(
                        f"  {ties.value:<10} {_target_name(ties, design.nu):<21} {kind:<10} {unit:<7} "
                        f"{c:>8.1%} {se:>8.1%} {np.median(tally.widths):>10.1f} Elo"
                    )
        if (TieRule.HALF, "battle", "bootstrap vs raw") in tallies:
            wrong = {
                kind: coverage(tallies[(TieRule.HALF, "battle", f"{kind} vs raw")]) for kind in INTERVALS
            }
            print(
                "  half-win battle intervals against the raw strengths instead (not their target): "
                + ", ".join(f"{kind} {c:.1%}" for kind, c in wrong.items())
            )
        for ties in tie_models:
            for kind in INTERVALS:
                ours, peer = (
                    coverage(tallies[(ties, "battle", kind)]),
                    coverage(tallies[(ties, "vote", kind)]),
                )
                rows.append(
                    Row(
                        f"coverage, {ties.value} {kind}, {label}, {_target_name(ties, design.nu)}",
                        f"{ours:.1%}",
                        f"{peer:.1%}",
                        f"{ours / peer:.2f}",
                        band,
                    )
                )
        first = tie_models[0]
        ours_w = float(np.median(tallies[(first, "battle", "bootstrap")].widths))
        peer_w = float(np.median(tallies[(first, "vote", "bootstrap")].widths))
        rows.append(
            Row(
                f"median width (Elo), {first.value} bootstrap, {label}",
                f"{ours_w:.1f}",
                f"{peer_w:.1f}",
                f"{ours_w / peer_w:.2f}",
                f"~{math.sqrt(1 + (per - 1) * args.rho):.2f} (sqrt of the design effect)",
            )
        )
        if nus:
            rows.append(
                Row(
                    f"Davidson nu, mean fitted, {label}",
                    f"{np.mean(nus):.3f}",
                    f"{design.nu} (true)",
                    f"{np.mean(nus) / design.nu:.3f}",
                    "~1",
                )
            )
    print_summary(rows)


if __name__ == "__main__":
    main()

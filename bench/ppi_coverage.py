"""Does the judge-corrected board keep its 95% coverage when the humans come from our own queue?

    python -m bench.ppi_coverage [--reps 200] [--battles 2000] [--human 500] [--annotators 10]
                                 [--share 0.2] [--seed 0]

Each replication builds a population of judged battles and lets annotators take spot-check items
from the project's own selection code (``judging.spot_check.next_spot_check``: a uniform
calibration draw with probability ``calibration_share``, else the targeted draw, disagreements
first and stratified by dimension × model pair, with the same stratum bookkeeping as the queue:
human votes per stratum; nobody is shown a battle twice). Then three boards are fitted with the
project's ``judge_corrected_leaderboard``:

- **ours**: PPI on the valid draws only (the queue's calibration stratum; the targeted votes'
  battles count as unlabelled);
- **judge-only** (naive): Bradley–Terry on the judge's verdicts, sandwich intervals;
- **old PPI**: the queue before the calibration stratum (``calibration_share = 0``, every item
  disagreements-first) with every human vote used, as the board did before.

The world: six models with known strengths; each battle has a quality difference both judge and
humans see (plus per-battle spread); honest humans vote from it; the judge votes in both shown
orders, adds ``--position`` logits toward the first-shown answer and ``--favour`` logits toward
one model (``m3``). The target is the Bradley–Terry fit on the exact population win
probabilities of the humans (what a human-labelled fit converges to). Coverage counts, over
replications and models, how often a board's 95% interval holds the target rating.

The table ends with ``ratio`` = ours ÷ old PPI, and the target (coverage ≥ 0.93).
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
from scipy.special import expit

from judging.calibration import judge_corrected_leaderboard
from judging.interchange import ArenaVote
from judging.ratings import ELO_SCALE, BradleyTerry, PairCounts, RatingIntervals
from judging.spot_check import Selection, SpotCheckCandidate, SpotCheckChoice, Stratum, next_spot_check
from judging.types import Side, Source, Verdict

__all__ = ["Coverage", "World", "estimand", "replicate", "run"]

MODELS = tuple(f"m{k}" for k in range(6))
TRUE_ELO = np.array([1150.0, 1080.0, 1020.0, 980.0, 920.0, 850.0])
DIMENSIONS = ("public_safety", "ethics", "privacy", "legal", "mental_health")
TARGET_COVERAGE = 0.93


@dataclass(frozen=True)
class World:
    """The simulated arena: its size, the judge's biases and the queue's calibration share."""

    battles: int = 2000
    human: int = 500  # spot-check items answered (one human vote each)
    annotators: int = 10
    share: float = 0.2  # QueueConfig.calibration_share
    position: float = 0.8  # judge logits toward the first-shown answer
    favour: float = 0.8  # judge logits toward its favourite model
    favourite: int = 3
    spread: float = 1.5  # per-battle quality spread (logits) that judge and humans both see

    @property
    def theta(self) -> np.ndarray:
        return (TRUE_ELO - TRUE_ELO.mean()) / ELO_SCALE


def estimand(world: World) -> np.ndarray:
    """Elo ratings of the Bradley–Terry fit on the humans' exact population win probabilities.

    A human sees ``sigmoid(theta_a - theta_b + u)``, ``u ~ N(0, spread^2)`` per battle, and every
    ordered pair is equally likely, so the target is BT on ``E[sigmoid(d + u)]`` per ordered pair
    (Gauss–Hermite), a weighted win and loss each.
    """
    theta = world.theta
    nodes, weights = np.polynomial.hermite_e.hermegauss(80)
    weights = weights / weights.sum()
    k = len(MODELS)
    a, b = np.array([(i, j) for i in range(k) for j in range(k) if i != j]).T
    p = np.array(
        [
            (weights * expit(theta[i] - theta[j] + world.spread * nodes)).sum()
            for i, j in zip(a, b, strict=True)
        ]
    )
    counts = PairCounts.from_arrays(
        np.r_[a, a], np.r_[b, b], np.r_[np.ones_like(p), np.zeros_like(p)], MODELS, weight=np.r_[p, 1.0 - p]
    )
    return np.asarray(BradleyTerry(l2=0.0).fit_counts(counts).ratings)


@dataclass(frozen=True)
class _Population:
    a: np.ndarray
    b: np.ndarray
    dimension: list[str]
    human_p: np.ndarray  # P(a human prefers A)
    judge: list[tuple[Verdict, Verdict]]  # A shown first, then B shown first
    judge_votes: list[ArenaVote]


def _population(world: World, rng: np.random.Generator) -> _Population:
    n = world.battles
    a = rng.integers(0, len(MODELS), n)
    b = (a + rng.integers(1, len(MODELS), n)) % len(MODELS)
    quality = world.theta[a] - world.theta[b] + world.spread * rng.normal(size=n)
    favour = world.favour * ((a == world.favourite).astype(float) - (b == world.favourite))
    orders = {
        first: np.where(rng.random(n) < expit(quality + favour + sign * world.position), "A", "B")
        for first, sign in ((Side.A, 1.0), (Side.B, -1.0))
    }
    judge = [(Verdict(orders[Side.A][i]), Verdict(orders[Side.B][i])) for i in range(n)]
    votes = [
        _vote(i, a, b, Verdict(orders[first][i]), Source.JUDGE, "judge", first)
        for first in (Side.A, Side.B)
        for i in range(n)
    ]
    dimension = [DIMENSIONS[k] for k in rng.integers(0, len(DIMENSIONS), n)]
    return _Population(a, b, dimension, expit(quality), judge, votes)


def _vote(
    i: int, a: np.ndarray, b: np.ndarray, verdict: Verdict, source: Source, rater: str, first: Side
) -> ArenaVote:
    return ArenaVote.of(
        MODELS[a[i]],
        MODELS[b[i]],
        verdict,
        source=source,
        rater=rater,
        question_id=f"q{i}",
        shown_first=first,
    )


def _request(
    rng: random.Random,
    share: float,
    unseen: list[int],
    candidates: dict[int, SpotCheckCandidate],
    strata: Counter[Stratum],
) -> SpotCheckChoice | None:
    """One spot-check request, as ``pipeline.workflow.queue._spot_check`` makes it from its queries."""
    return next_spot_check(
        rng,
        calibration_share=share,
        eligible=lambda: unseen,
        candidates=lambda: [candidates[i] for i in unseen],
        stratum_counts=lambda: strata,
    )


def _queue(
    world: World, population: _Population, share: float, rng: np.random.Generator
) -> tuple[list[ArenaVote], list[bool]]:
    """``world.human`` spot-check items handed out in turn to the annotators by the project's
    selection code; returns the human votes and, for each, whether it was a calibration draw."""
    py_rng = random.Random(int(rng.integers(2**63)))
    candidates = {
        i: SpotCheckCandidate(
            i,
            population.dimension[i],
            int(population.a[i]) + 1,
            int(population.b[i]) + 1,
            population.judge[i],
            (),
        )
        for i in range(world.battles)
    }
    # human votes on judge-voted battles per stratum: the queue's bookkeeping (stratum_human_counts)
    strata: Counter[Stratum] = Counter()
    seen: list[set[int]] = [set() for _ in range(world.annotators)]
    votes: list[ArenaVote] = []
    drawn: list[bool] = []
    for step in range(world.human):
        person = step % world.annotators
        unseen = [i for i in candidates if i not in seen[person]]
        choice = _request(py_rng, share, unseen, candidates, strata)
        if choice is None:
            break
        i = choice.battle_id
        verdict = Verdict.A if rng.random() < population.human_p[i] else Verdict.B
        first = Side.A if rng.random() < 0.5 else Side.B
        votes.append(_vote(i, population.a, population.b, verdict, Source.HUMAN, f"ann{person}", first))
        drawn.append(choice.calibration)
        seen[person].add(i)
        candidates[i] = replace(candidates[i], human_verdicts=(*candidates[i].human_verdicts, verdict))
        strata[candidates[i].stratum] += 1
    return votes, drawn


@dataclass(frozen=True)
class Replication:
    """One replication: the three boards' intervals, and the human battles under ours and old."""

    ours: RatingIntervals
    judge_only: RatingIntervals
    old: RatingIntervals
    ours_battles: int
    old_battles: int


def replicate(world: World, rng: np.random.Generator) -> Replication:
    population = _population(world, rng)
    humans, drawn = _queue(world, population, world.share, rng)
    votes = [*population.judge_votes, *humans]
    # (a selection is read for human votes only)
    selections = [Selection.UNRECORDED] * len(population.judge_votes) + [
        Selection.DRAWN if d else Selection.CHOSEN for d in drawn
    ]
    ours = judge_corrected_leaderboard(votes, selections=selections)
    old_humans, _ = _queue(world, population, 0.0, rng)
    old = judge_corrected_leaderboard([*population.judge_votes, *old_humans])
    return Replication(
        ours.fit.intervals, ours.judge_intervals, old.fit.intervals, ours.n_human_battles, old.n_human_battles
    )


@dataclass(frozen=True)
class Coverage:
    """Per board: coverage (share of model-replications whose interval holds the target), mean
    absolute error and mean interval width (Elo), and the mean human battles it rests on."""

    reps: int
    coverage: dict[str, float]
    error: dict[str, float]
    width: dict[str, float]
    human_battles: dict[str, float]
    seconds: float


def run(world: World, reps: int, seed: int) -> Coverage:
    truth = estimand(world)
    rng = np.random.default_rng(seed)
    covered: dict[str, list[np.ndarray]] = {"ours": [], "judge_only": [], "old": []}
    error: dict[str, list[np.ndarray]] = {k: [] for k in covered}
    width: dict[str, list[np.ndarray]] = {k: [] for k in covered}
    battles: dict[str, list[int]] = {"ours": [], "judge_only": [], "old": []}
    start = time.perf_counter()
    for _ in range(reps):
        result = replicate(world, rng)
        for name, intervals in (
            ("ours", result.ours),
            ("judge_only", result.judge_only),
            ("old", result.old),
        ):
            index = [intervals.models.index(m) for m in MODELS]
            rating = np.asarray(intervals.rating)[index]
            lower, upper = np.asarray(intervals.lower)[index], np.asarray(intervals.upper)[index]
            covered[name].append((lower <= truth) & (truth <= upper))
            error[name].append(np.abs(rating - truth))
            width[name].append(upper - lower)
        battles["ours"].append(result.ours_battles)
        battles["judge_only"].append(0)
        battles["old"].append(result.old_battles)
    return Coverage(
        reps=reps,
        coverage={k: float(np.mean(v)) for k, v in covered.items()},
        error={k: float(np.mean(v)) for k, v in error.items()},
        width={k: float(np.mean(v)) for k, v in width.items()},
        human_battles={k: float(np.mean(v)) for k, v in battles.items()},
        seconds=time.perf_counter() - start,
    )


def _table(result: Coverage) -> list[str]:
    rows: list[tuple[str, dict[str, float], str, str]] = [
        ("coverage of 95% intervals", result.coverage, ".3f", f">= {TARGET_COVERAGE}"),
        ("mean |rating - target| (Elo)", result.error, ".1f", "-"),
        ("mean interval width (Elo)", result.width, ".1f", "-"),
        ("human battles it rests on", result.human_battles, ".1f", "-"),
    ]
    head = f"{'measure':<30} {'ours':>8} {'judge-only':>11} {'old PPI':>8} {'ratio':>7}  target"
    lines = [head, "-" * len(head)]
    for label, values, fmt, target in rows:
        old = values["old"]
        ratio = f"{values['ours'] / old:.2f}" if old else "-"
        lines.append(
            f"{label:<30} {values['ours']:>8{fmt}} {values['judge_only']:>11{fmt}} {old:>8{fmt}} {ratio:>7}  {target}"
        )
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--reps", type=int, default=200)
    parser.add_argument("--battles", type=int, default=World.battles)
    parser.add_argument("--human", type=int, default=World.human)
    parser.add_argument("--annotators", type=int, default=World.annotators)
    parser.add_argument("--share", type=float, default=World.share)
    parser.add_argument("--position", type=float, default=World.position)
    parser.add_argument("--favour", type=float, default=World.favour)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    world = World(
        battles=args.battles,
        human=args.human,
        annotators=args.annotators,
        share=args.share,
        position=args.position,
        favour=args.favour,
    )
    result = run(world, args.reps, args.seed)
    print(
        f"{args.reps} replications, {world.battles} judged battles, {world.human} spot-check items from "
        f"{world.annotators} annotators, calibration share {world.share}; judge +{world.position} logits "
        f"to the first-shown answer, +{world.favour} to {MODELS[world.favourite]}; "
        f"{result.seconds:.0f} s ({result.seconds / args.reps:.2f} s per replication)"
    )
    cells = args.reps * len(MODELS)
    se = (result.coverage["ours"] * (1 - result.coverage["ours"]) / cells) ** 0.5
    print(f"coverage over {cells} model-replications (binomial s.e. of ours about {se:.3f})")
    print("ratio = ours / old PPI (the queue before the calibration stratum, every human vote used)\n")
    print("\n".join(_table(result)))
    return 0 if result.coverage["ours"] >= TARGET_COVERAGE else 1


if __name__ == "__main__":
    sys.exit(main())

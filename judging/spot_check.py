"""Choosing the next judge-voted battle for a human spot check.

Disagreements come first (the judge contradicted itself across orders, or the judge and the
humans disagree); among the candidates, the stratum (dimension × model pair) with the fewest
human spot-check votes so far goes next, so the sample stays stratified.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from judging.labels import majority
from judging.types import Verdict

__all__ = ["SpotCheckCandidate", "choose_spot_check", "is_disagreement"]

Stratum = tuple[str, int, int]


@dataclass(frozen=True)
class SpotCheckCandidate:
    battle_id: int
    dimension: str
    model_a_id: int
    model_b_id: int
    judge_verdicts: tuple[Verdict, ...]
    human_verdicts: tuple[Verdict, ...]

    @property
    def stratum(self) -> Stratum:
        low, high = sorted((self.model_a_id, self.model_b_id))
        return (self.dimension, low, high)


def is_disagreement(candidate: SpotCheckCandidate) -> bool:
    judges = candidate.judge_verdicts
    if len(set(judges)) > 1:
        return True
    humans = candidate.human_verdicts
    return bool(humans) and majority(humans) != majority(judges)


def choose_spot_check(
    candidates: Sequence[SpotCheckCandidate], stratum_counts: Mapping[Stratum, int], rng: random.Random
) -> SpotCheckCandidate | None:
    if not candidates:
        return None
    urgent = [c for c in candidates if is_disagreement(c)]
    pool = urgent or list(candidates)
    least = min(stratum_counts.get(c.stratum, 0) for c in pool)
    in_least = [c for c in pool if stratum_counts.get(c.stratum, 0) == least]
    strata = sorted({c.stratum for c in in_least})
    stratum = rng.choice(strata)
    return rng.choice([c for c in in_least if c.stratum == stratum])

"""Choosing the next judge-voted battle for a human spot check, and which human votes a
judge-corrected leaderboard may rest on.

A spot-check request is one of two draws:

- a *calibration draw* (with probability ``calibration_share``): a battle drawn uniformly at
  random among the eligible judge-voted battles. Its inclusion does not depend on any verdict,
  so the battles of these draws are a uniform random sample of the judged battles and the
  prediction-powered (PPI) correction is valid on them;
- a *targeted draw* (otherwise): disagreements first (the judge contradicted itself across
  orders, or the judge and the humans disagree); among the candidates, the stratum
  (dimension × model pair) with the fewest human spot-check votes so far goes next, so the sample
  stays stratified. These battles are chosen *because* of their verdicts: good for finding the
  judge's mistakes, biased for estimating how often it makes them.

The assignment records which draw it was (``SpotCheckChoice.policy``); ``selection_of`` reads it
back for calibration.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from judging.labels import majority
from judging.types import Verdict

__all__ = [
    "CALIBRATION_POLICY",
    "TARGETED_POLICY",
    "Selection",
    "SpotCheckCandidate",
    "SpotCheckChoice",
    "Stratum",
    "choose_spot_check",
    "is_disagreement",
    "next_spot_check",
    "selection_of",
]

Stratum = tuple[str, int, int]  # (dimension, smaller model id, larger model id)

TARGETED_POLICY = "spot_check"  # ``assignment.policy`` of a targeted draw (and of every older one)
CALIBRATION_POLICY = "spot_check:random"  # ``assignment.policy`` of a uniform calibration draw


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


@dataclass(frozen=True)
class SpotCheckChoice:
    """The battle handed out and whether it was a uniform calibration draw."""

    battle_id: int
    calibration: bool

    @property
    def policy(self) -> str:
        """What the assignment stores, so calibration can tell the two draws apart later."""
        return CALIBRATION_POLICY if self.calibration else TARGETED_POLICY


def is_disagreement(candidate: SpotCheckCandidate) -> bool:
    judges = candidate.judge_verdicts
    if len(set(judges)) > 1:
        return True
    humans = candidate.human_verdicts
    return bool(humans) and majority(humans) != majority(judges)


def choose_spot_check(
    candidates: Sequence[SpotCheckCandidate], stratum_counts: Mapping[Stratum, int], rng: random.Random
) -> SpotCheckCandidate | None:
    """The targeted draw: disagreements first, then the least-checked stratum, random within it."""
    if not candidates:
        return None
    urgent = [c for c in candidates if is_disagreement(c)]
    pool = [(c.stratum, c) for c in urgent or candidates]  # each stratum key built once
    least = min(stratum_counts.get(s, 0) for s, _ in pool)
    in_least = [(s, c) for s, c in pool if stratum_counts.get(s, 0) == least]
    stratum = rng.choice(sorted({s for s, _ in in_least}))
    return rng.choice([c for s, c in in_least if s == stratum])


def next_spot_check(
    rng: random.Random,
    *,
    calibration_share: float,
    eligible: Callable[[], Sequence[int]],
    candidates: Callable[[], Sequence[SpotCheckCandidate]],
    stratum_counts: Callable[[], Mapping[Stratum, int]],
) -> SpotCheckChoice | None:
    """One spot-check request: a calibration draw with probability ``calibration_share``, else a
    targeted draw. ``None`` when nothing is eligible.

    ``eligible`` gives the ids of *every* judge-voted battle the person may be shown (the uniform
    draw needs the whole set, not a capped candidate list); ``candidates`` and ``stratum_counts``
    feed the targeted draw. They are called only for the draw that needs them (each is a query).
    """
    if not 0.0 <= calibration_share <= 1.0:
        raise ValueError(f"next_spot_check: calibration_share must lie in [0, 1], got {calibration_share!r}")
    if rng.random() < calibration_share:
        ids = eligible()
        return SpotCheckChoice(rng.choice(ids), calibration=True) if ids else None
    chosen = choose_spot_check(candidates(), stratum_counts(), rng)
    return None if chosen is None else SpotCheckChoice(chosen.battle_id, calibration=False)


class Selection(StrEnum):
    """How the battle behind a human vote was chosen, as far as the database knows."""

    DRAWN = "drawn"  # a uniform calibration draw of the spot-check queue
    UNRECORDED = "unrecorded"  # no assignment (an imported vote, a votes file): assumed drawn, and said so
    CHOSEN = "chosen"  # handed out by a rule that is not a uniform draw (overlap, active, gold)
    TARGETED = "targeted"  # a targeted spot check: chosen FOR the judge's verdicts (disagreements first)

    @property
    def valid(self) -> bool:
        """May the vote label a battle of the judge-corrected (PPI) leaderboard?"""
        return self not in (Selection.CHOSEN, Selection.TARGETED)

    @property
    def judge_blind(self) -> bool:
        """Was the battle chosen without looking at the judge's verdicts? Only then does the
        judge's agreement with this vote (and the humans' agreement with each other on it)
        estimate agreement on the judged battles: a targeted spot check picks the battles where
        the judge disagrees with itself or with people first, so it would bias both downwards."""
        return self is not Selection.TARGETED


def selection_of(policy: str | None, *, gold: bool = False) -> Selection:
    """The selection of a human vote from its assignment's ``policy`` (``None``: no assignment).

    Only a uniform calibration draw has a known, equal inclusion probability. A gold item, a
    targeted spot check (chosen for its disagreements), an overlap item (battles closest to k
    first, new ones by question and pair) and an active item (the most informative pair) are
    not uniform over the judged battles, so the PPI correction must not rest on them.
    """
    if policy is None:
        return Selection.UNRECORDED
    if policy == CALIBRATION_POLICY and not gold:
        return Selection.DRAWN
    if policy == TARGETED_POLICY and not gold:
        return Selection.TARGETED
    return Selection.CHOSEN

"""The types of the calibration view: the query (a slice and how to compute it), the view it
gives, and why a part of it may be unavailable."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from judging.calibration import (
    BattleKey,
    CalibrationReport,
    CalibrationSlice,
    CorrectedLeaderboard,
    RatingCalibration,
)
from judging.interchange import ArenaVote
from judging.types import Source

__all__ = ["BattleRef", "CalibrationQuery", "CalibrationView", "FilterOptions", "Unavailable"]


class Unavailable(StrEnum):
    """Why a part of the view could not be computed for a slice."""

    NO_JUDGE_VOTES = "no_judge_votes"
    FEW_HUMAN_BATTLES = "few_human_battles"  # PPI needs human votes on two or more judged battles
    FEW_VALID_DRAWS = "few_valid_draws"  # there are such votes, but fewer than two battles are valid draws
    FEW_MODELS = "few_models"
    FEW_VOTES = "few_votes"


@dataclass(frozen=True)
class CalibrationQuery:
    """One slice and how to compute its figures; ``None`` means any."""

    dimension: str | None = None
    release: str | None = None  # release tag
    # sorted tuples, so the query is hashable as Streamlit hashes it (any iterable is accepted)
    judges: tuple[str, ...] | None = None
    annotators: tuple[str, ...] | None = None
    model_pair: tuple[str, str] | None = None  # model keys
    rating_source: Source | None = None  # the votes the ratings are fitted on and scored against
    min_votes: int = 10  # boards mark models with fewer votes provisional
    bootstrap_rounds: int = 1000
    seed: int = 0
    test_fraction: float = 0.2

    def __post_init__(self) -> None:
        for name in ("judges", "annotators"):
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, tuple(sorted(set(value))))
        if self.model_pair is not None:
            if len(self.model_pair) != 2 or self.model_pair[0] == self.model_pair[1]:
                raise ValueError(
                    f"CalibrationQuery: model_pair must be two different models, got {self.model_pair!r}"
                )
            low, high = sorted(self.model_pair)
            object.__setattr__(self, "model_pair", (low, high))
        if self.rating_source is not None and not isinstance(self.rating_source, Source):
            raise TypeError(f"CalibrationQuery: rating_source must be a Source, got {self.rating_source!r}")
        if self.bootstrap_rounds < 2:
            raise ValueError(
                f"CalibrationQuery: bootstrap_rounds must be at least 2, got {self.bootstrap_rounds!r}"
            )
        if not 0.0 < self.test_fraction < 1.0:
            raise ValueError(
                f"CalibrationQuery: test_fraction must lie in (0, 1), got {self.test_fraction!r}"
            )

    def slice(self) -> CalibrationSlice:
        return CalibrationSlice(
            dimension=self.dimension,
            release=self.release,
            model_pair=self.model_pair,
            judges=None if self.judges is None else frozenset(self.judges),
            annotators=None if self.annotators is None else frozenset(self.annotators),
        )


@dataclass(frozen=True, slots=True)
class BattleRef:
    """Where a calibration battle lives in the database."""

    battle_id: int
    dimension: str
    a_is_low: bool  # the battle's A (smaller response id) is the pair's first model by name


@dataclass(frozen=True, eq=False)
class CalibrationView:
    """Every figure of the calibration page for one slice (or one votes file)."""

    query: CalibrationQuery
    last_vote_id: int | None  # None for a votes file
    votes: tuple[ArenaVote, ...]  # the slice
    report: CalibrationReport
    ratings: RatingCalibration | None
    ratings_missing: Unavailable | None
    board: CorrectedLeaderboard | None
    board_missing: Unavailable | None
    board_untuned: bool  # the PPI++ tuning failed, lam fixed at 0 (the judge's verdicts unused)
    names: Mapping[str, str]  # model key -> display name
    battles: Mapping[BattleKey, BattleRef] = field(default_factory=dict)  # empty for a votes file
    n_gold: int = 0  # battles of the slice with a gold verdict
    # human votes on targeted spot checks (battles chosen for the judge's disagreements): kept out
    # of the agreement figures, which would otherwise understate agreement
    n_targeted: int = 0
    duplicate_lines: tuple[
        int, ...
    ] = ()  # a votes file: lines of rows identical to an earlier row, counted once

    def name(self, model: str) -> str:
        return self.names.get(model, model)


@dataclass(frozen=True, slots=True)
class FilterOptions:
    releases: tuple[str, ...]
    judges: tuple[str, ...]
    annotators: tuple[str, ...]
    model_pairs: tuple[tuple[str, str], ...]  # keys, sorted
    names: Mapping[str, str]

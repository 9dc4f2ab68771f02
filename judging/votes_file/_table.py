"""The votes of a file as columns (``VoteTable``), one vote as a record, the file formats and
the error that names the file, line and field."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from judging.errors import ArenaError
from judging.types import Comparison, Outcome, Side, Source
from judging.votes_file._arrow import IntArray, arrow_ints, first_appearance, numpy_ints

if TYPE_CHECKING:
    from judging.votes_file._notes import Notes

REQUIRED = ("model_a", "model_b", "winner")
OPTIONAL = ("question_id", "dimension", "source", "rater", "release", "shown_first", "turn", "tstamp")
ALIASES = {"rater": "judge"}
"""Chatbot Arena's names for our fields, read when the file lacks our name (``judge`` is the rater)."""

OUTCOMES: tuple[Outcome, ...] = tuple(Outcome)
"""``VoteTable.outcome`` codes: 0 A wins, 1 B wins, 2 tie, 3 both bad (``Outcome`` order)."""
SIDES: tuple[Side, ...] = (Side.A, Side.B)
"""``VoteTable.shown_first`` codes: 0 A shown first, 1 B shown first, -1 not known."""


class VotesFormat(StrEnum):
    CSV = "csv"
    JSONL = "jsonl"
    JSON = "json"  # a JSON list of objects (Chatbot Arena's battles); JSONL in a .json file is read too

    @classmethod
    def of_path(cls, path: Path) -> VotesFormat:
        suffix = path.suffix.lower()
        if suffix == ".csv":
            return cls.CSV
        if suffix in (".jsonl", ".ndjson"):
            return cls.JSONL
        if suffix == ".json":
            return cls.JSON
        raise VotesFileError(
            str(path), None, None, f"unknown file type {suffix!r} (expected .csv, .jsonl or .json)"
        )


class VotesFileError(ArenaError, ValueError):
    """A votes file could not be read; ``line`` and ``field`` say where (1-based line numbers)."""

    def __init__(self, name: str, line: int | None, field: str | None, problem: str) -> None:
        self.name = name
        self.line = line
        self.field = field
        self.problem = problem
        where = name if line is None else f"{name}, line {line}"
        if field is not None:
            where += f", field {field!r}"
        super().__init__(f"{where}: {problem}")


@dataclass(frozen=True, slots=True)
class VoteRecord:
    """One vote of the file: its comparison, tags, and the line it came from."""

    line: int
    comparison: Comparison
    question_id: str | None = None
    dimension: str | None = None
    source: Source | None = None
    rater: str | None = None
    release: str | None = None


@dataclass(frozen=True, eq=False)
class Labels:
    """A text column: ``codes[row]`` indexes ``names``; -1 means the vote has no value."""

    codes: IntArray
    names: tuple[str, ...]

    def values(self) -> list[str | None]:
        """One value per row (``None`` where absent)."""
        lookup: tuple[str | None, ...] = (*self.names, None)  # code -1 picks the trailing None
        return [lookup[c] for c in self.codes.tolist()]

    def take(self, rows: npt.NDArray[np.bool_]) -> Labels:
        return Labels(self.codes[rows], self.names)


@dataclass(frozen=True, eq=False)
class VoteTable:
    """The votes of a file as numpy columns, one entry per vote, in file order.

    ``models`` lists every model in order of first appearance (``model_a`` before ``model_b`` on
    each line), so ``a``/``b`` index it the way ``judging.ratings`` encodes comparisons.
    ``battle`` groups the votes on one (question, turn, unordered model pair), numbered in order
    of first appearance; a vote without ``question_id`` is a battle of its own. ``turn`` is 0 and
    ``tstamp`` NaN where the file has none. ``notes`` (tags and rationale) are there only when
    the reader was asked for them (``notes=True``).
    """

    name: str
    models: tuple[str, ...]
    a: IntArray
    b: IntArray
    outcome: npt.NDArray[np.int8]  # index into OUTCOMES
    score: npt.NDArray[np.float64]  # A's score: 1, 0 or 0.5
    line: IntArray
    battle: IntArray
    question_id: Labels
    dimension: Labels  # names are Dimension values
    source: Labels  # names are Source values
    rater: Labels
    release: Labels
    shown_first: npt.NDArray[np.int8]  # index into SIDES, -1 unknown
    turn: IntArray
    tstamp: npt.NDArray[np.float64]
    notes: Notes | None = None

    def __len__(self) -> int:
        return int(self.a.size)

    def comparisons(self) -> tuple[Comparison, ...]:
        """The votes as ``Comparison`` objects (the slow path); votes with the same models and
        outcome share one (immutable) object."""
        n_models, n_outcomes = len(self.models), len(OUTCOMES)
        key = (self.a * n_models + self.b) * n_outcomes + self.outcome
        encoded = arrow_ints(key).dictionary_encode()
        distinct = []
        for k in encoded.dictionary.to_pylist():
            pair, outcome = divmod(k, n_outcomes)
            i, j = divmod(pair, n_models)
            distinct.append(Comparison(self.models[i], self.models[j], OUTCOMES[outcome]))
        return tuple(distinct[k] for k in numpy_ints(encoded.indices).tolist())

    def sources(self) -> list[Source | None]:
        lookup: tuple[Source | None, ...] = (*(Source(s) for s in self.source.names), None)
        return [lookup[c] for c in self.source.codes.tolist()]

    def records(self) -> tuple[VoteRecord, ...]:
        """The votes as ``VoteRecord`` objects, each with its line."""
        return tuple(
            VoteRecord(line, comparison, question, dimension, source, rater, release)
            for line, comparison, question, dimension, source, rater, release in zip(
                self.line.tolist(),
                self.comparisons(),
                self.question_id.values(),
                self.dimension.values(),
                self.sources(),
                self.rater.values(),
                self.release.values(),
                strict=True,
            )
        )

    def involving(self, models: Collection[str]) -> npt.NDArray[np.bool_]:
        """Per vote: does either side belong to ``models``?"""
        hit = np.array([m in models for m in self.models], dtype=bool)
        if not hit.size:
            return np.zeros(len(self), dtype=bool)
        either: npt.NDArray[np.bool_] = hit[self.a] | hit[self.b]
        return either

    def select(self, rows: npt.NDArray[np.bool_]) -> VoteTable:
        """The votes where ``rows`` is true; models without a vote left are dropped and the
        battles renumbered, both keeping their order of first appearance."""
        mask = np.asarray(rows, dtype=bool)
        if mask.shape != self.a.shape:
            raise ValueError(f"VoteTable.select: rows must be a mask of {len(self)} votes, got {mask.shape}")
        if mask.all():
            return self  # immutable: every vote kept is this very table
        a, b = self.a[mask], self.b[mask]
        used = np.zeros(len(self.models), dtype=bool)
        used[a] = True
        used[b] = True
        recode = np.cumsum(used) - 1
        return VoteTable(
            name=self.name,
            models=tuple(m for m, u in zip(self.models, used.tolist(), strict=True) if u),
            a=recode[a],
            b=recode[b],
            outcome=self.outcome[mask],
            score=self.score[mask],
            line=self.line[mask],
            battle=first_appearance(self.battle[mask]),
            question_id=self.question_id.take(mask),
            dimension=self.dimension.take(mask),
            source=self.source.take(mask),
            rater=self.rater.take(mask),
            release=self.release.take(mask),
            shown_first=self.shown_first[mask],
            turn=self.turn[mask],
            tstamp=self.tstamp[mask],
            notes=None if self.notes is None else self.notes.take(mask),
        )

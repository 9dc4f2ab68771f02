"""Validated columns into a ``VoteTable``: outcomes, models and battles numbered by first
appearance."""

from __future__ import annotations

import math

import numpy as np

from judging.dimensions import Dimension
from judging.types import Outcome, Source
from judging.votes_file._arrow import IntArray, first_appearance
from judging.votes_file._columns import (
    Column,
    Problems,
    column_of,
    label_column,
    number_column,
    parse_side,
    parse_tstamp,
    parse_turn,
)
from judging.votes_file._fields import Fields
from judging.votes_file._notes import read_notes
from judging.votes_file._table import OUTCOMES, Labels, VotesFileError, VoteTable

_WINNERS = {
    "model_a": Outcome.A_WINS,
    "model_b": Outcome.B_WINS,
    "tie": Outcome.TIE,
    "both_bad": Outcome.BOTH_BAD,
    "tie (bothbad)": Outcome.BOTH_BAD,
}
_SCORE_OF_OUTCOME = np.array([o.score_a for o in OUTCOMES], dtype=np.float64)


def build_table(fields: Fields, name: str, *, notes: bool = False) -> VoteTable:
    """Validate the raw columns and number models and battles; the file's first problem raises.
    The note columns (tags, rationale) are read and checked only with ``notes``."""
    problems = Problems(name, fields.line)
    if fields.line.size == 0:
        raise fields.stop or VotesFileError(name, None, None, "the file contains no votes")
    # the checks register in the old row-by-row order: required fields, winner, pair, tags, numbers
    model_a = _required(fields, problems, "model_a")
    model_b = _required(fields, problems, "model_b")
    winner = _required(fields, problems, "winner")
    outcome_of = _outcome_codes(winner, problems)
    a, b, models = _model_codes(model_a, model_b, problems)
    dimension, source, question_id, rater, release = _tags(fields, problems)
    shown = number_column(fields, "shown_first", problems, parse_side, -1, np.int8)
    turn = number_column(fields, "turn", problems, parse_turn, 0, np.int64)
    tstamp = number_column(fields, "tstamp", problems, parse_tstamp, math.nan, np.float64)
    note_columns = read_notes(fields, problems.check) if notes else None
    problems.raise_first()
    if fields.stop is not None:
        raise fields.stop

    a, b, models = _by_first_appearance(a, b, models)
    outcome = outcome_of[winner.codes].astype(np.int8)
    return VoteTable(
        name=name,
        models=tuple(models),
        a=a,
        b=b,
        outcome=outcome,
        score=_SCORE_OF_OUTCOME[outcome],
        line=fields.line,
        battle=_battles(question_id.codes, turn, a, b),
        question_id=question_id,
        dimension=dimension,
        source=source,
        rater=rater,
        release=release,
        shown_first=shown,
        turn=turn,
        tstamp=tstamp,
        notes=note_columns,
    )


def _text(fields: Fields, problems: Problems, field: str) -> Column:
    return column_of(fields, field, problems, (str, int), "text")


def _required(fields: Fields, problems: Problems, field: str) -> Column:
    column = _text(fields, problems, field)

    def problem(row: int) -> str:
        missing = fields.absent(field, row)
        return f"{'missing' if missing else 'empty'} (a vote needs model_a, model_b and winner)"

    problems.check(field, column.codes < 0, problem)
    return column


def _outcome_codes(winner: Column, problems: Problems) -> IntArray:
    """Per distinct winner cell, its index in OUTCOMES (plus a slot for code -1); an unknown
    winner is a problem."""
    outcome_of = np.array([OUTCOMES.index(_WINNERS.get(w, Outcome.A_WINS)) for w in winner.values] + [0])
    unknown = np.array([w not in _WINNERS for w in winner.values] + [False])
    allowed = ", ".join(repr(w) for w in _WINNERS)
    problems.check(
        "winner",
        unknown[winner.codes],
        lambda row: f"unknown value {winner.values[winner.codes[row]]!r} (expected one of {allowed})",
    )
    return outcome_of


def _model_codes(
    model_a: Column, model_b: Column, problems: Problems
) -> tuple[IntArray, IntArray, list[str]]:
    """Per vote, the index of each side's model in the model list; a model against itself is a
    problem."""
    models = list(dict.fromkeys([*model_a.values, *model_b.values]))
    index = {m: k for k, m in enumerate(models)}
    a_of = np.array([index[m] for m in model_a.values] + [-1], dtype=np.int64)
    b_of = np.array([index[m] for m in model_b.values] + [-2], dtype=np.int64)
    a, b = a_of[model_a.codes], b_of[model_b.codes]
    problems.check(
        "model_b",
        a == b,
        lambda row: f"compares model {models[a[row]]!r} with itself (one model only)",
    )
    return a, b, models


def _tags(fields: Fields, problems: Problems) -> tuple[Labels, Labels, Labels, Labels, Labels]:
    """The text columns: dimension and source parsed to their canonical names, then question id,
    rater and release as they stand."""
    dimension_column, source_column = _text(fields, problems, "dimension"), _text(fields, problems, "source")
    dimension = label_column(dimension_column, problems, "dimension", lambda v, _: Dimension.parse(v).value)
    source = label_column(source_column, problems, "source", lambda v, _: Source.parse(v).value)
    question_id, rater, release = (
        label_column(_text(fields, problems, f), problems, f) for f in ("question_id", "rater", "release")
    )
    return dimension, source, question_id, rater, release


def _by_first_appearance(a: IntArray, b: IntArray, models: list[str]) -> tuple[IntArray, IntArray, list[str]]:
    """Renumber the models by first appearance, reading model_a before model_b on each line."""
    first = np.full(len(models), 2 * a.size, dtype=np.int64)
    rows = np.arange(a.size, dtype=np.int64)
    np.minimum.at(first, a, 2 * rows)
    np.minimum.at(first, b, 2 * rows + 1)
    order = np.argsort(first, kind="stable")[: int((first < 2 * a.size).sum())]
    recode = np.full(len(models), -1, dtype=np.int64)
    recode[order] = np.arange(order.size)
    return recode[a], recode[b], [models[k] for k in order.tolist()]


def _battles(question: IntArray, turn: IntArray, a: IntArray, b: IntArray) -> IntArray:
    """Battle ids: one per (question, turn, unordered pair), one per vote without a question."""
    low, high = np.minimum(a, b), np.maximum(a, b)
    sizes = [int(c.max(initial=0)) + 1 for c in (question, turn, low, high)]
    if math.prod(sizes) < 2**62:  # one int64 key per vote
        key = ((question * sizes[1] + turn) * sizes[2] + low) * sizes[3] + high
    else:
        _, inverse = np.unique(np.stack([question, turn, low, high], axis=1), axis=0, return_inverse=True)
        key = inverse.reshape(-1).astype(np.int64)
    alone = question < 0
    key[alone] = -1 - np.flatnonzero(alone)  # negative and distinct: a battle each
    return first_appearance(key)

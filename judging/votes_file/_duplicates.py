"""Identical rows of a votes file: found, reported, and counted once unless the caller keeps them.

Two rows are identical when every field the reader takes holds the same value after reading
(``model_a``, ``model_b``, ``winner``, ``question_id``, ``dimension``, ``source``, ``rater``
(or ``judge``), ``release``, ``shown_first``, ``turn``, ``tstamp``; a cell's surrounding spaces
and the spelling of a winner or dimension do not count, absent matches only absent; columns the
reader ignores do not count; the tags and rationale count when they are read, as by an import)
and both name a ``rater`` and a ``question_id``. Rows without a rater
or a question can be two people's votes on the same pair (a file of ``model_a, model_b, winner``
is mostly such rows), so they are never merged.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from judging.votes_file._arrow import IntArray, first_appearance
from judging.votes_file._table import VoteTable

__all__ = ["Duplicates", "find_duplicates"]

_SHOWN_LINES = 10
_MIX = np.uint64(0x100000001B3)


@dataclass(frozen=True, eq=False)
class Duplicates:
    """``extra[row]``: the row repeats an earlier identical row; ``lines`` are those rows' lines."""

    extra: npt.NDArray[np.bool_]
    lines: IntArray

    def __len__(self) -> int:
        return int(self.lines.size)

    def note(self, action: str, *, kept: bool = False) -> str:
        """E.g. ``3 duplicate rows (lines 12, 40, 41) imported once; --keep-duplicates to keep them``
        (``action``: imported, counted), or what ``--keep-duplicates`` kept."""
        shown = ", ".join(str(line) for line in self.lines[:_SHOWN_LINES].tolist())
        if len(self) > _SHOWN_LINES:
            shown += ", …"
        rows, lines = ("row", "line") if len(self) == 1 else ("rows", "lines")
        if kept:
            return (
                f"{len(self)} duplicate {rows} ({lines} {shown}) kept as separate votes (--keep-duplicates)"
            )
        return f"{len(self)} duplicate {rows} ({lines} {shown}) {action} once; --keep-duplicates to keep them"


def _keys(table: VoteTable, rows: IntArray) -> list[IntArray]:
    columns = (
        table.a,
        table.b,
        table.outcome,
        table.question_id.codes,
        table.dimension.codes,
        table.source.codes,
        table.rater.codes,
        table.release.codes,
        table.shown_first,
        table.turn,
        table.tstamp.view(np.int64),  # the same time is the same bits (NaN, absent, is one value)
        *(() if table.notes is None else table.notes.codes()),
    )
    return [np.asarray(c[rows], dtype=np.int64) for c in columns]


def _sharing_a_time(table: VoteTable, rows: IntArray) -> IntArray:
    """The rows whose ``tstamp`` another row has too (identical rows share their time), in file
    order: none in a file of distinct times, which an export in time order shows in one pass."""
    bits = table.tstamp[rows].view(np.int64)  # absent is NaN: one value, shared by all of them
    if bool((bits[1:] > bits[:-1]).all()):
        return rows[:0]
    order = np.argsort(bits, kind="stable")  # nearly sorted (an export): close to one pass
    ordered = bits[order]
    same = ordered[1:] == ordered[:-1]
    shared = np.zeros(rows.size, dtype=bool)
    shared[1:] |= same
    shared[:-1] |= same
    return rows[np.sort(order[shared])]


def find_duplicates(table: VoteTable) -> Duplicates:
    """The rows that repeat an earlier identical row (see the module), in file order."""
    n = len(table)
    extra = np.zeros(n, dtype=bool)
    rows = np.flatnonzero((table.rater.codes >= 0) & (table.question_id.codes >= 0))
    if rows.size < 2:
        return Duplicates(extra, table.line[extra])
    rows = _sharing_a_time(table, rows)
    if rows.size < 2:
        return Duplicates(extra, table.line[extra])
    keys = _keys(table, rows)
    mixed = np.full(rows.size, 0xCBF29CE484222325, dtype=np.uint64)
    for key in keys:
        np.bitwise_xor(mixed, key.view(np.uint64), out=mixed)
        np.multiply(mixed, _MIX, out=mixed)
        np.bitwise_xor(mixed, mixed >> np.uint64(29), out=mixed)
    group = first_appearance(mixed.view(np.int64))  # numbered in order of first appearance
    seen = np.maximum.accumulate(np.concatenate([[-1], group[:-1]]))
    later = np.flatnonzero(group <= seen)  # a hash seen on an earlier row
    first_of = np.flatnonzero(group > seen)  # first row of each hash, by its number
    earlier = first_of[group[later]]
    same = np.ones(later.size, dtype=bool)
    for key in keys:  # exact: a hash collision never merges two different votes
        same &= key[later] == key[earlier]
    extra[rows[later[same]]] = True
    return Duplicates(extra, table.line[extra])


def without_duplicates(table: VoteTable, *, keep: bool = False) -> tuple[VoteTable, Duplicates]:
    """The table with each identical row counted once (all kept when ``keep``), and what was found."""
    found = find_duplicates(table)
    if keep or not len(found):
        return table, found
    return table.select(~found.extra), found

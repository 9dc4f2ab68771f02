"""The optional note columns of a votes file: the per-side harm tags (``tags_a`` on ``model_a``,
``tags_b`` on ``model_b``) and the rater's ``rationale``, as the vote export writes them.

Read only when the caller asks (``read_vote_table(..., notes=True)``: importing votes); the
ratings and calibration never pay for them. Each distinct cell is parsed once, like every other
column. A tags cell is a JSON list of harm-tag keys (``judging.harm_tags.HARM_TAGS``): in CSV a
JSON text (the export's formula guard undone, surrounding spaces dropped), in JSON a list; empty,
absent or null is no tags. A key not on the list is an error, as on the vote page and in the
judge's parser: a tag is never dropped or guessed. The keys keep the file's order. A rationale is
taken exactly as written (only the CSV guard undone, spaces kept); empty, absent or null is "".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from judging.csv_cells import read_cell, restore_cell
from judging.harm_tags import check_tag_keys, read_tag_list
from judging.votes_file._arrow import IntArray, numpy_ints, plain
from judging.votes_file._fields import Fields
from judging.votes_file._table import VotesFormat

NOTE_FIELDS = ("tags_a", "tags_b", "rationale")


@dataclass(frozen=True, slots=True)
class VoteNote:
    """One vote's notes: tags on the file's ``model_a`` and ``model_b``, and the rationale."""

    tags_a: tuple[str, ...] = ()
    tags_b: tuple[str, ...] = ()
    rationale: str = ""


@dataclass(frozen=True, eq=False)
class NoteColumn:
    """``codes[row]`` indexes ``values`` (distinct parsed values); -1: none (no tags, no text)."""

    codes: IntArray
    values: tuple[Any, ...]

    def rows(self, empty: object) -> list[Any]:
        lookup = (*self.values, empty)  # code -1 picks the trailing empty value
        return [lookup[c] for c in self.codes.tolist()]

    def take(self, rows: npt.NDArray[np.bool_]) -> NoteColumn:
        return NoteColumn(self.codes[rows], self.values)


@dataclass(frozen=True, eq=False)
class Notes:
    """The note columns of a ``VoteTable``, one entry per vote."""

    tags_a: NoteColumn  # values: tuples of tag keys
    tags_b: NoteColumn
    rationale: NoteColumn  # values: texts

    def values(self) -> list[VoteNote]:
        """One ``VoteNote`` per vote, in file order."""
        return [
            VoteNote(a, b, r)
            for a, b, r in zip(
                self.tags_a.rows(()), self.tags_b.rows(()), self.rationale.rows(""), strict=True
            )
        ]

    def take(self, rows: npt.NDArray[np.bool_]) -> Notes:
        return Notes(self.tags_a.take(rows), self.tags_b.take(rows), self.rationale.take(rows))

    def codes(self) -> tuple[IntArray, IntArray, IntArray]:
        """Per column, equal codes for equal values (what makes two rows' notes the same)."""
        return self.tags_a.codes, self.tags_b.codes, self.rationale.codes


Check = Callable[[str, npt.NDArray[np.bool_], Callable[[int], str]], None]


def read_notes(fields: Fields, check: Check) -> Notes:
    """The note columns of ``fields``; each bad cell is passed to ``check`` (field, per-row
    mask, message of a row)."""
    tags_a, tags_b = (_column(fields, f, _tag_list, check) for f in ("tags_a", "tags_b"))
    return Notes(tags_a, tags_b, _column(fields, "rationale", _rationale, check))


def _column(fields: Fields, field: str, parse: Callable[[object, bool], Any], check: Check) -> NoteColumn:
    """Encode a raw column, parse each distinct cell once (``None``: empty; ``ValueError``: the
    problem) and number the distinct parsed values."""
    raw = fields.columns.get(field)
    n = fields.line.size
    if raw is None:
        return NoteColumn(np.full(n, -1, dtype=np.int64), ())
    csv = fields.format is VotesFormat.CSV
    if csv:
        encoded = plain(raw.dictionary_encode())
        codes, distinct = numpy_ints(encoded.indices), encoded.dictionary.to_pylist()
    else:  # a JsonColumn: -2 (absent) and -1 (null) are none
        codes, distinct = np.maximum(raw.codes, -1), raw.distinct
    index: dict[Any, int] = {}
    recode = np.full(len(distinct) + 1, -1, dtype=np.int64)  # the extra slot keeps -1 at -1
    bad = np.zeros(len(distinct) + 1, dtype=bool)
    messages: list[str] = []
    for k, cell in enumerate(distinct):
        try:
            value = parse(cell, csv)
        except ValueError as error:
            bad[k] = True
            messages.append(str(error))
            continue
        messages.append("")
        if value is not None:
            recode[k] = index.setdefault(value, len(index))
    check(field, bad[codes], lambda row: messages[codes[row]])
    return NoteColumn(recode[codes], tuple(index))


def _tag_list(cell: object, csv: bool) -> tuple[str, ...] | None:
    # the line and field name the cell, so the harm-tag checks' messages go unprefixed
    tags = read_tag_list(read_cell(str(cell), guarded=True), where="") if csv else check_tag_keys(cell)
    return tags or None


def _rationale(cell: object, csv: bool) -> str | None:
    if not isinstance(cell, str):
        raise ValueError(f"expected text, got {cell!r}")
    text = restore_cell(cell) if csv else cell
    return text or None

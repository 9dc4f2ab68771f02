"""Raw columns into validated ones: each distinct cell cleaned (``read_cell``) and parsed once,
the rows only see integer codes; the file's first problem is the one reported."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from judging.csv_cells import read_cell
from judging.types import Side
from judging.votes_file._arrow import IntArray, arrow_mask, numpy_floats, numpy_ints, plain
from judging.votes_file._fields import Fields, JsonColumn
from judging.votes_file._table import SIDES, Labels, VotesFileError, VotesFormat

T = TypeVar("T")


@dataclass(frozen=True)
class Column:
    """One field: per-row codes into ``values`` (the distinct cleaned cells; -1 where empty)."""

    codes: IntArray
    values: list[str]
    raw: list[object]  # per code: the value as the file held it (JSON numbers stay numbers)
    distinct: bool = True  # False when values repeat a text (JSON 7 and "7" are two cells)


class Problems:
    """The first problem of the file: the earliest line, and on it the first check in the old
    row-by-row order (checks are registered in that order)."""

    def __init__(self, name: str, line: IntArray) -> None:
        self.name = name
        self.line = line
        self.order = 0
        self.first: tuple[int, int, str, Callable[[int], str]] | None = None

    def check(
        self, field: str, bad: npt.NDArray[np.bool_] | int | None, problem: Callable[[int], str]
    ) -> None:
        """Register a check: ``bad`` is a per-row mask or the first bad row (``None``: none)."""
        self.order += 1
        if bad is None:
            return
        if isinstance(bad, np.ndarray):
            if not bad.any():
                return
            bad = int(bad.argmax())
        if self.first is None or (bad, self.order) < self.first[:2]:
            self.first = (bad, self.order, field, problem)

    def raise_first(self) -> None:
        if self.first is not None:
            row, _, field, problem = self.first
            raise VotesFileError(self.name, int(self.line[row]), field, problem(row))


def column_of(fields: Fields, field: str, problems: Problems, allowed: tuple[type, ...], what: str) -> Column:
    """Encode a raw column and clean each distinct value once (``read_cell``)."""
    values = fields.columns.get(field)
    n = fields.line.size
    if values is None:
        return Column(np.full(n, -1, dtype=np.int64), [], [])
    if fields.format is VotesFormat.CSV:
        encoded = fields.encoded.get(field) or plain(values.dictionary_encode())
        codes = numpy_ints(encoded.indices)
        distinct: list[object] = encoded.dictionary.to_pylist()
        if not needs_cleaning(encoded.dictionary):
            return Column(codes, distinct, distinct)  # type: ignore[arg-type]
        return cleaned_column(codes, distinct, guarded=True)
    return json_column(values, field, problems, allowed, what)


def json_column(
    column: JsonColumn, field: str, problems: Problems, allowed: tuple[type, ...], what: str
) -> Column:
    """A JSON field: a value of a type not ``allowed`` is the problem, on its first row, and reads
    as empty (its type error is on the same line, and first)."""
    fits = [type(v) in allowed for v in column.distinct]
    ok = np.array([*fits, True, True])  # codes -2 (absent) and -1 (null) index the two last slots
    codes = column.codes
    problems.check(field, ~ok[codes], lambda row: f"expected {what}, got {column.distinct[codes[row]]!r}")
    kept = [v for v, fit in zip(column.distinct, fits, strict=True) if fit]
    recode = np.cumsum(fits, dtype=np.int64) - 1
    recode = np.concatenate([np.where(fits, recode, -1), [-1, -1]]).astype(np.int64)
    # a JSON number stays keyed with its type: 2.0 and "2.0" are different cells for ``turn``
    return cleaned_column(recode[codes], kept, guarded=False)


def needs_cleaning(distinct: pa.Array) -> bool:
    """Does any distinct CSV cell change under ``read_cell`` (empty, or a leading/trailing
    whitespace or a leading apostrophe)? Checked on the first and last characters only."""
    first = pc.utf8_slice_codeunits(distinct, 0, 1).unique().to_pylist()
    last = pc.utf8_slice_codeunits(distinct, -1).unique().to_pylist()
    return any(not c or c.isspace() or c == "'" for c in first) or any(not c or c.isspace() for c in last)


def cleaned_column(codes: IntArray, distinct: list[object], *, guarded: bool) -> Column:
    """Clean the distinct values; values that clean to the same text share a code."""
    cleaned: dict[object, int] = {}
    recode = np.full(len(distinct) + 1, -1, dtype=np.int64)  # the extra slot maps -1 to -1
    texts: list[str] = []
    raw_of: list[object] = []
    for k, value in enumerate(distinct):
        text = read_cell(str(value), guarded=guarded)
        if text is None:
            continue
        key = text if type(value) is str else (type(value), text)
        if key not in cleaned:
            cleaned[key] = len(texts)
            texts.append(text)
            raw_of.append(value)
        recode[k] = cleaned[key]
    return Column(recode[codes], texts, raw_of, distinct=len(set(texts)) == len(texts))


def parsed_values(
    column: Column, parse: Callable[[str, object], T]
) -> tuple[list[T | None], npt.NDArray[np.bool_], list[str]]:
    """Parse each distinct value once: the values, a per-code "bad" flag and the problems."""
    parsed: list[T | None] = []
    bad = np.zeros(len(column.values) + 1, dtype=bool)  # the extra slot: code -1 is never bad
    messages: list[str] = []
    for k, (value, raw) in enumerate(zip(column.values, column.raw, strict=True)):
        try:
            parsed.append(parse(value, raw))
            messages.append("")
        except ValueError as error:
            parsed.append(None)
            bad[k] = True
            messages.append(str(error))
    return parsed, bad, messages


def label_column(
    column: Column, problems: Problems, field: str, parse: Callable[[str, object], str] | None = None
) -> Labels:
    """A text column whose distinct values are parsed to canonical names (``parse``, if any);
    values with the same name share a code."""
    if parse is None and column.distinct:
        return Labels(column.codes, tuple(column.values))
    parsed, bad, messages = parsed_values(column, parse or (lambda value, _raw: value))
    problems.check(field, bad[column.codes], lambda row: messages[column.codes[row]])
    names = list(dict.fromkeys(p for p in parsed if p is not None))
    index = {name: k for k, name in enumerate(names)}
    recode = np.array([-1 if p is None else index[p] for p in parsed] + [-1], dtype=np.int64)
    return Labels(recode[column.codes], tuple(names))


def number_column(
    fields: Fields,
    field: str,
    problems: Problems,
    parse: Callable[[str, object], float],
    missing: float,
    dtype: type[np.generic],
) -> Any:
    """A numeric column: pyarrow's cast when every cell is plain, else each distinct value by
    ``parse`` (which names the problem)."""
    values = fields.columns.get(field)
    if values is None:
        return np.full(fields.line.size, missing, dtype=dtype)
    if fields.format is VotesFormat.CSV and dtype in (np.int64, np.float64):
        fast = cast_numbers(values, dtype)
        if fast is not None:
            return fast
    column = column_of(fields, field, problems, (str, int, float), "a plain value")
    parsed, bad, messages = parsed_values(column, parse)
    problems.check(field, bad[column.codes], lambda row: messages[column.codes[row]])
    lookup = np.array([missing if p is None else p for p in parsed] + [missing], dtype=dtype)
    return lookup[column.codes]


def cast_numbers(values: pa.Array, dtype: type[np.generic]) -> Any:
    """Plain CSV numbers (empty cells absent) cast by pyarrow; ``None`` when any cell is not
    plain (whitespace, a guard, a turn below 1, a non-finite time), for the exact path to judge.
    pyarrow and Python both round decimal text correctly, so the values are the same."""
    empty = numpy_ints(pc.utf8_length(values)) == 0
    target = pa.int64() if dtype is np.int64 else pa.float64()
    try:
        cast = pc.cast(values.filter(arrow_mask(~empty)), target)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    if dtype is np.int64:
        whole = np.zeros(empty.size, dtype=np.int64)
        whole[~empty] = numpy_ints(cast)
        return whole if (whole[~empty] >= 1).all() else None
    real = np.full(empty.size, math.nan)
    real[~empty] = numpy_floats(cast)
    return real if np.isfinite(real[~empty]).all() else None


def parse_side(value: str, _raw: object) -> int:
    try:
        return SIDES.index(Side(value.lower()))
    except ValueError:
        raise ValueError(f"unknown value {value!r} (expected 'a' or 'b')") from None


def parse_turn(value: str, raw: object) -> int:
    if isinstance(raw, float):
        if not raw.is_integer():
            raise ValueError(f"expected a positive integer, got {raw!r}")
        turn = int(raw)
    else:
        try:
            turn = int(value)
        except ValueError:
            raise ValueError(f"expected a positive integer, got {value!r}") from None
    if turn < 1:
        raise ValueError(f"expected a positive integer, got {turn!r}")
    return turn


def parse_tstamp(value: str, _raw: object) -> float:
    try:
        stamp = float(value)
    except ValueError:
        raise ValueError(f"expected Unix seconds (a number), got {value!r}") from None
    if not math.isfinite(stamp):
        raise ValueError(f"expected a finite number, got {value!r}")
    return stamp

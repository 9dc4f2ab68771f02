"""Read a votes file (CSV or JSONL) into a column table of votes, without a database.

Columns: ``model_a``, ``model_b``, ``winner`` (required; one of ``model_a``, ``model_b``, ``tie``,
``both_bad`` or Chatbot Arena's ``tie (bothbad)``) and the optional ``question_id``,
``dimension``, ``source``, ``rater``, ``release``, ``shown_first`` (``a``/``b``), ``turn`` (a
positive integer) and ``tstamp`` (Unix seconds); other columns are ignored. Every error names the
file, the line (1-based; a CSV header is line 1) and the field.

A cell is read by ``judging.csv_cells.read_cell``: surrounding whitespace dropped, empty means
absent, and in CSV the export's formula guard undone (``'=x`` reads as ``=x``; JSONL values are
taken as they stand). A CSV row whose cells are all empty is skipped, as are blank JSONL lines.

The reader is vectorised: pyarrow parses the CSV into string columns, each column is
dictionary-encoded, and every distinct value is cleaned and validated once; the rows only see
integer codes. Files whose rows cannot be matched to their lines that way (a quoted value that
spans lines, a row with too few or too many values, a line of spaces, a blank line in a file with
quotes or carriage returns) are read with Python's ``csv`` module instead, so line numbers are
always those of the file.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from types import MappingProxyType
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from judging.csv_cells import read_cell
from judging.dimensions import Dimension
from judging.errors import ArenaError
from judging.types import Comparison, Outcome, Side, Source

__all__ = [
    "OUTCOMES",
    "SIDES",
    "Labels",
    "VoteRecord",
    "VoteTable",
    "VotesFileError",
    "VotesFormat",
    "parse_vote_table",
    "parse_votes",
    "read_vote_table",
    "read_votes",
]

REQUIRED = ("model_a", "model_b", "winner")
OPTIONAL = ("question_id", "dimension", "source", "rater", "release", "shown_first", "turn", "tstamp")

OUTCOMES: tuple[Outcome, ...] = tuple(Outcome)
"""``VoteTable.outcome`` codes: 0 A wins, 1 B wins, 2 tie, 3 both bad (``Outcome`` order)."""
SIDES: tuple[Side, ...] = (Side.A, Side.B)
"""``VoteTable.shown_first`` codes: 0 A shown first, 1 B shown first, -1 not known."""

_WINNERS = {
    "model_a": Outcome.A_WINS,
    "model_b": Outcome.B_WINS,
    "tie": Outcome.TIE,
    "both_bad": Outcome.BOTH_BAD,
    "tie (bothbad)": Outcome.BOTH_BAD,
}
_SCORE_OF_OUTCOME = np.array([o.score_a for o in OUTCOMES], dtype=np.float64)
_BOM = b"\xef\xbb\xbf"

IntArray = npt.NDArray[np.int64]
T = TypeVar("T")


class VotesFormat(StrEnum):
    CSV = "csv"
    JSONL = "jsonl"

    @classmethod
    def of_path(cls, path: Path) -> VotesFormat:
        suffix = path.suffix.lower()
        if suffix == ".csv":
            return cls.CSV
        if suffix in (".jsonl", ".ndjson"):
            return cls.JSONL
        raise VotesFileError(str(path), None, None, f"unknown file type {suffix!r} (expected .csv or .jsonl)")


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
    ``tstamp`` NaN where the file has none.
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

    def __len__(self) -> int:
        return int(self.a.size)

    def comparisons(self) -> tuple[Comparison, ...]:
        """The votes as ``Comparison`` objects (the slow path); votes with the same models and
        outcome share one (immutable) object."""
        n_models, n_outcomes = len(self.models), len(OUTCOMES)
        key = (self.a * n_models + self.b) * n_outcomes + self.outcome
        encoded = _arrow_ints(key).dictionary_encode()
        distinct = []
        for k in encoded.dictionary.to_pylist():
            pair, outcome = divmod(k, n_outcomes)
            i, j = divmod(pair, n_models)
            distinct.append(Comparison(self.models[i], self.models[j], OUTCOMES[outcome]))
        return tuple(distinct[k] for k in _numpy_ints(encoded.indices).tolist())

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
        return hit[self.a] | hit[self.b]

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
            battle=_first_appearance(self.battle[mask]),
            question_id=self.question_id.take(mask),
            dimension=self.dimension.take(mask),
            source=self.source.take(mask),
            rater=self.rater.take(mask),
            release=self.release.take(mask),
            shown_first=self.shown_first[mask],
            turn=self.turn[mask],
            tstamp=self.tstamp[mask],
        )


# -- entry points ---------------------------------------------------------------------------------


def read_vote_table(path: str | Path, *, format: VotesFormat | None = None) -> VoteTable:
    """Read and validate a whole votes file into columns; the format follows the suffix unless given."""
    file = Path(path)
    kind = format or VotesFormat.of_path(file)
    name = str(file)
    try:
        if kind is VotesFormat.CSV:
            return _table(_csv_fields(file.read_bytes(), name), name)
        with file.open(encoding="utf-8-sig", newline="") as handle:
            return _table(_jsonl_fields(handle, name), name)
    except OSError as error:
        raise VotesFileError(name, None, None, f"cannot read the file ({error.strerror})") from None
    except UnicodeDecodeError as error:
        raise VotesFileError(name, None, None, f"not UTF-8 text ({error.reason})") from None


def parse_vote_table(lines: Iterable[str], format: VotesFormat, *, name: str = "<votes>") -> VoteTable:
    """Parse votes from text lines (CSV with a header row, or one JSON object per line)."""
    if format is VotesFormat.CSV:
        return _table(_csv_fields("".join(lines).encode("utf-8"), name), name)
    return _table(_jsonl_fields(lines, name), name)


def read_votes(path: str | Path, *, format: VotesFormat | None = None) -> tuple[VoteRecord, ...]:
    """Read and validate a whole votes file; the format follows the suffix unless given."""
    return read_vote_table(path, format=format).records()


def parse_votes(
    lines: Iterable[str], format: VotesFormat, *, name: str = "<votes>"
) -> tuple[VoteRecord, ...]:
    """Parse votes from text lines (CSV with a header row, or one JSON object per line)."""
    return parse_vote_table(lines, format, name=name).records()


# -- files into raw columns -----------------------------------------------------------------------


@dataclass(frozen=True)
class _Fields:
    """The file's votes as raw columns, one entry per vote row.

    CSV columns are pyarrow string arrays (``""`` for an empty cell); JSONL columns are lists of
    the JSON values (``_ABSENT`` where a line lacks the key). ``rows`` keeps the JSON objects for
    telling a missing key from an empty value. A line that cannot be read at all ends the rows
    (``stop``); a bad value on an earlier line is still reported first, as a row-by-row reader
    would.
    """

    format: VotesFormat
    line: IntArray
    columns: dict[str, Any]
    rows: Sequence[dict[str, object]] = ()
    stop: VotesFileError | None = None  # a line that could not be read: the rows end before it
    encoded: Mapping[str, pa.DictionaryArray] = field(default_factory=dict)  # CSV text columns, encoded


class _Absent:
    def __repr__(self) -> str:
        return "<absent>"


_ABSENT = _Absent()


def _csv_fields(raw: bytes, name: str) -> _Fields:
    if raw.startswith(_BOM):
        raw = raw[len(_BOM) :]
    ends = [at for at in (raw.find(b"\n"), raw.find(b"\r")) if at >= 0]
    first = raw[: min(ends)] if ends else raw
    try:
        header = next(csv.reader([_decode(first, name, 0)]), [])
    except csv.Error:
        header = []
    if not header and (not raw or raw.isspace()):
        raise VotesFileError(name, 1, None, "the file is empty (expected a header row)")
    _check_header(header, name)
    fields = _csv_fields_fast(raw, header)
    return fields if fields is not None else _csv_fields_slow(raw, name)


def _check_header(header: Sequence[str], name: str) -> None:
    for column in REQUIRED:
        if column not in header:
            raise VotesFileError(name, 1, column, f"missing column (the header has {', '.join(header)})")
    for column in (*REQUIRED, *OPTIONAL):
        if header.count(column) > 1:
            raise VotesFileError(name, 1, column, "the column appears twice in the header")


def _csv_fields_fast(raw: bytes, header: Sequence[str]) -> _Fields | None:
    """pyarrow's parse, or ``None`` when it cannot give every row its own line number."""
    invalid = 0

    def on_invalid(_row: object) -> str:
        nonlocal invalid
        invalid += 1
        return "skip"

    keys = [f"c{k}" for k in range(len(header))]  # positional names: unknown columns may repeat
    try:
        table = pa_csv.read_csv(
            io.BytesIO(raw),
            read_options=pa_csv.ReadOptions(
                column_names=keys, skip_rows=1, use_threads=(os.cpu_count() or 1) > 1
            ),
            parse_options=pa_csv.ParseOptions(newlines_in_values=b'"' in raw, invalid_row_handler=on_invalid),
            convert_options=pa_csv.ConvertOptions(
                column_types=dict.fromkeys(keys, pa.string()),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
                null_values=[],
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None  # e.g. bad UTF-8: the slow path names the line
    end = len(raw)
    while end and raw[end - 1 : end].isspace():  # trailing blank lines hold no rows
        end -= 1
    # line breaks as Python's csv module counts them: \n, \r\n and a lone \r
    breaks = raw.count(b"\n", 0, end)
    if b"\r" in raw:
        breaks += raw.count(b"\r", 0, end) - raw.count(b"\r\n", 0, end)
    lines = breaks + 1 if end else 0
    if invalid:
        return None
    if table.num_rows + 1 == lines:
        line = np.arange(2, table.num_rows + 2, dtype=np.int64)
    else:
        found = None if b'"' in raw or b"\r" in raw else _non_blank_lines(raw, end)
        if found is None or found.size != table.num_rows + 1:
            return None  # a value spans lines, or line ends pyarrow and csv count differently
        line = found[1:]
    blank = _blank_rows(table)
    if blank.any():
        table, line = table.filter(_arrow_mask(~blank)), line[~blank]
    columns: dict[str, Any] = {}
    for column, key in zip(header, keys, strict=True):
        columns.setdefault(column, table.column(key))  # chunked: encoded, never copied
    return _Fields(VotesFormat.CSV, line, columns, encoded=_encoded(columns))


def _encoded(columns: Mapping[str, pa.Array]) -> Mapping[str, pa.DictionaryArray]:
    """The text fields' columns dictionary-encoded, a column per thread (pyarrow's kernels release
    the GIL)."""
    fields = [f for f in (*REQUIRED, *OPTIONAL) if f in columns and f not in ("turn", "tstamp")]
    workers = min(len(fields), os.cpu_count() or 1)
    if workers > 1:
        with ThreadPoolExecutor(workers) as pool:
            encoded = list(pool.map(lambda f: _plain(columns[f].dictionary_encode()), fields))
    else:
        encoded = [_plain(columns[f].dictionary_encode()) for f in fields]
    return MappingProxyType(dict(zip(fields, encoded, strict=True)))


def _non_blank_lines(raw: bytes, end: int) -> IntArray:
    """The 1-based numbers of the non-empty lines of ``raw[:end]`` (``\\n`` line ends, no quotes):
    pyarrow skips empty lines, so these are the lines its rows came from."""
    breaks = np.flatnonzero(np.frombuffer(raw, dtype=np.uint8, count=end) == ord("\n"))
    starts = np.concatenate([[0], breaks + 1])
    ends = np.concatenate([breaks, [end]])
    return np.flatnonzero(ends > starts).astype(np.int64) + 1


def _blank_rows(table: pa.Table) -> npt.NDArray[np.bool_]:
    """Rows whose every cell is empty or whitespace (``str.strip``'s idea of whitespace)."""
    blank = np.ones(table.num_rows, dtype=bool)
    for column in table.columns:  # stops at the first column with text on every row
        encoded = _plain(column.dictionary_encode())
        empty = np.array([not v.strip() for v in encoded.dictionary.to_pylist()] + [False])
        codes = _numpy_ints(encoded.indices)
        blank &= empty[codes]
        if not blank.any():
            break
    return blank


def _csv_fields_slow(raw: bytes, name: str) -> _Fields:
    """Python's csv module, row by row: the reference for line numbers and short rows."""
    text = _decode(raw, name, 0)
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader)
    width = len(header)
    cells: list[list[str]] = [[] for _ in header]
    line: list[int] = []
    stop = None
    for row in reader:
        if len(row) > width:
            stop = VotesFileError(name, reader.line_num, None, "more values than header columns")
            break
        if not any(value.strip() for value in row):
            continue
        line.append(reader.line_num)
        for k in range(width):
            cells[k].append(row[k] if k < len(row) else "")  # a short row: the rest are empty
    columns: dict[str, Any] = {}
    for column, values in zip(header, cells, strict=True):
        columns.setdefault(column, pa.array(values, type=pa.string()))
    return _Fields(VotesFormat.CSV, np.asarray(line, dtype=np.int64), columns, stop=stop)


def _decode(raw: bytes, name: str, offset: int) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1 + offset
        raise VotesFileError(name, line, None, f"not UTF-8 text ({error.reason})") from None


def _jsonl_fields(lines: Iterable[str], name: str) -> _Fields:
    rows: list[dict[str, object]] = []
    numbers: list[int] = []
    loads = json.loads
    stop = None
    for number, text in enumerate(lines, start=1):
        if not text.strip():
            continue
        try:
            row = loads(text)
        except json.JSONDecodeError as error:
            stop = VotesFileError(name, number, None, f"not valid JSON ({error.msg})")
            break
        if not isinstance(row, dict):
            stop = VotesFileError(name, number, None, f"expected a JSON object, got {type(row).__name__}")
            break
        rows.append(row)
        numbers.append(number)
    columns = {field: [row.get(field, _ABSENT) for row in rows] for field in (*REQUIRED, *OPTIONAL)}
    present = {field: values for field, values in columns.items() if any(v is not _ABSENT for v in values)}
    return _Fields(VotesFormat.JSONL, np.asarray(numbers, dtype=np.int64), present, rows, stop)


# -- raw columns into validated columns -----------------------------------------------------------


@dataclass(frozen=True)
class _Column:
    """One field: per-row codes into ``values`` (the distinct cleaned cells; -1 where empty)."""

    codes: IntArray
    values: list[str]
    raw: list[object]  # per code: the value as the file held it (JSON numbers stay numbers)
    distinct: bool = True  # False when values repeat a text (JSON 7 and "7" are two cells)


class _Problems:
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


def _column(
    fields: _Fields, field: str, problems: _Problems, allowed: tuple[type, ...], what: str
) -> _Column:
    """Encode a raw column and clean each distinct value once (``read_cell``)."""
    values = fields.columns.get(field)
    n = fields.line.size
    if values is None:
        return _Column(np.full(n, -1, dtype=np.int64), [], [])
    if fields.format is VotesFormat.CSV:
        encoded = fields.encoded.get(field) or _plain(values.dictionary_encode())
        codes = _numpy_ints(encoded.indices)
        distinct: list[object] = encoded.dictionary.to_pylist()
        if not _needs_cleaning(encoded.dictionary):
            return _Column(codes, distinct, distinct)  # type: ignore[arg-type]
        return _cleaned(codes, distinct, guarded=True)
    bad = next(
        (k for k, v in enumerate(values) if v is not _ABSENT and v is not None and type(v) not in allowed),
        None,
    )
    problems.check(field, bad, lambda row: f"expected {what}, got {values[row]!r}")
    # a JSON number is keyed with its type: 2.0 and "2.0" are different cells for ``turn``;
    # a value of a wrong type reads as empty (its type error is on the same line, and first)
    index: dict[object, int] = {}
    codes = np.fromiter(
        (
            -1
            if v is None or v is _ABSENT or type(v) not in allowed
            else index.setdefault(v if type(v) is str else (type(v), v), len(index))
            for v in values
        ),
        dtype=np.int64,
        count=n,
    )
    return _cleaned(codes, [k if type(k) is str else k[1] for k in index], guarded=False)  # type: ignore[index]


def _needs_cleaning(distinct: pa.Array) -> bool:
    """Does any distinct CSV cell change under ``read_cell`` (empty, or a leading/trailing
    whitespace or a leading apostrophe)? Checked on the first and last characters only."""
    first = pc.utf8_slice_codeunits(distinct, 0, 1).unique().to_pylist()
    last = pc.utf8_slice_codeunits(distinct, -1).unique().to_pylist()
    return any(not c or c.isspace() or c == "'" for c in first) or any(not c or c.isspace() for c in last)


def _cleaned(codes: IntArray, distinct: list[object], *, guarded: bool) -> _Column:
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
    return _Column(recode[codes], texts, raw_of, distinct=len(set(texts)) == len(texts))


def _parsed(
    column: _Column, parse: Callable[[str, object], T]
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


def _table(fields: _Fields, name: str) -> VoteTable:
    n = fields.line.size
    problems = _Problems(name, fields.line)

    def text(field: str) -> _Column:
        return _column(fields, field, problems, (str, int), "text")

    def required(field: str) -> _Column:
        column = text(field)

        def problem(row: int) -> str:
            missing = fields.format is VotesFormat.JSONL and field not in fields.rows[row]
            return f"{'missing' if missing else 'empty'} (a vote needs model_a, model_b and winner)"

        problems.check(field, column.codes < 0, problem)
        return column

    if n == 0:
        raise fields.stop or VotesFileError(name, None, None, "the file contains no votes")
    model_a, model_b, winner = required("model_a"), required("model_b"), required("winner")

    outcome_of = np.array([OUTCOMES.index(_WINNERS.get(w, Outcome.A_WINS)) for w in winner.values] + [0])
    unknown = np.array([w not in _WINNERS for w in winner.values] + [False])
    allowed = ", ".join(repr(w) for w in _WINNERS)
    problems.check(
        "winner",
        unknown[winner.codes],
        lambda row: f"unknown value {winner.values[winner.codes[row]]!r} (expected one of {allowed})",
    )
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

    dimension_column, source_column = text("dimension"), text("source")
    dimension = _labels(dimension_column, problems, "dimension", lambda v, _: Dimension.parse(v).value)
    source = _labels(source_column, problems, "source", lambda v, _: Source.parse(v).value)
    question_id, rater, release = (_labels(text(f), problems, f) for f in ("question_id", "rater", "release"))

    shown = _numbers(fields, "shown_first", problems, _side, -1, np.int8)
    turn = _numbers(fields, "turn", problems, _turn, 0, np.int64)
    tstamp = _numbers(fields, "tstamp", problems, _tstamp, math.nan, np.float64)
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
    )


def _labels(
    column: _Column, problems: _Problems, field: str, parse: Callable[[str, object], str] | None = None
) -> Labels:
    """A text column whose distinct values are parsed to canonical names (``parse``, if any);
    values with the same name share a code."""
    if parse is None and column.distinct:
        return Labels(column.codes, tuple(column.values))
    parsed, bad, messages = _parsed(column, parse or (lambda value, _raw: value))
    problems.check(field, bad[column.codes], lambda row: messages[column.codes[row]])
    names = list(dict.fromkeys(p for p in parsed if p is not None))
    index = {name: k for k, name in enumerate(names)}
    recode = np.array([-1 if p is None else index[p] for p in parsed] + [-1], dtype=np.int64)
    return Labels(recode[column.codes], tuple(names))


def _numbers(
    fields: _Fields,
    field: str,
    problems: _Problems,
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
        fast = _cast_numbers(values, dtype)
        if fast is not None:
            return fast
    column = _column(fields, field, problems, (str, int, float), "a plain value")
    parsed, bad, messages = _parsed(column, parse)
    problems.check(field, bad[column.codes], lambda row: messages[column.codes[row]])
    lookup = np.array([missing if p is None else p for p in parsed] + [missing], dtype=dtype)
    return lookup[column.codes]


def _cast_numbers(values: pa.Array, dtype: type[np.generic]) -> Any:
    """Plain CSV numbers (empty cells absent) cast by pyarrow; ``None`` when any cell is not
    plain (whitespace, a guard, a turn below 1, a non-finite time), for the exact path to judge.
    pyarrow and Python both round decimal text correctly, so the values are the same."""
    empty = _numpy_ints(pc.utf8_length(values)) == 0
    target = pa.int64() if dtype is np.int64 else pa.float64()
    try:
        cast = pc.cast(values.filter(_arrow_mask(~empty)), target)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    if dtype is np.int64:
        whole = np.zeros(empty.size, dtype=np.int64)
        whole[~empty] = _numpy_ints(cast)
        return whole if (whole[~empty] >= 1).all() else None
    real = np.full(empty.size, math.nan)
    real[~empty] = _numpy_floats(cast)
    return real if np.isfinite(real[~empty]).all() else None


def _side(value: str, _raw: object) -> int:
    try:
        return SIDES.index(Side(value.lower()))
    except ValueError:
        raise ValueError(f"unknown value {value!r} (expected 'a' or 'b')") from None


def _turn(value: str, raw: object) -> int:
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


def _tstamp(value: str, _raw: object) -> float:
    try:
        stamp = float(value)
    except ValueError:
        raise ValueError(f"expected Unix seconds (a number), got {value!r}") from None
    if not math.isfinite(stamp):
        raise ValueError(f"expected a finite number, got {value!r}")
    return stamp


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
    return _first_appearance(key)


def _first_appearance(ids: IntArray) -> IntArray:
    """Renumber ids 0, 1, 2 … in order of first appearance (a hash pass, no sort)."""
    return _numpy_ints(_arrow_ints(ids).dictionary_encode().indices)


# -- between pyarrow and numpy without pandas ------------------------------------------------------
# pyarrow's own conversions (``pa.array``, ``to_numpy``) import pandas to check for its types,
# a quarter of a second the command line does not need: these go through the buffers instead.

_INT_TYPES = {pa.int8(): np.int8, pa.int16(): np.int16, pa.int32(): np.int32, pa.int64(): np.int64}


def _plain(array: pa.Array | pa.ChunkedArray) -> pa.Array:
    return array.combine_chunks() if isinstance(array, pa.ChunkedArray) else array


def _numpy_ints(array: pa.Array | pa.ChunkedArray) -> IntArray:
    """An integer array without nulls as int64."""
    array = _plain(array)
    assert array.null_count == 0, "integer codes are never null"
    dtype = _INT_TYPES[array.type]
    values = np.frombuffer(array.buffers()[1], dtype=dtype)[array.offset : array.offset + len(array)]
    return values.astype(np.int64)


def _numpy_floats(array: pa.Array | pa.ChunkedArray) -> npt.NDArray[np.float64]:
    """A float64 array without nulls."""
    array = _plain(array)
    assert array.null_count == 0 and array.type == pa.float64()
    return np.frombuffer(array.buffers()[1], dtype=np.float64)[
        array.offset : array.offset + len(array)
    ].copy()


def _numpy_bools(array: pa.Array | pa.ChunkedArray) -> npt.NDArray[np.bool_]:
    """A boolean array (nulls read as false)."""
    array = _plain(array)
    if array.null_count:
        array = array.fill_null(False)
    bits = np.unpackbits(np.frombuffer(array.buffers()[1], dtype=np.uint8), bitorder="little")
    return bits[array.offset : array.offset + len(array)].astype(bool)


def _arrow_ints(values: npt.NDArray[np.integer[Any]]) -> pa.Array:
    data = np.ascontiguousarray(values, dtype=np.int64)
    return pa.Array.from_buffers(pa.int64(), len(data), [None, pa.py_buffer(data)])


def _arrow_mask(mask: npt.NDArray[np.bool_]) -> pa.Array:
    bits = np.packbits(np.asarray(mask, dtype=bool), bitorder="little")
    return pa.Array.from_buffers(pa.bool_(), len(mask), [None, pa.py_buffer(bits)])

"""Read a votes file (CSV or JSONL) into comparisons with their tags, without a database.

Columns: ``model_a``, ``model_b``, ``winner`` (required) and ``question_id``, ``dimension``,
``source``, ``rater``, ``release`` (optional). ``winner`` is one of ``model_a``, ``model_b``,
``tie``, ``both_bad`` or Chatbot Arena's ``tie (bothbad)``. Every error names the file, the line
and the field.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from judging.dimensions import Dimension
from judging.types import Comparison, Outcome, Source

__all__ = ["VoteRecord", "VotesFileError", "VotesFormat", "parse_votes", "read_votes"]

REQUIRED = ("model_a", "model_b", "winner")
OPTIONAL = ("question_id", "dimension", "source", "rater", "release")

_WINNERS = {
    "model_a": Outcome.A_WINS,
    "model_b": Outcome.B_WINS,
    "tie": Outcome.TIE,
    "both_bad": Outcome.BOTH_BAD,
    "tie (bothbad)": Outcome.BOTH_BAD,
}


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


class VotesFileError(ValueError):
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


def read_votes(path: str | Path, *, format: VotesFormat | None = None) -> tuple[VoteRecord, ...]:
    """Read and validate a whole votes file; the format follows the suffix unless given."""
    file = Path(path)
    kind = format or VotesFormat.of_path(file)
    try:
        with file.open(encoding="utf-8-sig", newline="") as handle:
            return parse_votes(handle, kind, name=str(file))
    except OSError as error:
        raise VotesFileError(str(file), None, None, f"cannot read the file ({error.strerror})") from None


def parse_votes(
    lines: Iterable[str], format: VotesFormat, *, name: str = "<votes>"
) -> tuple[VoteRecord, ...]:
    """Parse votes from text lines (CSV with a header row, or one JSON object per line)."""
    rows = _csv_rows(lines, name) if format is VotesFormat.CSV else _jsonl_rows(lines, name)
    records = tuple(_record(line, row, name) for line, row in rows)
    if not records:
        raise VotesFileError(name, None, None, "the file contains no votes")
    return records


def _csv_rows(lines: Iterable[str], name: str) -> Iterable[tuple[int, Mapping[str, object]]]:
    reader = csv.DictReader(iter(lines))
    header = reader.fieldnames
    if header is None:
        raise VotesFileError(name, 1, None, "the file is empty (expected a header row)")
    for column in REQUIRED:
        if column not in header:
            raise VotesFileError(name, 1, column, f"missing column (the header has {', '.join(header)})")
    for row in reader:
        if None in row:
            raise VotesFileError(name, reader.line_num, None, "more values than header columns")
        if not any((value or "").strip() for value in row.values()):
            continue
        yield reader.line_num, row


def _jsonl_rows(lines: Iterable[str], name: str) -> Iterable[tuple[int, Mapping[str, object]]]:
    for number, text in enumerate(lines, start=1):
        if not text.strip():
            continue
        try:
            row = json.loads(text)
        except json.JSONDecodeError as error:
            raise VotesFileError(name, number, None, f"not valid JSON ({error.msg})") from None
        if not isinstance(row, dict):
            raise VotesFileError(name, number, None, f"expected a JSON object, got {type(row).__name__}")
        yield number, row


def _optional(row: Mapping[str, object], field: str, line: int, name: str) -> str | None:
    value = row.get(field)
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise VotesFileError(name, line, field, f"expected text, got {value!r}")
    return str(value).strip()


def _required(row: Mapping[str, object], field: str, line: int, name: str) -> str:
    value = _optional(row, field, line, name)
    if value is None:
        problem = "missing" if field not in row else "empty"
        raise VotesFileError(name, line, field, f"{problem} (a vote needs model_a, model_b and winner)")
    return value


def _record(line: int, row: Mapping[str, object], name: str) -> VoteRecord:
    model_a = _required(row, "model_a", line, name)
    model_b = _required(row, "model_b", line, name)
    winner = _required(row, "winner", line, name)
    if winner not in _WINNERS:
        allowed = ", ".join(repr(w) for w in _WINNERS)
        raise VotesFileError(name, line, "winner", f"unknown value {winner!r} (expected one of {allowed})")
    if model_a == model_b:
        raise VotesFileError(
            name, line, "model_b", f"compares model {model_a!r} with itself (one model only)"
        )
    dimension = _optional(row, "dimension", line, name)
    source = _optional(row, "source", line, name)
    try:
        parsed_dimension = None if dimension is None else Dimension.parse(dimension).value
    except ValueError as error:
        raise VotesFileError(name, line, "dimension", str(error)) from None
    try:
        parsed_source = None if source is None else Source.parse(source)
    except ValueError as error:
        raise VotesFileError(name, line, "source", str(error)) from None
    return VoteRecord(
        line=line,
        comparison=Comparison(model_a, model_b, _WINNERS[winner]),
        question_id=_optional(row, "question_id", line, name),
        dimension=parsed_dimension,
        source=parsed_source,
        rater=_optional(row, "rater", line, name),
        release=_optional(row, "release", line, name),
    )

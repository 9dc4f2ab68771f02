"""The votes interchange format: the ratings votes file plus the columns calibration needs.

Columns, in export order: ``model_a``, ``model_b``, ``winner`` (required; one of ``model_a``,
``model_b``, ``tie``, ``both_bad`` or Chatbot Arena's ``tie (bothbad)``), then the optional
``source`` (human / judge / expert), ``rater``, ``shown_first`` (``a`` or ``b``: which model was
shown first, i.e. on the left), ``dimension``, ``release``, ``question_id``, ``turn`` (a positive
integer) and ``tstamp`` (Unix seconds). ``winner`` is relative to ``model_a``/``model_b``, never
to the shown order.

Reading reuses ``judging.votes_file`` for the ratings columns (so both readers accept and reject
the same files) and adds the calibration columns; every error names the line and the field.
CSV export neutralises spreadsheet formula injection: a cell starting with ``=``, ``+``, ``-``,
``@``, a tab or a carriage return gets a leading apostrophe (so does one that starts with
apostrophes before such a character). The reader removes one such apostrophe again, so an exported
file reads back to the same votes, and a hand-made ``'=x`` cell reads as ``=x``.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from judging.csv_cells import neutralise_cell, restore_cell
from judging.types import Comparison, Outcome, Side, Source, Verdict, outcome_from_verdict
from judging.votes_file import VoteRecord, VotesFileError, VotesFormat, parse_votes

__all__ = [
    "INTERCHANGE_COLUMNS",
    "ArenaVote",
    "dump_interchange",
    "parse_interchange",
    "read_interchange",
    "write_interchange",
]

INTERCHANGE_COLUMNS = (
    "model_a",
    "model_b",
    "winner",
    "source",
    "rater",
    "shown_first",
    "dimension",
    "release",
    "question_id",
    "turn",
    "tstamp",
)

# OWASP's list of characters that make a spreadsheet read a cell as a formula

_VERDICT_OF_OUTCOME = {
    Outcome.A_WINS: Verdict.A,
    Outcome.B_WINS: Verdict.B,
    Outcome.TIE: Verdict.TIE,
    Outcome.BOTH_BAD: Verdict.BOTH_UNSAFE,
}


@dataclass(frozen=True, slots=True)
class ArenaVote:
    """One vote with everything calibration looks at; ``line`` is where a file held it."""

    comparison: Comparison
    source: Source | None = None
    rater: str | None = None
    shown_first: Side | None = None
    dimension: str | None = None
    release: str | None = None
    question_id: str | None = None
    turn: int | None = None
    tstamp: float | None = None
    line: int | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.comparison, Comparison):
            raise TypeError(f"ArenaVote: comparison must be a Comparison, got {self.comparison!r}")
        if self.source is not None and not isinstance(self.source, Source):
            raise TypeError(f"ArenaVote: source must be a Source, got {self.source!r}")
        if self.shown_first is not None and not isinstance(self.shown_first, Side):
            raise TypeError(f"ArenaVote: shown_first must be a Side, got {self.shown_first!r}")
        if self.turn is not None and (isinstance(self.turn, bool) or not isinstance(self.turn, int)):
            raise TypeError(f"ArenaVote: turn must be an int, got {self.turn!r}")
        if self.turn is not None and self.turn < 1:
            raise ValueError(f"ArenaVote: turn must be at least 1, got {self.turn!r}")
        if self.tstamp is not None and not math.isfinite(self.tstamp):
            raise ValueError(f"ArenaVote: tstamp must be finite, got {self.tstamp!r}")

    @classmethod
    def of(
        cls,
        model_a: str,
        model_b: str,
        verdict: Verdict | str,
        *,
        source: Source | None = None,
        rater: str | None = None,
        shown_first: Side | None = None,
        dimension: str | None = None,
        release: str | None = None,
        question_id: str | None = None,
        turn: int | None = None,
        tstamp: float | None = None,
    ) -> ArenaVote:
        """Build a vote from a verdict (``A``/``B``/``tie``/``both_unsafe``) rather than an outcome."""
        parsed = verdict if isinstance(verdict, Verdict) else Verdict.parse(verdict)
        return cls(
            Comparison(model_a, model_b, outcome_from_verdict(parsed)),
            source=source,
            rater=rater,
            shown_first=shown_first,
            dimension=dimension,
            release=release,
            question_id=question_id,
            turn=turn,
            tstamp=tstamp,
        )

    @property
    def model_a(self) -> str:
        return self.comparison.model_a

    @property
    def model_b(self) -> str:
        return self.comparison.model_b

    @property
    def outcome(self) -> Outcome:
        return self.comparison.outcome

    @property
    def verdict(self) -> Verdict:
        """The rater's verdict relative to ``model_a``/``model_b``."""
        return _VERDICT_OF_OUTCOME[self.comparison.outcome]

    @property
    def first_model(self) -> str | None:
        """The model shown first, when the order is known."""
        if self.shown_first is None:
            return None
        return self.model_a if self.shown_first is Side.A else self.model_b


# -- reading --------------------------------------------------------------------------------------


def read_interchange(path: str | Path, *, format: VotesFormat | None = None) -> tuple[ArenaVote, ...]:
    """Read and validate a whole interchange file; the format follows the suffix unless given."""
    file = Path(path)
    kind = format or VotesFormat.of_path(file)
    try:
        with file.open(encoding="utf-8-sig", newline="") as handle:
            text = handle.read()
    except OSError as error:
        raise VotesFileError(str(file), None, None, f"cannot read the file ({error.strerror})") from None
    except UnicodeDecodeError as error:
        raise VotesFileError(str(file), None, None, f"not UTF-8 text ({error.reason})") from None
    return parse_interchange(io.StringIO(text, newline=""), kind, name=str(file))


def parse_interchange(
    lines: Iterable[str], format: VotesFormat, *, name: str = "<votes>"
) -> tuple[ArenaVote, ...]:
    """Parse interchange votes from text lines (CSV with a header row, or JSONL)."""
    text = "".join(lines)
    # the ratings columns, validated by the ratings reader; then our columns from the same rows
    base = parse_votes(io.StringIO(text, newline=""), format, name=name)
    rows = dict(_rows(io.StringIO(text, newline=""), format))
    return tuple(_vote(record, rows[record.line], name) for record in base)


def _rows(lines: Iterable[str], format: VotesFormat) -> Iterator[tuple[int, Mapping[str, object]]]:
    """Rows keyed by line, numbered as ``judging.votes_file`` numbers them (it has vetted them)."""
    if format is VotesFormat.CSV:
        reader = csv.DictReader(iter(lines))
        for row in reader:
            yield reader.line_num, row
        return
    for number, text in enumerate(lines, start=1):
        if text.strip():
            yield number, json.loads(text)


def _unescape(value: str | None) -> str | None:
    """Undo the CSV export's formula guard (``'=x`` back to ``=x``)."""
    return None if value is None else restore_cell(value)


def _text(row: Mapping[str, object], field_name: str, line: int, name: str) -> str | None:
    value = row.get(field_name)
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise VotesFileError(name, line, field_name, f"expected a plain value, got {value!r}")
    return _unescape(str(value).strip())


def _shown_first(row: Mapping[str, object], line: int, name: str) -> Side | None:
    value = _text(row, "shown_first", line, name)
    if value is None:
        return None
    try:
        return Side(value.lower())
    except ValueError:
        raise VotesFileError(
            name, line, "shown_first", f"unknown value {value!r} (expected 'a' or 'b')"
        ) from None


def _turn(row: Mapping[str, object], line: int, name: str) -> int | None:
    raw = row.get("turn")
    value = _text(row, "turn", line, name)
    if value is None:
        return None
    if isinstance(raw, float) and not raw.is_integer():
        raise VotesFileError(name, line, "turn", f"expected a positive integer, got {raw!r}")
    try:
        turn = int(float(value)) if isinstance(raw, float) else int(value)
    except ValueError:
        raise VotesFileError(name, line, "turn", f"expected a positive integer, got {value!r}") from None
    if turn < 1:
        raise VotesFileError(name, line, "turn", f"expected a positive integer, got {turn!r}")
    return turn


def _tstamp(row: Mapping[str, object], line: int, name: str) -> float | None:
    value = _text(row, "tstamp", line, name)
    if value is None:
        return None
    try:
        stamp = float(value)
    except ValueError:
        raise VotesFileError(
            name, line, "tstamp", f"expected Unix seconds (a number), got {value!r}"
        ) from None
    if not math.isfinite(stamp):
        raise VotesFileError(name, line, "tstamp", f"expected a finite number, got {value!r}")
    return stamp


def _vote(record: VoteRecord, row: Mapping[str, object], name: str) -> ArenaVote:
    line = record.line
    comparison = record.comparison
    model_a = _unescape(comparison.model_a) or comparison.model_a
    model_b = _unescape(comparison.model_b) or comparison.model_b
    if model_a == model_b:
        raise VotesFileError(
            name, line, "model_b", f"compares model {model_a!r} with itself (one model only)"
        )
    return ArenaVote(
        comparison=Comparison(model_a, model_b, comparison.outcome),
        source=record.source,
        rater=_unescape(record.rater),
        shown_first=_shown_first(row, line, name),
        dimension=record.dimension,
        release=_unescape(record.release),
        question_id=_unescape(record.question_id),
        turn=_turn(row, line, name),
        tstamp=_tstamp(row, line, name),
        line=line,
    )


# -- writing --------------------------------------------------------------------------------------


def _cells(vote: ArenaVote) -> tuple[str | int | float | None, ...]:
    return (
        vote.model_a,
        vote.model_b,
        vote.outcome.value,
        None if vote.source is None else vote.source.value,
        vote.rater,
        None if vote.shown_first is None else vote.shown_first.value,
        vote.dimension,
        vote.release,
        vote.question_id,
        vote.turn,
        vote.tstamp,
    )


def _csv_cell(value: str | int | float | None) -> str:
    if value is None:
        return ""
    text = repr(value) if isinstance(value, float) else str(value)
    return neutralise_cell(text)


def dump_interchange(votes: Iterable[ArenaVote], format: VotesFormat) -> str:
    """The votes as interchange text: CSV with a header row, or JSONL (absent values omitted)."""
    if format is VotesFormat.CSV:
        buffer = io.StringIO(newline="")
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(INTERCHANGE_COLUMNS)
        for vote in votes:
            writer.writerow([_csv_cell(value) for value in _cells(vote)])
        return buffer.getvalue()
    lines = []
    for vote in votes:
        row = {k: v for k, v in zip(INTERCHANGE_COLUMNS, _cells(vote), strict=True) if v is not None}
        lines.append(json.dumps(row, ensure_ascii=False) + "\n")
    return "".join(lines)


def write_interchange(
    votes: Iterable[ArenaVote], path: str | Path, *, format: VotesFormat | None = None
) -> None:
    """Write the votes to ``path``; the format follows the suffix unless given."""
    file = Path(path)
    kind = format or VotesFormat.of_path(file)
    file.write_text(dump_interchange(votes, kind), encoding="utf-8", newline="")

"""The votes interchange format: the ratings votes file plus the columns calibration needs.

Columns, in export order: ``model_a``, ``model_b``, ``winner`` (required; one of ``model_a``,
``model_b``, ``tie``, ``both_bad`` or Chatbot Arena's ``tie (bothbad)``), then the optional
``source`` (human / judge / expert), ``rater``, ``shown_first`` (``a`` or ``b``: which model was
shown first, i.e. on the left), ``dimension``, ``release``, ``question_id``, ``turn`` (a positive
integer) and ``tstamp`` (Unix seconds). ``winner`` is relative to ``model_a``/``model_b``, never
to the shown order.

Reading also takes the Arena-format export (``export-votes --format arena``: a JSON list whose
``judge`` is the rater and whose ``winner`` may be ``tie (bothbad)``). Reading is
``judging.votes_file``'s: one parse (``read_vote_table``) validates every column, so
both readers accept and reject the same files and read every cell the same way; every error names
the line and the field. CSV export neutralises spreadsheet formula injection: a cell starting with
``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a leading apostrophe (so does one that
starts with apostrophes before such a character). The CSV reader removes one such apostrophe
again, so an exported file reads back to the same votes, and a hand-made ``'=x`` cell reads as
``=x``. JSONL is written and read unescaped.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from judging.csv_cells import neutralise_cell
from judging.types import Comparison, Outcome, Side, Source, Verdict, outcome_from_verdict
from judging.votes_file import (
    DEFAULT_MAX_BYTES,
    SIDES,
    VoteNote,
    VotesFormat,
    VoteTable,
    parse_vote_table,
    read_vote_table,
)

__all__ = [
    "INTERCHANGE_COLUMNS",
    "ArenaVote",
    "dump_interchange",
    "parse_interchange",
    "read_interchange",
    "votes_of_table",
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

_VERDICT_OF_OUTCOME = {
    Outcome.A_WINS: Verdict.A,
    Outcome.B_WINS: Verdict.B,
    Outcome.TIE: Verdict.TIE,
    Outcome.BOTH_BAD: Verdict.BOTH_UNSAFE,
}

_NO_NOTE = VoteNote()  # one shared empty note: most votes (all but an import's) carry none


@dataclass(frozen=True, slots=True)
class ArenaVote:
    """One vote with everything calibration looks at; ``note`` holds the tags and rationale a
    votes file carried (read only for an import; none otherwise), ``line`` where a file held it."""

    comparison: Comparison
    source: Source | None = None
    rater: str | None = None
    shown_first: Side | None = None
    dimension: str | None = None
    release: str | None = None
    question_id: str | None = None
    turn: int | None = None
    tstamp: float | None = None
    note: VoteNote = _NO_NOTE
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
        if not isinstance(self.note, VoteNote):
            raise TypeError(f"ArenaVote: note must be a VoteNote, got {self.note!r}")

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


def read_interchange(
    path: str | Path, *, format: VotesFormat | None = None, max_bytes: int | None = DEFAULT_MAX_BYTES
) -> tuple[ArenaVote, ...]:
    """Read and validate a whole interchange file; the format follows the suffix unless given
    (``.json``: a JSON list such as the Arena-format export, or JSONL). A file over ``max_bytes``
    is refused before it is read."""
    return votes_of_table(read_vote_table(path, format=format, max_bytes=max_bytes))


def parse_interchange(
    lines: Iterable[str], format: VotesFormat, *, name: str = "<votes>"
) -> tuple[ArenaVote, ...]:
    """Parse interchange votes from text lines (CSV with a header row, or JSONL)."""
    return votes_of_table(parse_vote_table(lines, format, name=name))


def votes_of_table(table: VoteTable) -> tuple[ArenaVote, ...]:
    """The table's votes as ``ArenaVote`` objects, each with its line, and with its note when the
    table was read with its note columns (``read_vote_table(..., notes=True)``)."""
    sides: tuple[Side | None, ...] = (*SIDES, None)  # code -1 picks the trailing None
    lines = table.line.tolist()
    notes = [_NO_NOTE] * len(lines) if table.notes is None else table.notes.values()
    return tuple(
        ArenaVote(
            comparison=comparison,
            source=source,
            rater=rater,
            shown_first=sides[shown],
            dimension=dimension,
            release=release,
            question_id=question,
            turn=turn or None,
            tstamp=None if math.isnan(tstamp) else tstamp,
            note=note,
            line=line,
        )
        for comparison, source, rater, shown, dimension, release, question, turn, tstamp, note, line in zip(
            table.comparisons(),
            table.sources(),
            table.rater.values(),
            table.shown_first.tolist(),
            table.dimension.values(),
            table.release.values(),
            table.question_id.values(),
            table.turn.tolist(),
            table.tstamp.tolist(),
            notes,
            lines,
            strict=True,
        )
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

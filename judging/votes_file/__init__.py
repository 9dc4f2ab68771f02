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

from collections.abc import Iterable
from pathlib import Path

from judging.votes_file._build import build_table
from judging.votes_file._csv import csv_fields
from judging.votes_file._jsonl import jsonl_fields
from judging.votes_file._table import (
    OUTCOMES,
    SIDES,
    Labels,
    VoteRecord,
    VotesFileError,
    VotesFormat,
    VoteTable,
)

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


def read_vote_table(path: str | Path, *, format: VotesFormat | None = None) -> VoteTable:
    """Read and validate a whole votes file into columns; the format follows the suffix unless given."""
    file = Path(path)
    kind = format or VotesFormat.of_path(file)
    name = str(file)
    try:
        if kind is VotesFormat.CSV:
            return build_table(csv_fields(file.read_bytes(), name), name)
        with file.open(encoding="utf-8-sig", newline="") as handle:
            return build_table(jsonl_fields(handle, name), name)
    except OSError as error:
        raise VotesFileError(name, None, None, f"cannot read the file ({error.strerror})") from None
    except UnicodeDecodeError as error:
        raise VotesFileError(name, None, None, f"not UTF-8 text ({error.reason})") from None


def parse_vote_table(lines: Iterable[str], format: VotesFormat, *, name: str = "<votes>") -> VoteTable:
    """Parse votes from text lines (CSV with a header row, or one JSON object per line)."""
    if format is VotesFormat.CSV:
        return build_table(csv_fields("".join(lines).encode("utf-8"), name), name)
    return build_table(jsonl_fields(lines, name), name)


def read_votes(path: str | Path, *, format: VotesFormat | None = None) -> tuple[VoteRecord, ...]:
    """Read and validate a whole votes file; the format follows the suffix unless given."""
    return read_vote_table(path, format=format).records()


def parse_votes(
    lines: Iterable[str], format: VotesFormat, *, name: str = "<votes>"
) -> tuple[VoteRecord, ...]:
    """Parse votes from text lines (CSV with a header row, or one JSON object per line)."""
    return parse_vote_table(lines, format, name=name).records()

"""Read a votes file (CSV, JSONL or a JSON list) into a column table of votes, without a database.

Columns: ``model_a``, ``model_b``, ``winner`` (required; one of ``model_a``, ``model_b``, ``tie``,
``both_bad`` or Chatbot Arena's ``tie (bothbad)``) and the optional ``question_id``,
``dimension``, ``source``, ``rater``, ``release``, ``shown_first`` (``a``/``b``), ``turn`` (a
positive integer) and ``tstamp`` (Unix seconds); with ``notes=True`` also the note columns
``tags_a``, ``tags_b`` (JSON lists of harm-tag keys) and ``rationale`` (``_notes`` says how they
are read; without it they are never touched, so the ratings do not pay for them); other columns
are ignored. Chatbot Arena's
``judge`` is read as ``rater`` where a row has no ``rater``, so the Arena-format export (a JSON list,
``.json``) reads back. Every error names the file, the line (1-based; a CSV header is line 1; in a
JSON list, the line where the object starts) and the field.

A file is refused before it is read when it is larger than ``max_bytes`` (default
``DEFAULT_MAX_BYTES``, 200 MB). JSON is streamed: each object's fields are encoded as it is read,
and a nesting too deep to parse is an error naming the line. Identical rows are found by
``find_duplicates`` (``_duplicates`` says what identical means).

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
from judging.votes_file._duplicates import Duplicates, find_duplicates, without_duplicates
from judging.votes_file._json import json_fields, read_json_file
from judging.votes_file._limits import DEFAULT_MAX_BYTES, MB, check_size, megabytes
from judging.votes_file._notes import NOTE_FIELDS, Notes, VoteNote
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
    "DEFAULT_MAX_BYTES",
    "MB",
    "NOTE_FIELDS",
    "OUTCOMES",
    "SIDES",
    "Duplicates",
    "Labels",
    "Notes",
    "VoteNote",
    "VoteRecord",
    "VoteTable",
    "VotesFileError",
    "VotesFormat",
    "find_duplicates",
    "megabytes",
    "parse_vote_table",
    "parse_votes",
    "read_vote_table",
    "read_votes",
    "without_duplicates",
]


def read_vote_table(
    path: str | Path,
    *,
    format: VotesFormat | None = None,
    max_bytes: int | None = DEFAULT_MAX_BYTES,
    notes: bool = False,
) -> VoteTable:
    """Read and validate a whole votes file into columns; the format follows the suffix unless
    given. A file over ``max_bytes`` (``None``: no limit) is refused before it is read. With
    ``notes`` the tags and rationale are read and checked too (``VoteTable.notes``)."""
    file = Path(path)
    kind = format or VotesFormat.of_path(file)
    name = str(file)
    check_size(file, max_bytes)
    try:
        if kind is VotesFormat.CSV:
            return build_table(csv_fields(file.read_bytes(), name, notes=notes), name, notes=notes)
        with file.open(encoding="utf-8-sig", newline="") as handle:
            return build_table(read_json_file(handle, name, notes=notes), name, notes=notes)
    except OSError as error:
        raise VotesFileError(name, None, None, f"cannot read the file ({error.strerror})") from None
    except UnicodeDecodeError as error:
        raise VotesFileError(name, None, None, f"not UTF-8 text ({error.reason})") from None


def parse_vote_table(
    lines: Iterable[str], format: VotesFormat, *, name: str = "<votes>", notes: bool = False
) -> VoteTable:
    """Parse votes from text lines (CSV with a header row, one JSON object per line, or a JSON
    list); ``notes`` as for ``read_vote_table``."""
    if format is VotesFormat.CSV:
        return build_table(csv_fields("".join(lines).encode("utf-8"), name, notes=notes), name, notes=notes)
    return build_table(json_fields(lines, name, notes=notes), name, notes=notes)


def read_votes(
    path: str | Path, *, format: VotesFormat | None = None, max_bytes: int | None = DEFAULT_MAX_BYTES
) -> tuple[VoteRecord, ...]:
    """Read and validate a whole votes file; the format follows the suffix unless given."""
    return read_vote_table(path, format=format, max_bytes=max_bytes).records()


def parse_votes(
    lines: Iterable[str], format: VotesFormat, *, name: str = "<votes>"
) -> tuple[VoteRecord, ...]:
    """Parse votes from text lines (CSV with a header row, or one JSON object per line)."""
    return parse_vote_table(lines, format, name=name).records()

"""A file's votes as raw columns, before any cell is cleaned or checked."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

from judging.votes_file._arrow import IntArray
from judging.votes_file._table import VotesFileError, VotesFormat


@dataclass(frozen=True)
class Fields:
    """The file's votes as raw columns, one entry per vote row.

    CSV columns are pyarrow string arrays (``""`` for an empty cell); JSONL columns are lists of
    the JSON values (``ABSENT`` where a line lacks the key). ``rows`` keeps the JSON objects for
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


class Absent:
    def __repr__(self) -> str:
        return "<absent>"


ABSENT = Absent()

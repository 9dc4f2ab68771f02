"""A file's votes as raw columns, before any cell is cleaned or checked."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

from judging.votes_file._arrow import IntArray
from judging.votes_file._table import VotesFileError, VotesFormat

ABSENT_CODE = -2  # a JSON object without the key
NULL_CODE = -1  # a JSON null


@dataclass(frozen=True)
class JsonColumn:
    """One field of a JSON file, encoded while reading: ``codes[row]`` indexes ``distinct`` (the
    distinct values as the file held them, keyed by type: ``7`` and ``"7"`` are two), or is
    ``ABSENT_CODE`` / ``NULL_CODE``."""

    codes: IntArray
    distinct: list[object]


@dataclass(frozen=True)
class Fields:
    """The file's votes as raw columns, one entry per vote row.

    CSV columns are pyarrow string arrays (``""`` for an empty cell); JSON columns are
    ``JsonColumn``s. A line that cannot be read at all ends the rows (``stop``); a bad value on an
    earlier line is still reported first, as a row-by-row reader would.
    """

    format: VotesFormat
    line: IntArray
    columns: dict[str, Any]
    stop: VotesFileError | None = None  # a line that could not be read: the rows end before it
    encoded: Mapping[str, pa.DictionaryArray] = field(default_factory=dict)  # CSV text columns, encoded

    def absent(self, name: str, row: int) -> bool:
        """Did the row's JSON object lack the key (rather than hold an empty value)?"""
        column = self.columns.get(name)
        if self.format is VotesFormat.CSV:
            return False
        return column is None or int(column.codes[row]) == ABSENT_CODE

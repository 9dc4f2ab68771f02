"""A CSV votes file into raw columns: pyarrow's parse when every row keeps its line number, else
Python's ``csv`` module row by row."""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from types import MappingProxyType
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.csv as pa_csv

from judging.votes_file._arrow import IntArray, arrow_mask, numpy_ints, plain
from judging.votes_file._fields import Fields
from judging.votes_file._notes import NOTE_FIELDS
from judging.votes_file._table import ALIASES, OPTIONAL, REQUIRED, VotesFileError, VotesFormat

_BOM = b"\xef\xbb\xbf"


def csv_fields(raw: bytes, name: str, *, notes: bool = False) -> Fields:
    """The raw columns of a CSV file; a column of ours twice in the header is an error (the note
    columns only when ``notes`` are read)."""
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
    _check_header(header, name, NOTE_FIELDS if notes else ())
    fields = _csv_fields_fast(raw, header)
    return fields if fields is not None else _csv_fields_slow(raw, name)


def _check_header(header: Sequence[str], name: str, notes: Sequence[str]) -> None:
    for column in REQUIRED:
        if column not in header:
            raise VotesFileError(name, 1, column, f"missing column (the header has {', '.join(header)})")
    for column in (*REQUIRED, *OPTIONAL, *notes):
        if header.count(column) > 1:
            raise VotesFileError(name, 1, column, "the column appears twice in the header")


def _csv_fields_fast(raw: bytes, header: Sequence[str]) -> Fields | None:
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
        table, line = table.filter(arrow_mask(~blank)), line[~blank]
    columns: dict[str, Any] = {}
    for column, key in zip(header, keys, strict=True):
        columns.setdefault(column, table.column(key))  # chunked: encoded, never copied
    _alias(columns)
    return Fields(VotesFormat.CSV, line, columns, encoded=_encoded(columns))


def _alias(columns: dict[str, Any]) -> None:
    """Chatbot Arena's column names stand in for ours where the header lacks ours."""
    for ours, theirs in ALIASES.items():
        if ours not in columns and theirs in columns:
            columns[ours] = columns[theirs]


def _encoded(columns: Mapping[str, pa.Array]) -> Mapping[str, pa.DictionaryArray]:
    """The text fields' columns dictionary-encoded, a column per thread (pyarrow's kernels release
    the GIL)."""
    fields = [f for f in (*REQUIRED, *OPTIONAL) if f in columns and f not in ("turn", "tstamp")]
    workers = min(len(fields), os.cpu_count() or 1)
    if workers > 1:
        with ThreadPoolExecutor(workers) as pool:
            encoded = list(pool.map(lambda f: plain(columns[f].dictionary_encode()), fields))
    else:
        encoded = [plain(columns[f].dictionary_encode()) for f in fields]
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
        encoded = plain(column.dictionary_encode())
        empty = np.array([not v.strip() for v in encoded.dictionary.to_pylist()] + [False])
        codes = numpy_ints(encoded.indices)
        blank &= empty[codes]
        if not blank.any():
            break
    return blank


def _csv_fields_slow(raw: bytes, name: str) -> Fields:
    """Python's csv module, row by row: the reference for line numbers and short rows. A row whose
    quoted value spans lines is numbered by the line it starts on."""
    text = _decode(raw, name, 0)
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader)
    width = len(header)
    cells: list[list[str]] = [[] for _ in header]
    line: list[int] = []
    stop = None
    ended = reader.line_num  # the line the previous record ended on
    for row in reader:
        start, ended = ended + 1, reader.line_num
        if len(row) > width:
            stop = VotesFileError(name, start, None, "more values than header columns")
            break
        if not any(value.strip() for value in row):
            continue
        line.append(start)
        for k in range(width):
            cells[k].append(row[k] if k < len(row) else "")  # a short row: the rest are empty
    columns: dict[str, Any] = {}
    for column, values in zip(header, cells, strict=True):
        columns.setdefault(column, pa.array(values, type=pa.string()))
    _alias(columns)
    return Fields(VotesFormat.CSV, np.asarray(line, dtype=np.int64), columns, stop=stop)


def _decode(raw: bytes, name: str, offset: int) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1 + offset
        raise VotesFileError(name, line, None, f"not UTF-8 text ({error.reason})") from None

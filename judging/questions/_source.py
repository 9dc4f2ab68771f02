"""Turn raw bytes into positioned rows: decoded text, JSON list items, JSONL objects, CSV rows.

Every row comes with the 1-based line it starts on, so that each later problem can say where.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from typing import Any

from judging.questions._errors import QuestionFileError
from judging.questions._record import Limits

__all__ = ["csv_rows", "decode", "json_list_items", "jsonl_objects"]

Row = tuple[int, dict[str, Any]]


def _reject_constant(token: str) -> float:
    raise ValueError(f"{token} is not valid JSON")


_DECODER = json.JSONDecoder(parse_constant=_reject_constant)


def decode(data: bytes, name: str, *, limits: Limits, gb18030: bool = False) -> str:
    """UTF-8 text (a byte-order mark is dropped); with ``gb18030`` a file that is not UTF-8 is
    read as GB18030, the encoding the JADE-DB v3 originals use."""
    if len(data) > limits.max_file_bytes:
        raise QuestionFileError.single(
            name,
            None,
            None,
            f"file is {len(data):,} bytes, larger than the limit of {limits.max_file_bytes:,}",
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        if gb18030:
            try:
                return data.decode("gb18030")
            except UnicodeDecodeError:
                pass
        line = data.count(b"\n", 0, error.start) + 1
        expected = "UTF-8 or GB18030" if gb18030 else "UTF-8"
        raise QuestionFileError.single(
            name,
            line,
            None,
            f"not {expected} text (byte 0x{data[error.start]:02x} at offset {error.start}); save the file as UTF-8",
        ) from None


def _skip_space(text: str, index: int) -> int:
    while index < len(text) and text[index] in " \t\r\n":
        index += 1
    return index


def json_list_items(text: str, name: str) -> Iterator[tuple[int, Any]]:
    """The items of a top-level JSON list, each with the line it starts on."""
    index = _list_start(text, name)
    line, counted_to = 1, 0
    if index < len(text) and text[index] == "]":
        return
    while True:
        line += text.count("\n", counted_to, index)
        counted_to = index
        item, end = _list_item(text, index, line, name)
        yield line, item
        index = _skip_space(text, end)
        if _list_closes(text, index, name):
            break
        index = _skip_space(text, index + 1)
    rest = _skip_space(text, index + 1)
    if rest < len(text):
        where = text.count("\n", 0, rest) + 1
        raise QuestionFileError.single(name, where, None, "not valid JSON (text after the closing ']')")


def _list_start(text: str, name: str) -> int:
    """Where the first item (or the closing ``]``) of the top-level list starts."""
    index = _skip_space(text, 0)
    if index >= len(text):
        raise QuestionFileError.single(
            name, None, None, "the file is empty (expected a JSON list of questions)"
        )
    if text[index] != "[":
        line = text.count("\n", 0, index) + 1
        raise QuestionFileError.single(name, line, None, "expected a JSON list of questions ('[' ...)")
    return _skip_space(text, index + 1)


def _list_item(text: str, index: int, line: int, name: str) -> tuple[Any, int]:
    """The JSON value starting at ``index`` (on ``line``) and where it ends."""
    try:
        return _DECODER.raw_decode(text, index)
    except json.JSONDecodeError as error:
        raise QuestionFileError.single(name, error.lineno, None, f"not valid JSON ({error.msg})") from None
    except ValueError as error:
        raise QuestionFileError.single(name, line, None, f"not valid JSON ({error})") from None


def _list_closes(text: str, index: int, name: str) -> bool:
    """After an item: True at the closing ``]``, False at a ``,``; anything else is an error."""
    if index >= len(text):
        last = text.count("\n") + 1
        raise QuestionFileError.single(
            name, last, None, "not valid JSON (the list is not closed: truncated file?)"
        )
    if text[index] == ",":
        return False
    if text[index] == "]":
        return True
    where = text.count("\n", 0, index) + 1
    raise QuestionFileError.single(
        name, where, None, f"not valid JSON (expected ',' or ']', found {text[index]!r})"
    )


def jsonl_objects(text: str, name: str) -> Iterator[tuple[int, Any]]:
    """One JSON value per non-blank line."""
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            yield number, _DECODER.decode(raw)
        except json.JSONDecodeError as error:
            raise QuestionFileError.single(name, number, None, f"not valid JSON ({error.msg})") from None
        except ValueError as error:
            raise QuestionFileError.single(name, number, None, f"not valid JSON ({error})") from None


def csv_rows(text: str, name: str, *, required: tuple[str, ...]) -> tuple[list[str], Iterator[Row]]:
    """The header and the data rows of a CSV file, each row with the line it starts on.

    Header names are stripped of surrounding spaces; blank rows are skipped.
    """
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
    except csv.Error as error:
        raise QuestionFileError.single(name, 1, None, f"not valid CSV ({error})") from None
    if header is None:
        raise QuestionFileError.single(name, None, None, "the file is empty (expected a header row)")
    columns = [c.strip() for c in header]
    _check_header(columns, required, name)
    return columns, _csv_data_rows(reader, columns, name)


def _check_header(columns: list[str], required: tuple[str, ...], name: str) -> None:
    for column in required:
        if column not in columns:
            raise QuestionFileError.single(
                name, 1, column, f"missing column (the header has {', '.join(columns)})"
            )
    duplicated = sorted({c for c in columns if columns.count(c) > 1})
    if duplicated:
        raise QuestionFileError.single(name, 1, duplicated[0], "column appears more than once in the header")


def _csv_data_rows(reader: Any, columns: list[str], name: str) -> Iterator[Row]:
    """The rows after the header (``reader`` has read it), each with the line it starts on."""
    start = reader.line_num + 1
    while True:
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise QuestionFileError.single(name, start, None, f"not valid CSV ({error})") from None
        line, start = start, reader.line_num + 1
        if not any(v.strip() for v in values):
            continue
        if len(values) != len(columns):
            raise QuestionFileError.single(
                name, line, None, f"{len(values)} values but the header has {len(columns)} columns"
            )
        yield line, dict(zip(columns, values, strict=True))

"""A JSON votes file into raw columns, streamed: JSONL (one object per line) or a JSON list of
objects (Chatbot Arena's battles, any layout), each object's fields encoded as it is read, so
neither the objects nor the file's text are kept.

A nesting too deep for the parser (a "JSON bomb" of 100,000 ``[``) is a ``VotesFileError`` naming
the line, never a ``RecursionError``.
"""

from __future__ import annotations

import itertools
import json
import re
from array import array
from collections.abc import Iterable, Iterator
from typing import TextIO

import numpy as np

from judging.votes_file._fields import ABSENT_CODE, NULL_CODE, Fields, JsonColumn
from judging.votes_file._notes import NOTE_FIELDS
from judging.votes_file._table import ALIASES, OPTIONAL, REQUIRED, VotesFileError, VotesFormat

_FIELDS = (*REQUIRED, *OPTIONAL)
_SPACE = re.compile(r"[ \t\n\r]*")
_FILL = 1 << 16  # characters gathered per refill of the list reader's buffer
_TAIL = 16  # a decode error this close to the buffer's end may be a value cut by the buffer
_TOO_DEEP = "nested too deeply (more than the parser's recursion limit)"


class _Encoder:
    """Per field, each row's value as a code into the field's distinct values, read as it comes."""

    def __init__(self, notes: bool) -> None:
        self.read = (*_FIELDS, *NOTE_FIELDS) if notes else _FIELDS
        self.codes = {f: array("q") for f in self.read}
        self.index: dict[str, dict[object, int]] = {f: {} for f in self.read}
        self.distinct: dict[str, list[object]] = {f: [] for f in self.read}
        self.lines = array("q")

    def add(self, row: dict[str, object], line: int) -> None:
        self.lines.append(line)
        for field in self.read:
            value = row.get(field, _ABSENT)
            if value is _ABSENT and field in ALIASES:
                value = row.get(ALIASES[field], _ABSENT)
            self.codes[field].append(self._code(field, value))

    def _code(self, field: str, value: object) -> int:
        if value is _ABSENT:
            return ABSENT_CODE
        if value is None:
            return NULL_CODE
        kind = type(value)
        # a list (the tags) is keyed by its items, so each distinct list is kept once
        key = value if kind is str else (kind, tuple(value) if isinstance(value, list) else value)
        index = self.index[field]
        try:
            code = index.get(key)
        except TypeError:  # an object, or a list holding one: kept as it is, once per row
            self.distinct[field].append(value)
            return len(self.distinct[field]) - 1
        if code is None:
            code = index[key] = len(self.distinct[field])
            self.distinct[field].append(value)
        return code

    def fields(self, format: VotesFormat, stop: VotesFileError | None) -> Fields:
        columns = {
            field: JsonColumn(np.frombuffer(self.codes[field], dtype=np.int64), self.distinct[field])
            for field in self.read
            if self.distinct[field] or NULL_CODE in self.codes[field]
        }
        return Fields(format, np.frombuffer(self.lines, dtype=np.int64), columns, stop)


_ABSENT = object()


def json_fields(chunks: Iterable[str], name: str, *, notes: bool = False) -> Fields:
    """JSONL, or a JSON list when the first character that is not a space is ``[``; ``chunks``
    are lines or pieces of the text. The note fields are encoded only with ``notes``."""
    pieces = iter(chunks)
    head: list[str] = []
    for piece in pieces:
        head.append(piece)
        if piece.strip():
            break
    rest = itertools.chain(head, pieces)
    if head and head[-1].lstrip().startswith("["):
        return _list_fields(rest, name, notes)
    return _lines_fields(rest, name, notes)


def read_json_file(handle: TextIO, name: str, *, notes: bool = False) -> Fields:
    """A JSON votes file from an open text handle: a list is read in pieces of a megabyte (its
    lines may be any length), JSONL line by line."""
    while True:
        piece = handle.read(_FILL)
        if not piece or piece.strip():
            break
    handle.seek(0)
    if piece.lstrip().startswith("["):
        return _list_fields(iter(lambda: handle.read(1 << 20), ""), name, notes)
    return _lines_fields(handle, name, notes)


def _lines_fields(lines: Iterable[str], name: str, notes: bool) -> Fields:
    encoder = _Encoder(notes)
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
        except RecursionError:
            stop = VotesFileError(name, number, None, _TOO_DEEP)
            break
        if not isinstance(row, dict):
            stop = VotesFileError(name, number, None, f"expected a JSON object, got {type(row).__name__}")
            break
        encoder.add(row, number)
    return encoder.fields(VotesFormat.JSONL, stop)


def _list_fields(chunks: Iterable[str], name: str, notes: bool) -> Fields:
    encoder = _Encoder(notes)
    reader = _ListReader(iter(chunks), name)
    try:
        for row, line in reader.objects():
            encoder.add(row, line)
    except VotesFileError as error:
        return encoder.fields(VotesFormat.JSON, error)
    return encoder.fields(VotesFormat.JSON, None)


class _ListReader:
    """The objects of a JSON list, one at a time, each with the line it starts on; the text is
    read in pieces and only the part not yet decoded is kept."""

    def __init__(self, chunks: Iterator[str], name: str) -> None:
        self.chunks = chunks
        self.name = name
        self.text = ""
        self.at = 0
        self.line = 1  # the line of text[at]
        self.ended = False
        self.decoder = json.JSONDecoder()

    def _more(self) -> bool:
        """Append the next pieces (dropping what was decoded); False at the end of the file."""
        gathered = [self.text[self.at :]]
        size = 0
        for piece in self.chunks:
            gathered.append(piece)
            size += len(piece)
            if size >= _FILL:
                break
        self.text, self.at = "".join(gathered), 0
        self.ended = size < _FILL
        return size > 0

    def _next_char(self) -> str:
        """The next character that is not a space ('' at the end), without consuming it."""
        while True:
            end = _SPACE.match(self.text, self.at).end()  # type: ignore[union-attr]
            self.line += self.text.count("\n", self.at, end)
            self.at = end
            if self.at < len(self.text) or self.ended or not self._more():
                return self.text[self.at : self.at + 1]

    def _fail(self, problem: str, line: int | None = None) -> VotesFileError:
        return VotesFileError(self.name, self.line if line is None else line, None, problem)

    def objects(self) -> Iterator[tuple[dict[str, object], int]]:
        if self._next_char() != "[":
            raise self._fail("expected a JSON list of objects or one JSON object per line")
        self.at += 1
        expect_value = True  # right after '[' a ']' may come; after ',' a value must
        first = True
        while True:
            char = self._next_char()
            if char == "]" and first:
                self.at += 1
                break
            if not char:
                raise self._fail("the list is not closed (expected ']')")
            if not expect_value:
                if char == "]":
                    self.at += 1
                    break
                if char != ",":
                    raise self._fail(f"expected ',' or ']' after a vote, got {char!r}")
                self.at += 1
                expect_value = True
                continue
            row, line = self._value()
            if not isinstance(row, dict):
                raise self._fail(f"expected a JSON object, got {type(row).__name__}", line)
            yield row, line
            expect_value = first = False
        if self._next_char():
            raise self._fail("text after the end of the list")

    def _value(self) -> tuple[object, int]:
        line = self.line
        while True:
            try:
                value, end = self.decoder.raw_decode(self.text, self.at)
            except RecursionError:
                raise self._fail(_TOO_DEEP, line) from None
            except json.JSONDecodeError as error:
                cut = error.pos >= len(self.text) - _TAIL or error.msg.startswith("Unterminated string")
                if cut and not self.ended and self._more():
                    continue
                where = line + self.text.count("\n", self.at, error.pos)
                raise self._fail(f"not valid JSON ({error.msg})", where) from None
            self.line += self.text.count("\n", self.at, end)
            self.at = end
            return value, line

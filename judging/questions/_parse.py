"""Parse a whole question file, all or nothing: every record valid, or one error listing problems."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path, PurePath
from typing import Any

from judging.questions._adapters import (
    cvalues_record,
    flames_record,
    jade_record,
    safetybench_record,
    safetyqa_record,
)
from judging.questions._errors import Problem, QuestionFileError, RecordProblem
from judging.questions._export import restore_cell
from judging.questions._fields import Fields
from judging.questions._livesecbench import record_from_csv, record_from_json
from judging.questions._record import Limits, ParsedQuestion, QuestionFile, QuestionFormat, QuestionRecord
from judging.questions._source import csv_rows, decode, json_list_items, jsonl_objects

__all__ = ["detect_format", "parse_questions", "read_question_file", "safetybench_answers_path"]

Rows = Iterator[tuple[int, Any]]
Build = Callable[[Fields], QuestionRecord]

_JADE_V12 = ("ID", "问题", "违规类型", "违规子类")
_JADE_V3 = ("ID", "问题", "违规回答", "安全有用回答")


def _first(rows: Rows) -> Any:
    for _line, row in rows:
        return row
    return None


# the keys of a file's first record that identify its format, checked in order
_JSON_SIGNATURES: tuple[tuple[frozenset[str], QuestionFormat], ...] = (
    (frozenset({"question_text"}), QuestionFormat.LIVESECBENCH),
    (frozenset({"id", "question", "options", "category"}), QuestionFormat.SAFETYBENCH),
)
_JSONL_SIGNATURES: tuple[tuple[frozenset[str], QuestionFormat], ...] = (
    (frozenset({"dimension", "subcomponent", "prompt"}), QuestionFormat.FLAMES),
    (frozenset({"cate", "question", "standard_answer"}), QuestionFormat.SAFETYQA),
    (frozenset({"id_", "prompt", "domain_en"}), QuestionFormat.CVALUES),
    (frozenset({"question_text"}), QuestionFormat.JSONL),
)
_HINT = "; pass the format explicitly"


def detect_format(data: bytes, name: str, *, limits: Limits | None = None) -> QuestionFormat:
    """Guess the format from the file's suffix and the keys of its first record (or its header)."""
    limits = limits or Limits()
    suffix = PurePath(name).suffix.lower()
    if suffix == ".json":
        first = _first(json_list_items(decode(data, name, limits=limits), name))
        return _by_keys(first, _JSON_SIGNATURES, name, "a JSON list")
    if suffix in (".jsonl", ".ndjson"):
        first = _first(jsonl_objects(decode(data, name, limits=limits), name))
        return _by_keys(first, _JSONL_SIGNATURES, name, "a JSONL file")
    if suffix == ".csv":
        header, _rows = csv_rows(decode(data, name, limits=limits, gb18030=True), name, required=())
        if set(_JADE_V12) <= set(header) or set(_JADE_V3) <= set(header):
            return QuestionFormat.JADE
        if "question_text" in header:
            return QuestionFormat.CSV
        raise _undetectable(name, f"a CSV file with columns {header}{_HINT}")
    raise _undetectable(name, f"unknown file type {suffix!r} (expected .json, .jsonl or .csv){_HINT}")


def _by_keys(
    first: Any, signatures: tuple[tuple[frozenset[str], QuestionFormat], ...], name: str, what: str
) -> QuestionFormat:
    """The first format whose keys the first record has; else the file cannot be detected."""
    keys = set(first) if isinstance(first, dict) else set()
    for required, format in signatures:
        if required <= keys:
            return format
    raise _undetectable(name, f"{what} whose first record has keys {sorted(keys)}{_HINT}")


def _undetectable(name: str, message: str) -> QuestionFileError:
    return QuestionFileError.single(name, None, None, f"cannot detect the format: {message}")


def _load_answers(data: bytes, name: str, limits: Limits) -> Mapping[str, Mapping[str, Any]]:
    text = decode(data, name, limits=limits)
    try:
        answers = json.loads(text)
    except json.JSONDecodeError as error:
        raise QuestionFileError.single(name, error.lineno, None, f"not valid JSON ({error.msg})") from None
    if not isinstance(answers, dict):
        raise QuestionFileError.single(name, 1, None, "expected a JSON object {id: {category, answer}}")
    return answers


def _rows_and_builder(
    data: bytes, name: str, format: QuestionFormat, limits: Limits, answers: bytes | None, answers_name: str
) -> tuple[Rows, Build]:
    if format is QuestionFormat.LIVESECBENCH:
        return json_list_items(decode(data, name, limits=limits), name), lambda f: record_from_json(
            f, strict=True, name=name
        )
    if format is QuestionFormat.JSONL:
        return jsonl_objects(decode(data, name, limits=limits), name), lambda f: record_from_json(
            f, strict=False, name=name
        )
    if format is QuestionFormat.CSV:
        _header, rows = csv_rows(
            decode(data, name, limits=limits), name, required=("dimension", "question_text")
        )
        restored = ((line, {k: restore_cell(v) for k, v in row.items()}) for line, row in rows)
        return restored, lambda f: record_from_csv(f, name=name)
    if format is QuestionFormat.JADE:
        header, rows = csv_rows(
            decode(data, name, limits=limits, gb18030=True), name, required=("ID", "问题")
        )
        columns = _JADE_V3 if "违规回答" in header else _JADE_V12
        missing = [c for c in columns if c not in header]
        if missing:
            raise QuestionFileError.single(
                name, 1, missing[0], f"missing column (the header has {', '.join(header)})"
            )
        return rows, lambda f: jade_record(f, name=name)
    if format is QuestionFormat.SAFETYBENCH:
        key = None if answers is None else _load_answers(answers, answers_name, limits)
        return json_list_items(decode(data, name, limits=limits), name), lambda f: safetybench_record(
            f, name=name, answers=key
        )
    builders: dict[QuestionFormat, Callable[..., QuestionRecord]] = {
        QuestionFormat.FLAMES: flames_record,
        QuestionFormat.SAFETYQA: safetyqa_record,
        QuestionFormat.CVALUES: cvalues_record,
    }
    if format in builders:
        build = builders[format]
        return jsonl_objects(decode(data, name, limits=limits), name), lambda f: build(f, name=name)
    raise ValueError(f"parse_questions: format must be a concrete format, got {format!r}")


def parse_questions(
    data: bytes,
    *,
    name: str,
    format: QuestionFormat = QuestionFormat.AUTO,
    answers: bytes | None = None,
    answers_name: str = "answers",
    limits: Limits | None = None,
) -> QuestionFile:
    """Validate and parse a whole file; raise QuestionFileError naming file, line and field.

    ``answers`` is SafetyBench's answers file (``{id: {category, answer}}``), optional.
    Problems are collected across records (up to ``limits.max_problems``) so that one run shows
    what to fix; a file-level problem (bad encoding, broken JSON) stops at once.
    """
    limits = limits or Limits()
    if format is QuestionFormat.AUTO:
        format = detect_format(data, name, limits=limits)
    rows, build = _rows_and_builder(data, name, format, limits, answers, answers_name)
    problems: list[Problem] = []
    parsed: list[ParsedQuestion] = []
    first_line: dict[str, int] = {}
    truncated = False
    try:
        for line, row in rows:
            try:
                record = build(Fields(row, line, limits))
            except RecordProblem as problem:
                problems.append(problem.problem)
            else:
                if record.question_id in first_line:
                    where = first_line[record.question_id]
                    problems.append(Problem(line, "question_id", f"same question_id as line {where}"))
                else:
                    first_line[record.question_id] = line
                    parsed.append(ParsedQuestion(line, record))
            if len(problems) >= limits.max_problems:
                truncated = True
                break
    except QuestionFileError as error:
        problems.extend(error.problems)
    if problems:
        raise QuestionFileError(name, problems, truncated=truncated)
    if not parsed:
        raise QuestionFileError.single(name, None, None, "the file contains no questions")
    return QuestionFile(name=name, format=format, questions=tuple(parsed))


def safetybench_answers_path(path: Path) -> Path:
    """Where SafetyBench keeps the answers of ``test_zh.json``: ``test_answers_zh.json`` beside it."""
    return path.with_name(path.name.replace("test_", "test_answers_", 1))


def read_question_file(
    path: str | Path,
    *,
    format: QuestionFormat = QuestionFormat.AUTO,
    answers: str | Path | None = None,
    limits: Limits | None = None,
) -> QuestionFile:
    """Read and parse a file. For SafetyBench the answers file beside it is used when present."""
    file = Path(path)
    limits = limits or Limits()
    try:
        size = file.stat().st_size
        if size > limits.max_file_bytes:
            raise QuestionFileError.single(
                str(file),
                None,
                None,
                f"file is {size:,} bytes, larger than the limit of {limits.max_file_bytes:,}",
            )
        data = file.read_bytes()
    except OSError as error:
        raise QuestionFileError.single(
            str(file), None, None, f"cannot read the file ({error.strerror})"
        ) from None
    if format is QuestionFormat.AUTO:
        format = detect_format(data, str(file), limits=limits)
    answers_data: bytes | None = None
    answers_file = Path(answers) if answers is not None else None
    if format is QuestionFormat.SAFETYBENCH and answers_file is None:
        candidate = safetybench_answers_path(file)
        answers_file = candidate if candidate != file and candidate.exists() else None
    if answers_file is not None:
        try:
            answers_data = answers_file.read_bytes()
        except OSError as error:
            raise QuestionFileError.single(
                str(answers_file), None, None, f"cannot read the answers file ({error.strerror})"
            ) from None
    return parse_questions(
        data,
        name=str(file),
        format=format,
        answers=answers_data,
        answers_name=str(answers_file) if answers_file else "answers",
        limits=limits,
    )

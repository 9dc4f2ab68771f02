"""A JSONL votes file (one JSON object per line) into raw columns."""

from __future__ import annotations

import json
from collections.abc import Iterable

import numpy as np

from judging.votes_file._fields import ABSENT, Fields
from judging.votes_file._table import OPTIONAL, REQUIRED, VotesFileError, VotesFormat


def jsonl_fields(lines: Iterable[str], name: str) -> Fields:
    rows: list[dict[str, object]] = []
    numbers: list[int] = []
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
        if not isinstance(row, dict):
            stop = VotesFileError(name, number, None, f"expected a JSON object, got {type(row).__name__}")
            break
        rows.append(row)
        numbers.append(number)
    columns = {field: [row.get(field, ABSENT) for row in rows] for field in (*REQUIRED, *OPTIONAL)}
    present = {field: values for field, values in columns.items() if any(v is not ABSENT for v in values)}
    return Fields(VotesFormat.JSONL, np.asarray(numbers, dtype=np.int64), present, rows, stop)

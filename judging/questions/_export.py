"""Write records back out: LiveSecBench JSON, JSONL, and spreadsheet-safe CSV."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence

from judging.csv_cells import neutralise_cell, restore_cell
from judging.questions._livesecbench import (
    CATEGORIES_FIELD,
    LIVESECBENCH_FIELDS,
    needs_categories_field,
    to_livesecbench,
)
from judging.questions._record import ExportFormat, QuestionRecord

__all__ = [
    "export_csv",
    "export_jsonl",
    "export_livesecbench",
    "export_records",
    "neutralise_cell",
    "restore_cell",
]


def export_livesecbench(records: Iterable[QuestionRecord]) -> str:
    """A JSON list in the LiveSecBench schema (4-space indent, UTF-8 text, as LiveSecBench writes)."""
    return json.dumps([to_livesecbench(r) for r in records], ensure_ascii=False, indent=4) + "\n"


def export_jsonl(records: Iterable[QuestionRecord]) -> str:
    return "".join(json.dumps(to_livesecbench(r), ensure_ascii=False) + "\n" for r in records)


def export_csv(records: Sequence[QuestionRecord]) -> str:
    """LiveSecBench columns (answers as a JSON list, metadata as a JSON object), then unknown
    fields; every cell neutralised against formula injection. Starts with a byte-order mark so
    that spreadsheet programs open the Chinese text as UTF-8."""
    extra_columns: list[str] = []
    if any(needs_categories_field(record) for record in records):
        extra_columns.append(CATEGORIES_FIELD)  # an empty cell: "not given", the proposal holds
    for record in records:
        extra_columns.extend(k for k in record.extra if k not in extra_columns)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([*LIVESECBENCH_FIELDS, *extra_columns])
    for record in records:
        data = to_livesecbench(record)
        cells = []
        for column in (*LIVESECBENCH_FIELDS, *extra_columns):
            value = data.get(column, "")
            text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
            cells.append(neutralise_cell(text))
        writer.writerow(cells)
    return "\ufeff" + buffer.getvalue()


def export_records(records: Sequence[QuestionRecord], format: ExportFormat) -> str:
    """The records in ``format`` as text (write it as UTF-8)."""
    if format is ExportFormat.LIVESECBENCH:
        return export_livesecbench(records)
    if format is ExportFormat.JSONL:
        return export_jsonl(records)
    if format is ExportFormat.CSV:
        return export_csv(records)
    raise ValueError(f"export_records: unknown format {format!r}")

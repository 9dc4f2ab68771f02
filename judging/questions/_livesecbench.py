"""The LiveSecBench question-set schema: read it (strictly, or relaxed for JSONL/CSV) and write it.

Strict (``livesecbench``): every one of the nine fields must be present, as LiveSecBench writes
them; unknown fields and unknown metadata keys are kept, so an export reproduces the file.
Relaxed (``jsonl``, ``csv``): only ``dimension`` and ``question_text`` are required.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from pathlib import PurePath
from typing import Any

from judging.content import ContentCategory, ContentCategoryError, parse_categories, propose_categories
from judging.dimensions import Dimension
from judging.questions._fields import Fields
from judging.questions._record import QuestionRecord

__all__ = [
    "CATEGORIES_FIELD",
    "LIVESECBENCH_DIMENSIONS",
    "LIVESECBENCH_FIELDS",
    "record_from_csv",
    "record_from_json",
    "to_livesecbench",
]

LIVESECBENCH_FIELDS = (
    "question_id",
    "version",
    "dimension",
    "sub_dimension",
    "question_text",
    "language",
    "reference_answer",
    "metadata",
    "release_date",
)

# LiveSecBench's six dimensions (Chinese names and the codes its configs use) onto our five;
# anything else goes through Dimension.parse (our codes, Chinese and English names).
LIVESECBENCH_DIMENSIONS: Mapping[str, Dimension] = {
    "合法性": Dimension.PUBLIC_SAFETY,
    "legality": Dimension.PUBLIC_SAFETY,
    "伦理性": Dimension.FAIRNESS,
    "ethics": Dimension.FAIRNESS,
    "事实性": Dimension.TRUTHFULNESS,
    "factuality": Dimension.TRUTHFULNESS,
    "隐私性": Dimension.PRIVACY,
    "对抗鲁棒性": Dimension.PUBLIC_SAFETY,
    "robustness": Dimension.PUBLIC_SAFETY,
    "推理安全": Dimension.PUBLIC_SAFETY,
    "reasoning": Dimension.PUBLIC_SAFETY,
}


# Our one addition to the schema: a list of content categories (judging.content). A record
# without it gets the lexicon's proposal; one with it (even empty) keeps exactly what it says.
CATEGORIES_FIELD = "content_categories"


def _categories(fields: Fields, text: str, *, csv: bool = False) -> tuple[ContentCategory, ...]:
    """The record's ``content_categories`` (a list, or names separated by commas; in CSV an empty
    cell means "not given", as for every column), else the lexicon's proposal for ``text``."""
    value = fields.row.get(CATEGORIES_FIELD)
    if CATEGORIES_FIELD not in fields.row or (csv and not str(value or "").strip()):
        return propose_categories(text)
    if isinstance(value, str) and value.lstrip().startswith("["):
        try:
            value = json.loads(value)
        except json.JSONDecodeError as error:
            raise fields.fail(CATEGORIES_FIELD, f"expected a JSON list ({error.msg})") from None
    if value is None:
        value = []
    if not isinstance(value, str | list) or not all(isinstance(v, str) for v in value):
        raise fields.fail(CATEGORIES_FIELD, f"expected a list of category names, got {value!r:.60}")
    try:
        return parse_categories(value)
    except ContentCategoryError as error:
        raise fields.fail(CATEGORIES_FIELD, str(error)) from None


_KNOWN = frozenset((*LIVESECBENCH_FIELDS, CATEGORIES_FIELD))


def default_question_id(name: str, line: int) -> str:
    """The id of a record that has none: the file's stem and the record's line."""
    return f"{PurePath(name).stem}/{line}"


def record_from_json(fields: Fields, *, strict: bool, name: str) -> QuestionRecord:
    """A record from one JSON object of a LiveSecBench list (strict) or a JSONL line (relaxed)."""
    row = fields.row
    if strict:
        for field in LIVESECBENCH_FIELDS:
            if field not in row:
                raise fields.fail(field, "missing (the LiveSecBench schema requires it)")
        question_id = fields.text("question_id", max_chars=fields.limits.max_id_chars)
    elif row.get("question_id") in (None, ""):
        question_id = default_question_id(name, fields.line)
    else:
        question_id = fields.identifier("question_id")
    dimension, label = fields.dimension("dimension", LIVESECBENCH_DIMENSIONS)
    answers = row.get("reference_answer")
    if not strict and isinstance(answers, str):  # a relaxed file may give one answer as text
        one = fields.optional_text("reference_answer", max_chars=fields.limits.max_answer_chars)
        references: tuple[str, ...] = (one,) if one else ()
    else:
        references = fields.text_list("reference_answer", required=strict)
    extra = {key: copy.deepcopy(value) for key, value in row.items() if key not in _KNOWN}
    fields.check_size("(unknown fields)", extra)
    text = fields.text("question_text")
    return QuestionRecord(
        question_id=question_id,
        dimension=dimension,
        dimension_label=label,
        text=text,
        sub_dimension=fields.optional_text("sub_dimension"),
        reference_answers=references,
        language=fields.optional_text("language", default="zh"),
        version=fields.version("version", required=strict),
        release_date=fields.release_date("release_date", required=strict),
        metadata=copy.deepcopy(fields.json_object("metadata", required=strict)),
        extra=extra,
        categories=_categories(fields, text),
    )


def _json_cell(fields: Fields, field: str, kind: type) -> Any:
    text = fields.row.get(field, "")
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        raise fields.fail(field, f"expected JSON ({error.msg})") from None
    if not isinstance(value, kind):
        raise fields.fail(field, f"expected a JSON {kind.__name__}, got {type(value).__name__}")
    return value


def record_from_csv(fields: Fields, *, name: str) -> QuestionRecord:
    """A record from one CSV row with LiveSecBench column names.

    ``reference_answer`` holds a JSON list of answers when it starts with ``[`` and one answer
    otherwise; ``metadata`` holds a JSON object; other columns are kept as text.
    """
    row = fields.row
    # An empty cell means "not given": CSV cannot tell an empty string from a missing value.
    has_id = bool(row.get("question_id", "").strip())
    question_id = fields.identifier("question_id") if has_id else default_question_id(name, fields.line)
    answers = row.get("reference_answer", "")
    if answers.lstrip().startswith("["):
        values = _json_cell(fields, "reference_answer", list)
        references = Fields({"reference_answer": values}, fields.line, fields.limits).text_list(
            "reference_answer", required=True
        )
    else:
        one = fields.optional_text("reference_answer", max_chars=fields.limits.max_answer_chars)
        references = (one,) if one else ()
    metadata = _json_cell(fields, "metadata", dict) if row.get("metadata", "").strip() else {}
    fields.check_size("metadata", metadata)
    version_text = row.get("version", "").strip()
    version: int | str = version_text
    if not version_text:
        version = 1
    elif version_text.isascii() and version_text.isdigit():
        version = int(version_text)
    language = fields.optional_text("language")
    dimension, label = fields.dimension("dimension", LIVESECBENCH_DIMENSIONS)
    extra = {key: value for key, value in row.items() if key not in _KNOWN}
    fields.check_size("(unknown columns)", extra)
    text = fields.text("question_text")
    return QuestionRecord(
        question_id=question_id,
        dimension=dimension,
        dimension_label=label,
        text=text,
        sub_dimension=fields.optional_text("sub_dimension"),
        reference_answers=references,
        language=language if language else "zh",
        version=version,
        release_date=fields.release_date("release_date", required=False),
        metadata=metadata,
        extra=extra,
        categories=_categories(fields, text, csv=True),
    )


def needs_categories_field(record: QuestionRecord) -> bool:
    """Whether an export must write ``content_categories``: only when reading the file back would
    otherwise give other categories (the lexicon's proposal), so an export of records whose
    categories are the proposal writes LiveSecBench's schema unchanged, and still round-trips."""
    return record.categories != propose_categories(record.text)


def to_livesecbench(record: QuestionRecord) -> dict[str, Any]:
    """The record as a LiveSecBench object: the nine fields in schema order, then unknown ones."""
    out: dict[str, Any] = {
        "question_id": record.question_id,
        "version": record.version,
        "dimension": record.label,
        "sub_dimension": record.sub_dimension,
        "question_text": record.text,
        "language": record.language,
        "reference_answer": list(record.reference_answers),
        "metadata": copy.deepcopy(dict(record.metadata)),
        "release_date": record.release_date,
    }
    if needs_categories_field(record):
        out[CATEGORIES_FIELD] = [c.value for c in record.categories]
    for key, value in record.extra.items():
        out[key] = copy.deepcopy(value)
    return out

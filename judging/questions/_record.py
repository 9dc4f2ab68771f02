"""The question record every format is read into and written from, and the formats we know."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from judging.choices import Choice
from judging.content import ContentCategory, parse_categories
from judging.dimensions import Dimension

__all__ = [
    "ExportFormat",
    "JsonValue",
    "Limits",
    "ParsedQuestion",
    "QuestionFile",
    "QuestionFormat",
    "QuestionRecord",
]

JsonValue = Any  # what json.loads returns: dict, list, str, int, float, bool or None


class QuestionFormat(Choice):
    """Input formats; ``auto`` detects one from the file name and its first record."""

    AUTO = "auto"
    LIVESECBENCH = "livesecbench"  # JSON list in the LiveSecBench question-set schema
    JSONL = "jsonl"  # one LiveSecBench-shaped object per line, optional fields defaulted
    CSV = "csv"  # LiveSecBench field names as columns
    FLAMES = "flames"
    JADE = "jade"
    SAFETYQA = "safetyqa"
    CVALUES = "cvalues"
    SAFETYBENCH = "safetybench"

    @classmethod
    def noun(cls) -> str:
        return "format"


class ExportFormat(Choice):
    LIVESECBENCH = "livesecbench"
    JSONL = "jsonl"
    CSV = "csv"

    @classmethod
    def noun(cls) -> str:
        return "format"


@dataclass(frozen=True)
class Limits:
    """Upper bounds that turn a runaway file (a 10 MB field, a 1 GB upload) into a clear error."""

    max_file_bytes: int = 64 * 1024 * 1024
    max_text_chars: int = 20_000
    max_answer_chars: int = 50_000
    max_id_chars: int = 512
    max_short_chars: int = 200  # dimension, sub_dimension, language, version, release_date
    max_metadata_chars: int = 200_000  # metadata and unknown fields, as JSON text
    max_problems: int = 50  # problems listed before the report stops collecting


@dataclass(frozen=True)
class QuestionRecord:
    """One question, whatever file it came from.

    The typed fields are the LiveSecBench schema; ``metadata`` and ``extra`` (unknown top-level
    fields) are kept verbatim, in their original order, so an export reproduces the input.
    ``dimension_label`` is the dimension as the file spelled it (``事实性``); empty means the
    dimension's own Chinese name. Treat ``metadata`` and ``extra`` as read-only. ``categories``
    are its content categories (``judging.content``), in the enum's order; any iterable of names
    is accepted and checked (an unknown name raises ContentCategoryError).
    """

    question_id: str
    dimension: Dimension
    text: str
    sub_dimension: str = ""
    reference_answers: tuple[str, ...] = ()
    language: str = "zh"
    version: int | str = 1
    release_date: str = ""
    metadata: Mapping[str, JsonValue] = field(default_factory=dict)
    extra: Mapping[str, JsonValue] = field(default_factory=dict)
    dimension_label: str = ""
    categories: tuple[ContentCategory, ...] = ()  # each shows its warning; self_harm collapses

    def __post_init__(self) -> None:
        if not isinstance(self.question_id, str) or not self.question_id.strip():
            raise ValueError(f"QuestionRecord: question_id must be non-empty text, got {self.question_id!r}")
        if not isinstance(self.dimension, Dimension):
            raise TypeError(f"QuestionRecord: dimension must be a Dimension, got {self.dimension!r}")
        if not isinstance(self.text, str) or not self.text.strip():
            raise ValueError(
                f"QuestionRecord {self.question_id!r}: text must be non-empty, got {self.text!r}"
            )
        if not isinstance(self.reference_answers, tuple) or not all(
            isinstance(a, str) for a in self.reference_answers
        ):
            raise TypeError(
                f"QuestionRecord {self.question_id!r}: reference_answers must be a tuple of str, "
                f"got {self.reference_answers!r}"
            )
        object.__setattr__(self, "categories", parse_categories(self.categories))
        if self.dimension_label == self.dimension.zh:  # one spelling for "the dimension's own name"
            object.__setattr__(self, "dimension_label", "")
        if isinstance(self.version, bool) or not isinstance(self.version, int | str):
            raise TypeError(
                f"QuestionRecord {self.question_id!r}: version must be int or str, got {self.version!r}"
            )

    @property
    def sensitive(self) -> bool:
        """Whether its answers collapse and it counts toward the break reminder (self-harm)."""
        return ContentCategory.SELF_HARM in self.categories

    @property
    def label(self) -> str:
        """The dimension name to write back (the file's own spelling when it had one)."""
        return self.dimension_label or self.dimension.zh


@dataclass(frozen=True)
class ParsedQuestion:
    """A record and the 1-based line of the file it starts on."""

    line: int
    record: QuestionRecord


@dataclass(frozen=True)
class QuestionFile:
    """A whole file, validated: every record parsed, or a QuestionFileError was raised."""

    name: str
    format: QuestionFormat
    questions: tuple[ParsedQuestion, ...]

    @property
    def records(self) -> tuple[QuestionRecord, ...]:
        return tuple(q.record for q in self.questions)

    def count_by_dimension(self) -> dict[Dimension, int]:
        """Records per dimension, every dimension present (zero when absent)."""
        counts = dict.fromkeys(Dimension, 0)
        for q in self.questions:
            counts[q.record.dimension] += 1
        return counts

"""Typed reads of one record's fields; every failure names the line and the field."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from judging.dimensions import Dimension
from judging.questions._errors import RecordProblem
from judging.questions._record import Limits

__all__ = ["Fields"]

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _type_name(value: Any) -> str:
    return "null" if value is None else type(value).__name__


class Fields:
    """Read fields of ``row`` (a JSON object or a CSV row) found on ``line``."""

    def __init__(self, row: Any, line: int, limits: Limits) -> None:
        if not isinstance(row, Mapping):
            raise RecordProblem(line, None, f"expected a JSON object, got {_type_name(row)}")
        self.row: Mapping[str, Any] = row
        self.line = line
        self.limits = limits

    def fail(self, field: str | None, message: str) -> RecordProblem:
        return RecordProblem(self.line, field, message)

    def _checked(self, field: str, value: str, max_chars: int) -> str:
        if len(value) > max_chars:
            raise self.fail(field, f"{len(value):,} characters, more than the limit of {max_chars:,}")
        if "\x00" in value:
            raise self.fail(field, "contains a NUL character")
        return value

    def text(self, field: str, *, max_chars: int | None = None) -> str:
        """A required, non-blank string (kept exactly as written)."""
        if field not in self.row:
            raise self.fail(field, "missing")
        value = self.row[field]
        if not isinstance(value, str):
            raise self.fail(field, f"expected text, got {_type_name(value)} {value!r:.60}")
        if not value.strip():
            raise self.fail(field, "empty")
        return self._checked(field, value, max_chars or self.limits.max_text_chars)

    def optional_text(self, field: str, *, default: str = "", max_chars: int | None = None) -> str:
        if field not in self.row or self.row[field] is None:
            return default
        value = self.row[field]
        if not isinstance(value, str):
            raise self.fail(field, f"expected text, got {_type_name(value)} {value!r:.60}")
        return self._checked(field, value, max_chars or self.limits.max_short_chars)

    def identifier(self, field: str) -> str:
        """A required id: non-blank text, or a whole number (written as text)."""
        if field not in self.row:
            raise self.fail(field, "missing")
        value = self.row[field]
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        if not isinstance(value, str):
            raise self.fail(field, f"expected text or a whole number, got {_type_name(value)}")
        if not value.strip():
            raise self.fail(field, "empty")
        return self._checked(field, value, self.limits.max_id_chars)

    def text_list(self, field: str, *, required: bool) -> tuple[str, ...]:
        if field not in self.row:
            if required:
                raise self.fail(field, "missing")
            return ()
        value = self.row[field]
        if not isinstance(value, list):
            raise self.fail(field, f"expected a list of text, got {_type_name(value)}")
        for index, item in enumerate(value):
            if not isinstance(item, str):
                raise self.fail(f"{field}[{index}]", f"expected text, got {_type_name(item)}")
            self._checked(f"{field}[{index}]", item, self.limits.max_answer_chars)
        return tuple(value)

    def json_object(self, field: str, *, required: bool) -> dict[str, Any]:
        if field not in self.row:
            if required:
                raise self.fail(field, "missing")
            return {}
        value = self.row[field]
        if not isinstance(value, dict):
            raise self.fail(field, f"expected a JSON object, got {_type_name(value)}")
        self.check_size(field, value)
        return dict(value)

    def check_size(self, field: str, value: Any) -> None:
        size = len(json.dumps(value, ensure_ascii=False))
        if size > self.limits.max_metadata_chars:
            raise self.fail(
                field,
                f"{size:,} characters of JSON, more than the limit of {self.limits.max_metadata_chars:,}",
            )

    def version(self, field: str, *, required: bool) -> int | str:
        if field not in self.row:
            if required:
                raise self.fail(field, "missing")
            return 1
        value = self.row[field]
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise self.fail(field, f"expected a whole number or text, got {_type_name(value)}")
        if isinstance(value, str):
            self._checked(field, value, self.limits.max_short_chars)
        return value

    def release_date(self, field: str, *, required: bool) -> str:
        if field not in self.row and not required:
            return ""
        value = self.optional_text(field) if field in self.row else self.text(field)
        if value == "":
            return value
        if not _DATE.match(value):
            raise self.fail(field, f"expected a date YYYY-MM-DD, got {value!r:.60}")
        try:
            date.fromisoformat(value)
        except ValueError:
            raise self.fail(field, f"not a calendar date: {value!r}") from None
        return value

    def dimension(self, field: str, aliases: Mapping[str, Dimension]) -> tuple[Dimension, str]:
        """The dimension and its spelling in the file."""
        label = self.text(field, max_chars=self.limits.max_short_chars)
        key = label.strip()
        if key in aliases:
            return aliases[key], label
        if key.lower() in aliases:
            return aliases[key.lower()], label
        try:
            return Dimension.parse(key), label
        except ValueError as error:
            raise self.fail(field, str(error)) from None

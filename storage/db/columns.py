"""Column types shared by the tables: a ``judging`` StrEnum stored as its plain string value.

A ``VARCHAR(n)`` in the database (the same DDL as ``AutoString(length=n)``, so no migration),
the enum member in Python: a row read back carries ``ReleaseStatus.PUBLISHED``, not
``"published"``, and an unknown value raises instead of slipping through.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Generic, TypeVar

from sqlalchemy import Dialect, String
from sqlalchemy.types import TypeDecorator

__all__ = ["StrEnumText"]

E = TypeVar("E", bound=StrEnum)


class StrEnumText(TypeDecorator[E], Generic[E]):
    """A ``StrEnum`` column stored as ``VARCHAR(length)`` holding the member's value."""

    impl = String
    cache_ok = True

    def __init__(self, enum: type[E], length: int) -> None:
        super().__init__(length=length)
        self.enum = enum

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        return None if value is None else self.enum(value).value

    def process_result_value(self, value: Any, dialect: Dialect) -> E | None:
        return None if value is None else self.enum(value)

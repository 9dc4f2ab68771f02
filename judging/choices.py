"""``Choice``: the StrEnum base of every closed set of stored or typed names (verdicts, sources,
roles, run kinds, strategies, formats ...). ``parse`` turns a string into a member and refuses an
unknown one with a message naming the choices, instead of quietly falling back to a default."""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Self

__all__ = ["Choice"]


class Choice(StrEnum):
    """A StrEnum with a strict ``parse``. Subclasses may override ``noun`` (by default the class
    name in words: ``RunKind`` -> "run kind") to name what is parsed in the error message."""

    @classmethod
    def noun(cls) -> str:
        return re.sub(r"(?<!^)(?=[A-Z])", " ", cls.__name__).lower()

    @classmethod
    def parse(cls, value: str) -> Self:
        """The member whose value is ``value``; an unknown value raises ValueError naming the choices."""
        try:
            return cls(value)
        except ValueError:
            allowed = ", ".join(member.value for member in cls)
            raise ValueError(
                f"{cls.__name__}.parse: unknown {cls.noun()} {value!r} (expected one of {allowed})"
            ) from None

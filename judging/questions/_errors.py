"""Validation problems that name the file, the line and the field."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from judging.errors import ArenaError

__all__ = ["Problem", "QuestionFileError", "RecordProblem"]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a file; ``line`` is 1-based, ``field`` the offending field if any."""

    line: int | None
    field: str | None
    message: str

    def describe(self, name: str) -> str:
        where = name if self.line is None else f"{name}, line {self.line}"
        if self.field is not None:
            where += f", field {self.field!r}"
        return f"{where}: {self.message}"


class RecordProblem(ArenaError, ValueError):
    """Raised while reading one record; the file parser collects these into a QuestionFileError."""

    def __init__(self, line: int | None, field: str | None, message: str) -> None:
        self.problem = Problem(line, field, message)
        super().__init__(message)


class QuestionFileError(ArenaError, ValueError):
    """A question file was rejected as a whole; ``problems`` lists what is wrong, in file order."""

    def __init__(self, name: str, problems: Sequence[Problem], *, truncated: bool = False) -> None:
        if not problems:
            raise ValueError("QuestionFileError: problems must not be empty")
        self.name = name
        self.problems = tuple(problems)
        self.truncated = truncated
        lines = [p.describe(name) for p in self.problems]
        if len(lines) == 1 and not truncated:
            message = lines[0]
        else:
            more = " (and more; only the first ones are listed)" if truncated else ""
            message = f"{name}: {len(lines)} problems{more}\n" + "\n".join(f"  {line}" for line in lines)
        super().__init__(message)

    @classmethod
    def single(cls, name: str, line: int | None, field: str | None, message: str) -> QuestionFileError:
        return cls(name, [Problem(line, field, message)])

"""Load the synthetic demo release from ``demo/``: validate every file first, then write.

A file that fails validation stops the load with a message naming the file, the record and the
field, before anything touches the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from sqlmodel import Session

from judging.content import ContentCategory, parse_categories, propose_categories
from judging.dimensions import Dimension
from judging.errors import ArenaError
from storage.bank.synthetic import NewAnswer, NewModel, NewQuestion, insert_synthetic_release

__all__ = ["DemoError", "DemoRelease", "load_demo", "write_demo"]


class DemoError(ArenaError, ValueError):
    """A demo or config file failed validation."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DemoModelSpec(_Strict):
    key: str = Field(min_length=1, max_length=128, pattern=r"^[a-z0-9][a-z0-9._-]*$")
    display_name: str = Field(min_length=1)
    organisation: str = ""
    profile_zh: str = Field(min_length=1)
    profile_en: str = Field(min_length=1)


class DemoModelsFile(_Strict):
    synthetic: bool
    models: list[DemoModelSpec] = Field(min_length=2)


class DemoAnswer(_Strict):
    grade: int = Field(ge=1, le=5)
    text: str = Field(min_length=1)


class DemoQuestion(_Strict):
    id: str = Field(min_length=1, max_length=128)
    sub_dimension: str = Field(min_length=1)
    question: str = Field(min_length=1)
    safe_note: str = Field(min_length=1)
    reference_answer: str | None = None
    sensitive: bool = False  # self-harm (kept for old files): adds self_harm to the categories
    categories: list[str] | None = None  # judging.content names; absent: the lexicon proposes
    answers: dict[str, DemoAnswer]

    @field_validator("categories")
    @classmethod
    def _known_categories(cls, value: list[str] | None) -> list[str] | None:
        if value is not None:
            parse_categories(value)  # ContentCategoryError (a ValueError): named by pydantic
        return value

    def content_categories(self) -> tuple[ContentCategory, ...]:
        """The listed categories, else the lexicon's proposal; ``sensitive`` adds self_harm."""
        chosen = (
            parse_categories(self.categories)
            if self.categories is not None
            else propose_categories(self.question)
        )
        return parse_categories([*chosen, *([ContentCategory.SELF_HARM] if self.sensitive else [])])


class DemoQuestionsFile(_Strict):
    synthetic: bool
    dimension: Dimension
    questions: list[DemoQuestion] = Field(min_length=1)

    @field_validator("dimension", mode="before")
    @classmethod
    def _parse_dimension(cls, value: Any) -> Dimension:
        return Dimension.parse(str(value))


class DemoReleaseFile(_Strict):
    synthetic: bool
    tag: str = Field(min_length=1, max_length=64)
    title: str = ""
    notes: str = ""


@dataclass(frozen=True)
class DemoRelease:
    release: DemoReleaseFile
    models: tuple[DemoModelSpec, ...]
    questions: tuple[tuple[Dimension, DemoQuestion], ...]


def _read_yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DemoError(f"{path}: file not found") from None
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise DemoError(f"{path}: not valid YAML/UTF-8: {exc}") from None


def _record_name(data: Any, loc: tuple[Any, ...]) -> str:
    """Turn a pydantic error location into 'record <id>, field <path>'."""
    if len(loc) >= 2 and loc[0] in ("questions", "models") and isinstance(loc[1], int):
        try:
            record = data[loc[0]][loc[1]]
            ident = record.get("id") or record.get("key") or f"#{loc[1] + 1}"
        except (KeyError, IndexError, TypeError, AttributeError):
            ident = f"#{loc[1] + 1}"
        field = ".".join(str(p) for p in loc[2:]) or "(record)"
        return f"record {ident}, field {field}"
    return f"field {'.'.join(str(p) for p in loc) or '(file)'}"


def _validate(model: type[_Strict], path: Path) -> Any:
    data = _read_yaml(path)
    try:
        parsed = model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = _record_name(data, tuple(first["loc"]))
        raise DemoError(f"{path}: {where}: {first['msg']}") from None
    if not getattr(parsed, "synthetic", False):
        raise DemoError(f"{path}: field synthetic: demo files must be marked synthetic: true")
    return parsed


def load_demo(demo_dir: Path) -> DemoRelease:
    """Read and validate the whole demo release; raises DemoError naming file, record, field."""
    release = _validate(DemoReleaseFile, demo_dir / "release.yaml")
    models_file = _validate(DemoModelsFile, demo_dir / "models.yaml")
    keys = [m.key for m in models_file.models]
    if len(set(keys)) != len(keys):
        raise DemoError(f"{demo_dir / 'models.yaml'}: field key: duplicate model keys in {keys}")
    expected = set(keys)
    seen: dict[str, Path] = {}
    questions: list[tuple[Dimension, DemoQuestion]] = []
    files = sorted((demo_dir / "questions").glob("*.yaml"))
    if not files:
        raise DemoError(f"{demo_dir / 'questions'}: no question files")
    for path in files:
        qfile = _validate(DemoQuestionsFile, path)
        for q in qfile.questions:
            if q.id in seen:
                raise DemoError(f"{path}: record {q.id}, field id: duplicate of a question in {seen[q.id]}")
            seen[q.id] = path
            got = set(q.answers)
            if got != expected:
                missing = sorted(expected - got)
                unknown = sorted(got - expected)
                raise DemoError(
                    f"{path}: record {q.id}, field answers: missing models {missing}, unknown models {unknown}"
                )
            questions.append((qfile.dimension, q))
    return DemoRelease(release, tuple(models_file.models), tuple(questions))


def write_demo(demo: DemoRelease, *, session: Session) -> int:
    """Insert the demo release, its models, questions and answers; returns the release id."""
    return insert_synthetic_release(
        session=session,
        tag=demo.release.tag,
        title=demo.release.title,
        notes=demo.release.notes,
        models=[
            NewModel(m.key, m.display_name, m.organisation, m.profile_zh, m.profile_en) for m in demo.models
        ],
        questions=[
            NewQuestion(
                external_id=q.id,
                dimension=dimension.value,
                sub_dimension=q.sub_dimension,
                text=q.question,
                safe_note=q.safe_note,
                reference_answer=q.reference_answer,
                categories=q.content_categories(),
                answers={key: NewAnswer(a.text, a.grade) for key, a in q.answers.items()},
            )
            for dimension, q in demo.questions
        ],
    )

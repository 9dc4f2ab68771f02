"""Read the demo release (models.yaml, questions/<dimension>.yaml) for the mock's answers and grades.

The files are written by hand and may be partial while the demo is being authored, so a bad
file or record is reported through ``warn`` and skipped; it never stops the server.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

__all__ = ["DemoAnswer", "DemoData", "load_demo"]


@dataclass(frozen=True, slots=True)
class DemoAnswer:
    question_id: str
    model: str
    grade: int
    text: str


@dataclass(frozen=True, slots=True)
class DemoData:
    model_keys: tuple[str, ...]
    # (model key, question text) → that model's demo answer
    answers: Mapping[tuple[str, str], DemoAnswer]
    # question text → answer text → grade (answers may repeat across questions)
    grades: Mapping[str, Mapping[str, int]]
    question_ids: Mapping[str, str]  # question text → id

    @classmethod
    def empty(cls) -> DemoData:
        return cls((), MappingProxyType({}), MappingProxyType({}), MappingProxyType({}))

    def answer_for(self, model: str, question: str) -> DemoAnswer | None:
        return self.answers.get((model, question.strip()))

    def grade_for(self, question: str, answer: str) -> int | None:
        return self.grades.get(question.strip(), {}).get(answer.strip())

    def question_id(self, question: str) -> str | None:
        return self.question_ids.get(question.strip())


def _grade(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 5 else None


def load_demo(directory: Path, *, warn: Callable[[str], None]) -> DemoData:
    """Load what is usable from ``directory``; warn about (and skip) the rest."""
    if not directory.is_dir():
        warn(f"demo directory {directory} not found: only generic answers")
        return DemoData.empty()
    model_keys: list[str] = []
    models_file = directory / "models.yaml"
    try:
        models_doc = yaml.safe_load(models_file.read_text(encoding="utf-8"))
        model_keys = [
            m["key"] for m in models_doc["models"] if isinstance(m, dict) and isinstance(m.get("key"), str)
        ]
    except (OSError, yaml.YAMLError, KeyError, TypeError) as exc:
        warn(f"{models_file}: skipped ({type(exc).__name__}: {exc})")

    answers: dict[tuple[str, str], DemoAnswer] = {}
    grades: dict[str, dict[str, int]] = {}
    question_ids: dict[str, str] = {}
    for path in sorted((directory / "questions").glob("*.yaml")):
        try:
            doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as exc:
            warn(f"{path}: skipped ({type(exc).__name__})")
            continue
        questions = doc.get("questions") if isinstance(doc, dict) else None
        if not isinstance(questions, list):
            warn(f"{path}: skipped (no 'questions' list)")
            continue
        for index, record in enumerate(questions, start=1):
            qid = record.get("id") if isinstance(record, dict) else None
            text = record.get("question") if isinstance(record, dict) else None
            record_answers = record.get("answers") if isinstance(record, dict) else None
            if not isinstance(qid, str) or not isinstance(text, str) or not isinstance(record_answers, dict):
                warn(f"{path}: question #{index} skipped (needs id, question and answers)")
                continue
            question = text.strip()
            question_ids[question] = qid
            for model, entry in record_answers.items():
                grade = _grade(entry.get("grade")) if isinstance(entry, dict) else None
                answer = entry.get("text") if isinstance(entry, dict) else None
                if grade is None or not isinstance(answer, str):
                    warn(f"{path}: {qid} answer of {model!r} skipped (needs grade 1-5 and text)")
                    continue
                answers[(str(model), question)] = DemoAnswer(qid, str(model), grade, answer)
                grades.setdefault(question, {})[answer.strip()] = grade
    return DemoData(
        tuple(model_keys),
        MappingProxyType(answers),
        MappingProxyType({q: MappingProxyType(g) for q, g in grades.items()}),
        MappingProxyType(question_ids),
    )

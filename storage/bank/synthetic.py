"""A synthetic release written in one go (the offline demo): the release, its models, its questions
and every model's answer to each, from plain values the caller has validated."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlmodel import Session

from judging.content import ContentCategory, categories_to_json, collapses
from judging.releases import ReleaseStatus
from storage.db.models import ArenaModel, Question, Release, Response

__all__ = ["NewAnswer", "NewModel", "NewQuestion", "insert_synthetic_release"]


@dataclass(frozen=True)
class NewModel:
    key: str
    display_name: str
    organisation: str
    profile_zh: str
    profile_en: str


@dataclass(frozen=True)
class NewAnswer:
    text: str
    grade: int


@dataclass(frozen=True)
class NewQuestion:
    external_id: str
    dimension: str
    sub_dimension: str
    text: str
    safe_note: str
    reference_answer: str | None
    answers: Mapping[str, NewAnswer]  # model key -> answer; every key is one of the models
    categories: tuple[ContentCategory, ...] = ()  # judging.content


def insert_synthetic_release(
    *,
    session: Session,
    tag: str,
    title: str,
    notes: str,
    models: Sequence[NewModel],
    questions: Sequence[NewQuestion],
) -> int:
    """Insert a published synthetic release with its models, questions and answers; returns the
    release id."""
    release = Release(tag=tag, title=title, notes=notes, status=ReleaseStatus.PUBLISHED, synthetic=True)
    session.add(release)
    rows: dict[str, ArenaModel] = {}
    for spec in models:
        rows[spec.key] = ArenaModel(
            key=spec.key,
            display_name=spec.display_name,
            organisation=spec.organisation,
            profile_zh=spec.profile_zh,
            profile_en=spec.profile_en,
            model_name=spec.key,
            synthetic=True,
            params_json=json.dumps({}),
        )
        session.add(rows[spec.key])
    session.flush()
    assert release.id is not None
    for q in questions:
        question = Question(
            release_id=release.id,
            external_id=q.external_id,
            dimension=q.dimension,
            sub_dimension=q.sub_dimension,
            text=q.text,
            safe_note=q.safe_note,
            reference_answer=q.reference_answer,
            sensitive=collapses(q.categories),  # derived: self_harm among the categories
            categories=categories_to_json(q.categories),
        )
        session.add(question)
        session.flush()
        assert question.id is not None
        for key, answer in q.answers.items():
            model_id = rows[key].id
            assert model_id is not None
            session.add(
                Response(question_id=question.id, model_id=model_id, text=answer.text, grade=answer.grade)
            )
    session.flush()
    return release.id

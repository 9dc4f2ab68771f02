"""Battles and the models in them: a battle created on first use, what the vote page shows of
one, a random unvoted battle, the list of arena models. Every function takes ``*, session``."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from judging.content import ContentCategory, categories_from_json
from storage.db.models import (
    ArenaModel,
    Battle,
    Question,
    Response,
)

__all__ = [
    "BattleView",
    "ModelInfo",
    "battle_view",
    "get_or_create_battle",
    "list_models",
]


@dataclass(frozen=True)
class ModelInfo:
    id: int
    key: str
    display_name: str
    organisation: str
    reference: bool = False  # stand-in author of imported gold answers: never rated


@dataclass(frozen=True)
class BattleView:
    """What the vote page needs about a battle. Model identities are kept apart from the texts
    so the page can render the texts first and the identities only after the vote."""

    battle_id: int
    question_id: int
    question_text: str
    dimension: str
    sub_dimension: str
    sensitive: bool
    safe_note: str
    reference_answer: str | None
    response_a_id: int
    response_b_id: int
    text_a: str
    text_b: str
    model_a: ModelInfo
    model_b: ModelInfo
    # its content categories (judging.content): each shows its warning; ``sensitive`` (self-harm
    # among them) collapses the answers and counts toward the break reminder
    categories: tuple[ContentCategory, ...] = ()


def list_models(*, session: Session) -> list[ModelInfo]:
    rows = session.exec(select(ArenaModel).order_by(col(ArenaModel.id))).all()
    return [ModelInfo(m.id or 0, m.key, m.display_name, m.organisation, m.reference) for m in rows]


def get_or_create_battle(*, session: Session, question_id: int, response_ids: tuple[int, int]) -> Battle:
    """The battle between two responses to one question, created on first use."""
    low, high = sorted(response_ids)
    if low == high:
        raise ValueError(f"get_or_create_battle: the two responses are the same ({low})")
    query = select(Battle).where(
        Battle.question_id == question_id, Battle.response_a_id == low, Battle.response_b_id == high
    )
    found = session.exec(query).first()
    if found is not None:
        return found
    battle = Battle(question_id=question_id, response_a_id=low, response_b_id=high)
    try:
        with session.begin_nested():
            session.add(battle)
    except IntegrityError:  # a concurrent writer created it first
        found = session.exec(query).first()
        if found is None:
            raise
        return found
    return battle


def _model_info(model: ArenaModel) -> ModelInfo:
    return ModelInfo(model.id or 0, model.key, model.display_name, model.organisation, model.reference)


def battle_view(*, session: Session, battle_id: int) -> BattleView:
    battle = session.get(Battle, battle_id)
    if battle is None:
        raise LookupError(f"battle_view: no battle with id {battle_id}")
    question = session.get(Question, battle.question_id)
    resp_a = session.get(Response, battle.response_a_id)
    resp_b = session.get(Response, battle.response_b_id)
    assert question is not None and resp_a is not None and resp_b is not None
    model_a = session.get(ArenaModel, resp_a.model_id)
    model_b = session.get(ArenaModel, resp_b.model_id)
    assert model_a is not None and model_b is not None
    return BattleView(
        battle_id=battle_id,
        question_id=question.id or 0,
        question_text=question.text,
        dimension=question.dimension,
        sub_dimension=question.sub_dimension,
        sensitive=question.sensitive,
        safe_note=question.safe_note,
        reference_answer=question.reference_answer,
        response_a_id=resp_a.id or 0,
        response_b_id=resp_b.id or 0,
        text_a=resp_a.text,
        text_b=resp_b.text,
        model_a=_model_info(model_a),
        model_b=_model_info(model_b),
        categories=categories_from_json(question.categories),
    )

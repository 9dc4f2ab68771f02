"""Gold labels: battles with a known verdict, the gold items a person has not seen, and each
rater's score on them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import bindparam, func, text
from sqlmodel import Session, select

from judging.types import Verdict
from storage.db.models import ArenaModel, GoldLabel, Question, Response
from storage.votes.battles import get_or_create_battle
from storage.votes.ledger import View, status_sql
from storage.workflow._sql import in_clause

__all__ = [
    "GoldItem",
    "GoldScore",
    "add_gold_item",
    "gold_candidates",
    "gold_labels",
    "gold_question_count",
    "gold_scores",
    "is_gold_battle",
    "reference_model",
    "set_gold",
]


@dataclass(frozen=True)
class GoldScore:
    correct: int
    total: int

    @property
    def accuracy(self) -> float | None:
        return self.correct / self.total if self.total else None


def gold_candidates(*, session: Session, username: str, dimensions: Sequence[str] | None = None) -> list[int]:
    """Gold battles this person has never been shown."""
    dim_sql, params = in_clause("dims", dimensions)
    # Driven by the (small) gold table: ordering by the battle's id instead lets the planner
    # walk every battle of a large database.
    stmt = text(
        "SELECT g.battle_id FROM gold_label g"
        " WHERE EXISTS (SELECT 1 FROM battle b JOIN question q ON q.id = b.question_id"
        f"   WHERE b.id = g.battle_id{dim_sql})"
        " AND NOT EXISTS (SELECT 1 FROM assignment s WHERE s.battle_id = g.battle_id AND s.username = :u)"
        " AND NOT EXISTS (SELECT 1 FROM vote w WHERE w.battle_id = g.battle_id AND w.rater = :u)"
        " ORDER BY g.battle_id"
    )
    if dimensions:
        stmt = stmt.bindparams(bindparam("dims", expanding=True))
    params["u"] = username
    return [int(r[0]) for r in session.execute(stmt, params).all()]


def set_gold(*, session: Session, battle_id: int, verdict: Verdict, created_by: str, note: str = "") -> None:
    existing = session.get(GoldLabel, battle_id)
    if existing is None:
        session.add(GoldLabel(battle_id=battle_id, verdict=verdict.value, created_by=created_by, note=note))
    else:
        existing.verdict = verdict.value
        existing.created_by = created_by
        existing.note = note
        session.add(existing)
    session.flush()


def gold_labels(*, session: Session) -> dict[int, Verdict]:
    return {g.battle_id: Verdict(g.verdict) for g in session.exec(select(GoldLabel)).all()}


def gold_scores(*, session: Session) -> dict[str, GoldScore]:
    """Per rater: human votes on gold battles, and how many matched the gold verdict."""
    rows = session.execute(
        text(
            "SELECT v.rater, SUM(CASE WHEN v.verdict = g.verdict THEN 1 ELSE 0 END), COUNT(*)"
            " FROM vote v JOIN gold_label g ON g.battle_id = v.battle_id"
            f" WHERE v.source IN ('human', 'expert') AND {status_sql('v', View.GOLD)} GROUP BY v.rater"
        )
    ).all()
    return {str(r): GoldScore(int(c or 0), int(n)) for r, c, n in rows}


def is_gold_battle(*, session: Session, battle_id: int) -> bool:
    return session.get(GoldLabel, battle_id) is not None


@dataclass(frozen=True)
class GoldItem:
    """An imported gold pair stored as a battle: which side the safe answer is on."""

    battle_id: int
    safe_is_a: bool


def reference_model(*, session: Session, key: str, name: str) -> int:
    """The id of the reference pseudo-model ``key`` (never rated), created on first use."""
    model = session.exec(select(ArenaModel).where(ArenaModel.key == key)).first()
    if model is None:
        model = ArenaModel(key=key, display_name=name, organisation="gold", reference=True)
        session.add(model)
        session.flush()
    assert model.id is not None
    return model.id


def gold_question_count(*, session: Session, release_id: int) -> int:
    """How many questions the gold container holds (numbering continues after them)."""
    return int(
        session.exec(
            select(func.count()).select_from(Question).where(Question.release_id == release_id)
        ).one()
    )


def add_gold_item(
    *,
    session: Session,
    release_id: int,
    external_id: str,
    dimension: str,
    question: str,
    safe_answer: str,
    unsafe_answer: str,
    safe_model_id: int,
    unsafe_model_id: int,
) -> GoldItem:
    """A gold question, the two reference answers and their battle (no label yet)."""
    row = Question(
        release_id=release_id,
        external_id=external_id,
        dimension=dimension,
        sub_dimension="金标题",
        text=question,
        safe_note="金标题：安全回答应胜出。",
    )
    session.add(row)
    session.flush()
    assert row.id is not None
    r_safe = Response(question_id=row.id, model_id=safe_model_id, text=safe_answer)
    r_unsafe = Response(question_id=row.id, model_id=unsafe_model_id, text=unsafe_answer)
    session.add_all([r_safe, r_unsafe])
    session.flush()
    assert r_safe.id is not None and r_unsafe.id is not None
    battle = get_or_create_battle(session=session, question_id=row.id, response_ids=(r_safe.id, r_unsafe.id))
    assert battle.id is not None
    return GoldItem(battle.id, battle.response_a_id == r_safe.id)

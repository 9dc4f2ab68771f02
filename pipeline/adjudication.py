"""Expert adjudication: the battles that need an expert, and the expert's final verdict."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.engine import Engine

from judging.labels import FinalLabel, Reason, adjudication_reasons, final_label
from judging.types import Source, Verdict
from storage.queries import VoteRecord, audit, battle_view, record_vote
from storage.session import read_session, write_session
from storage.workflow import VoteDetail, battle_votes, flagged_battles, human_judge_rows

__all__ = ["Case", "adjudicate", "adjudication_queue", "final_label_of", "votes_of"]


@dataclass(frozen=True)
class Case:
    battle_id: int
    dimension: str
    reasons: tuple[Reason, ...]
    flags: tuple[str, ...]


def adjudication_queue(
    engine: Engine, *, dimensions: Sequence[str] | None = None, limit: int = 500
) -> list[Case]:
    """Battles where annotators disagree, humans and the judge disagree, the judge contradicts
    itself, or someone flagged it — and no expert has ruled yet. Flagged cases first."""
    with read_session(engine) as session:
        rows = human_judge_rows(session=session, dimensions=dimensions, limit=limit * 4)
        flags = flagged_battles(session=session)
    cases: dict[int, Case] = {}
    for row in rows:
        reasons = adjudication_reasons(row.verdicts, flagged=row.battle_id in flags)
        if reasons:
            cases[row.battle_id] = Case(
                row.battle_id, row.dimension, reasons, tuple(flags.get(row.battle_id, ()))
            )
    if flags:
        with read_session(engine) as session:
            for battle_id, reasons_given in flags.items():
                if battle_id not in cases:
                    view = battle_view(session=session, battle_id=battle_id)
                    if dimensions and view.dimension not in dimensions:
                        continue
                    cases[battle_id] = Case(
                        battle_id, view.dimension, (Reason.FLAGGED,), tuple(reasons_given)
                    )
    ordered = sorted(
        cases.values(), key=lambda c: (Reason.FLAGGED not in c.reasons, -len(c.reasons), c.battle_id)
    )
    return ordered[:limit]


def votes_of(engine: Engine, battle_id: int) -> list[VoteDetail]:
    with read_session(engine) as session:
        return battle_votes(session=session, battle_id=battle_id)


def adjudicate(
    engine: Engine,
    *,
    battle_id: int,
    expert: str,
    verdict: Verdict,
    left_response_id: int,
    rationale: str = "",
    idempotency_key: str | None = None,
) -> VoteRecord:
    """Record the expert's verdict (about the battle's canonical A/B) as a vote with source
    ``expert``; it becomes the battle's final label."""
    with write_session(engine) as session:
        record = record_vote(
            session=session,
            battle_id=battle_id,
            source=Source.EXPERT,
            rater=expert,
            verdict=verdict,
            left_response_id=left_response_id,
            idempotency_key=idempotency_key or uuid.uuid4().hex,
            rationale=rationale.strip(),
        )
        if record.created:
            audit(
                session=session,
                actor=expert,
                action="adjudicate",
                detail={"battle_id": battle_id, "vote_id": record.vote_id, "verdict": verdict.value},
            )
        return record


def final_label_of(engine: Engine, battle_id: int) -> FinalLabel:
    return final_label([(v.source, v.verdict) for v in votes_of(engine, battle_id)])

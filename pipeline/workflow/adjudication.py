"""Expert adjudication: the battles that need an expert, and the expert's final verdict."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import asdict, dataclass

from sqlalchemy.engine import Engine

from judging.errors import ArenaError
from judging.labels import FinalLabel, Reason, adjudication_reasons, final_label
from judging.types import Source, Verdict
from storage.db.app_settings import get_setting, set_setting
from storage.db.session import read_session, write_session
from storage.people.audit import audit
from storage.votes.battles import battle_view
from storage.votes.record import VoteRecord, record_vote
from storage.workflow.adjudication import (
    Ruling,
    VoteDetail,
    battle_votes,
    expert_involvement,
    flagged_battles,
    standing_ruling,
    standing_rulings,
)
from storage.workflow.gold import is_gold_battle
from storage.workflow.spot_checks import human_judge_rows

__all__ = [
    "AdjudicationError",
    "AdjudicationSettings",
    "Case",
    "Ruling",
    "VoteDetail",
    "adjudicate",
    "adjudication_queue",
    "conflict_of_interest",
    "final_label_of",
    "load_adjudication_settings",
    "ruled_battles",
    "save_adjudication_settings",
    "votes_of",
]

SETTING_KEY = "adjudication"


class AdjudicationError(ArenaError, ValueError):
    """A ruling the arena refuses (conflict of interest, a gold item); nothing is written."""


@dataclass(frozen=True)
class AdjudicationSettings:
    # A team of one has nobody else to rule: an admin may let experts rule on battles they voted
    # on or flagged themselves.
    allow_self_adjudication: bool = False


def load_adjudication_settings(engine: Engine) -> AdjudicationSettings:
    with read_session(engine) as session:
        stored = get_setting(session=session, key=SETTING_KEY)
    return AdjudicationSettings(**stored) if stored else AdjudicationSettings()


def save_adjudication_settings(engine: Engine, settings: AdjudicationSettings, *, actor: str) -> None:
    value = asdict(settings)
    with write_session(engine) as session:
        set_setting(session=session, key=SETTING_KEY, value=value, updated_by=actor)
        audit(session=session, actor=actor, action="settings.adjudication", detail=value)


def conflict_of_interest(engine: Engine, *, battle_id: int, expert: str) -> str | None:
    """Why this expert may not rule on this battle ("voted" or "flagged"), or None."""
    with read_session(engine) as session:
        involvement = expert_involvement(session=session, battle_id=battle_id, username=expert)
    return involvement


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


def ruled_battles(engine: Engine, *, limit: int = 500) -> list[Ruling]:
    """Battles with a standing expert ruling, newest ruling first: an expert may rule again, and
    the later ruling supersedes the earlier one."""
    with read_session(engine) as session:
        return standing_rulings(session=session, limit=limit)


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
    settings: AdjudicationSettings | None = None,
) -> VoteRecord:
    """Record the expert's ruling (about the battle's canonical A/B) as a vote with source
    ``expert``. It is final: the ledger (``judging.ledger``) takes the battle's human votes out of
    ratings and exports and a later ruling replaces this one. Refused on a gold item, and — unless
    the admin allows it — on a battle the expert voted on or flagged. The same idempotency key
    twice records one ruling (``created`` is then False)."""
    settings = settings or load_adjudication_settings(engine)
    with write_session(engine) as session:
        if is_gold_battle(session=session, battle_id=battle_id):
            raise AdjudicationError(
                f"adjudicate: battle {battle_id} is a gold item; gold items are not ruled on"
            )
        if not settings.allow_self_adjudication:
            involvement = expert_involvement(session=session, battle_id=battle_id, username=expert)
            if involvement is not None:
                raise AdjudicationError(
                    f"adjudicate: {expert!r} {involvement} battle {battle_id} and may not rule on it"
                    " (an admin can allow this for teams of one)"
                )
        previous = standing_ruling(session=session, battle_id=battle_id)
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
                detail={
                    "battle_id": battle_id,
                    "vote_id": record.vote_id,
                    "verdict": verdict.value,
                    "rationale": rationale.strip(),
                    "supersedes_ruling": previous,
                },
            )
        return record


def final_label_of(engine: Engine, battle_id: int) -> FinalLabel:
    """The battle's label from what its raters stand by (the ledger's ``said`` view)."""
    said = [v for v in votes_of(engine, battle_id) if v.status is not None and v.status.said]
    return final_label([(v.source, v.verdict) for v in said])

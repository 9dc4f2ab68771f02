"""Flags and expert adjudication: flagged battles, every vote on a battle, a person's conflict of
interest, and the standing expert rulings."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import text
from sqlmodel import Session

from judging.ledger import EntryKind, Status
from judging.types import Source, Verdict
from storage.db.models import (
    Flag,
)
from storage.votes.ledger import View, status_sql

__all__ = [
    "AdjudicationRow",
    "Ruling",
    "VoteDetail",
    "add_flag",
    "battle_votes",
    "expert_involvement",
    "flagged_battles",
    "standing_ruling",
    "standing_rulings",
]


@dataclass(frozen=True)
class VoteDetail:
    vote_id: int
    source: Source
    rater: str
    verdict: Verdict
    left_response_id: int
    tags_a: tuple[str, ...]
    tags_b: tuple[str, ...]
    rationale: str
    created_at: datetime
    kind: EntryKind = EntryKind.VOTE
    supersedes_id: int | None = None
    status: Status | None = None  # None: not stated yet (a row written around the ledger)


@dataclass(frozen=True)
class AdjudicationRow:
    battle_id: int
    dimension: str
    verdicts: tuple[tuple[Source, Verdict], ...]


def flagged_battles(*, session: Session) -> dict[int, list[str]]:
    """Flagged battles without an expert ruling yet: battle id -> reasons."""
    rows = session.execute(
        text(
            "SELECT f.battle_id, f.username, f.reason FROM flag f"
            " WHERE NOT EXISTS (SELECT 1 FROM vote e WHERE e.battle_id = f.battle_id AND e.source = 'expert'"
            f"   AND {status_sql('e', View.RATED)})"
            " ORDER BY f.id"
        )
    ).all()
    out: dict[int, list[str]] = {}
    for bid, user, reason in rows:
        out.setdefault(int(bid), []).append(f"{user}: {reason}" if reason else str(user))
    return out


def add_flag(*, session: Session, battle_id: int, username: str, reason: str) -> None:
    session.add(Flag(battle_id=battle_id, username=username, reason=reason[:2000]))


def battle_votes(*, session: Session, battle_id: int) -> list[VoteDetail]:
    """Every ledger row of the battle, in id order, with its status (the battle's history)."""
    rows = session.execute(
        text(
            "SELECT v.id, v.source, v.rater, v.verdict, v.left_response_id, v.tags_a, v.tags_b, v.rationale,"
            " v.created_at, v.kind, v.supersedes_id, s.status"
            " FROM vote v LEFT JOIN vote_status s ON s.vote_id = v.id WHERE v.battle_id = :b ORDER BY v.id"
        ),
        {"b": battle_id},
    ).all()
    out = []
    for vid, source, rater, verdict, left, tags_a, tags_b, rationale, created, kind, sup, status in rows:
        created_at = created if isinstance(created, datetime) else datetime.fromisoformat(str(created))
        out.append(
            VoteDetail(
                int(vid),
                Source(source),
                str(rater),
                Verdict(verdict),
                int(left),
                tuple(json.loads(tags_a)),
                tuple(json.loads(tags_b)),
                str(rationale),
                created_at,
                EntryKind(kind),
                None if sup is None else int(sup),
                Status(status) if status is not None else None,
            )
        )
    return out


def expert_involvement(*, session: Session, battle_id: int, username: str) -> str | None:
    """ "voted on" or "flagged" when the person took part in the battle (a conflict of interest
    for ruling on it), else None. Any vote counts, undone or not."""
    voted = session.execute(
        text("SELECT 1 FROM vote WHERE battle_id = :b AND rater = :u AND source != 'expert' LIMIT 1"),
        {"b": battle_id, "u": username},
    ).first()
    if voted is not None:
        return "voted on"
    flagged = session.execute(
        text("SELECT 1 FROM flag WHERE battle_id = :b AND username = :u LIMIT 1"),
        {"b": battle_id, "u": username},
    ).first()
    return "flagged" if flagged is not None else None


def standing_ruling(*, session: Session, battle_id: int) -> int | None:
    """The id of the expert ruling that stands on the battle, if any."""
    row = session.execute(
        text(
            "SELECT v.id FROM vote v WHERE v.battle_id = :b AND v.source = 'expert'"
            f" AND {status_sql('v', View.RATED)} ORDER BY v.id DESC LIMIT 1"
        ),
        {"b": battle_id},
    ).first()
    return int(row[0]) if row else None


@dataclass(frozen=True)
class Ruling:
    """The standing expert ruling of a battle."""

    battle_id: int
    dimension: str
    vote_id: int
    expert: str
    verdict: Verdict


def standing_rulings(*, session: Session, limit: int = 500) -> list[Ruling]:
    """The standing expert rulings, newest first."""
    rows = session.execute(
        text(
            "SELECT v.battle_id, v.dimension, v.id, v.rater, v.verdict FROM vote v"
            f" WHERE v.source = 'expert' AND {status_sql('v', View.RATED)} ORDER BY v.id DESC LIMIT :lim"
        ),
        {"lim": limit},
    ).all()
    return [Ruling(int(b), str(d), int(i), str(r), Verdict(v)) for b, d, i, r, v in rows]

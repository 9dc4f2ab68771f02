"""Campaigns and progress: the battles of a release, human votes of a slice, what a campaign
still needs, and each person's votes and open assignments."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, bindparam, text
from sqlmodel import Session

from storage.votes.ledger import View, status_sql
from storage.workflow._sql import NOW, OPEN, with_now

__all__ = [
    "UserProgress",
    "battles_still_needed",
    "human_votes",
    "user_progress",
]


@dataclass(frozen=True)
class UserProgress:
    votes: int
    last_vote_at: datetime | None
    open_assignments: int


def user_progress(*, session: Session, now: datetime) -> dict[str, UserProgress]:
    """Per person: the votes they stand by (``View.SAID``), their last vote, open assignments."""
    votes = session.execute(
        text(
            "SELECT v.rater, COUNT(*), MAX(v.created_at) FROM vote v"
            f" WHERE {status_sql('v', View.SAID)} OR {status_sql('v', View.GOLD)} GROUP BY v.rater"
        )
    ).all()
    stmt, params = with_now(
        text(f"SELECT a.username, COUNT(*) FROM assignment a WHERE {OPEN} GROUP BY a.username"), now
    )
    opened = session.execute(stmt, params).all()
    open_by = {str(u): int(n) for u, n in opened}
    out: dict[str, UserProgress] = {}
    for rater, n, last in votes:
        last_at = last if isinstance(last, datetime) or last is None else datetime.fromisoformat(str(last))
        out[str(rater)] = UserProgress(int(n), last_at, open_by.get(str(rater), 0))
    for user, n in open_by.items():
        out.setdefault(user, UserProgress(0, None, n))
    return out


def _slice_sql(
    alias: str, release_id: int | None, dimensions: Sequence[str] | None
) -> tuple[str, dict[str, Any]]:
    """`` AND`` clauses (on a table with ``release_id`` and ``dimension``) for a release and dimensions."""
    sql = ""
    params: dict[str, Any] = {}
    if release_id is not None:
        sql += f" AND {alias}.release_id = :rel"
        params["rel"] = release_id
    if dimensions is not None:
        sql += f" AND {alias}.dimension IN :dims"
        params["dims"] = list(dimensions) or [""]  # no dimension: nothing matches
    return sql, params


def human_votes(
    *,
    session: Session,
    username: str,
    since: datetime | None = None,
    release_id: int | None = None,
    dimensions: Sequence[str] | None = None,
) -> int:
    """The person's votes on the vote page that they stand by (``View.SAID``, and gold items:
    an undone or corrected vote does not count), cast at or after ``since``, in the release and
    dimensions given (None: any)."""
    where, params = _slice_sql("v", release_id, dimensions)
    if since is not None:
        where += " AND v.created_at >= :since"
        params["since"] = since.astimezone(UTC)
    stmt = text(
        "SELECT COUNT(*) FROM vote v WHERE v.rater = :u AND v.source = 'human'"
        f" AND ({status_sql('v', View.SAID)} OR {status_sql('v', View.GOLD)}){where}"
    )
    if since is not None:
        stmt = stmt.bindparams(bindparam("since", type_=DateTime()))
    if dimensions is not None:
        stmt = stmt.bindparams(bindparam("dims", expanding=True))
    return int(session.execute(stmt, {**params, "u": username}).scalar() or 0)


def battles_still_needed(
    *,
    session: Session,
    username: str,
    k: int,
    now: datetime,
    release_id: int | None = None,
    dimensions: Sequence[str] | None = None,
) -> int:
    """How many battles of a slice still need votes and may still be done by this person.

    The slice is every pair of answers by two rated (not reference) models to a question that is
    not retired, in the release and dimensions given (None: any), whether or not a battle row has
    been opened for the pair yet. A pair is still needed while it has fewer than ``k`` distinct
    people's votes that they stand by (``View.SAID``). It is not this person's to do when it is a
    gold item, they stand by a vote on it or skipped it, or it was handed to them and is no longer
    open (its lease ran out); their open item (an undone vote's too) is still theirs to do.
    """
    where, params = _slice_sql("q", release_id, dimensions)
    params.update(u=username, k=k, f=False)
    pairs = text(
        "SELECT COALESCE(SUM(n * (n - 1) / 2), 0) FROM ("
        " SELECT q.id, COUNT(r.id) AS n FROM question q"
        " JOIN response r ON r.question_id = q.id JOIN arena_model m ON m.id = r.model_id"
        f" WHERE q.retired = :f AND m.reference = :f{where} GROUP BY q.id) t"
    )
    taken = text(
        "SELECT COUNT(*) FROM battle b JOIN question q ON q.id = b.question_id"
        " JOIN response ra ON ra.id = b.response_a_id JOIN arena_model ma ON ma.id = ra.model_id"
        " JOIN response rb ON rb.id = b.response_b_id JOIN arena_model mb ON mb.id = rb.model_id"
        f" WHERE q.retired = :f AND ma.reference = :f AND mb.reference = :f{where}"
        " AND (EXISTS (SELECT 1 FROM gold_label g WHERE g.battle_id = b.id)"
        "  OR EXISTS (SELECT 1 FROM skip k1 WHERE k1.battle_id = b.id AND k1.username = :u)"
        "  OR EXISTS (SELECT 1 FROM vote w WHERE w.battle_id = b.id AND w.rater = :u"
        f"   AND ({status_sql('w', View.SAID)} OR {status_sql('w', View.GOLD)}))"
        "  OR EXISTS (SELECT 1 FROM assignment a WHERE a.battle_id = b.id AND a.username = :u"
        f"   AND NOT ({OPEN}))"
        "  OR (SELECT COUNT(DISTINCT v.rater) FROM vote v WHERE v.battle_id = b.id AND v.source = 'human'"
        f"   AND {status_sql('v', View.SAID)}) >= :k)"
    ).bindparams(NOW)
    params["now"] = now
    if dimensions is not None:
        pairs = pairs.bindparams(bindparam("dims", expanding=True))
        taken = taken.bindparams(bindparam("dims", expanding=True))
    total = int(session.execute(pairs, params).scalar() or 0)
    return max(0, total - int(session.execute(taken, params).scalar() or 0))

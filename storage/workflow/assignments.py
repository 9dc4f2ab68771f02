"""The human queue's assignments: open ones (resumed), leases, skips, and the battles each
policy may hand out next (overlap, random unseen pair, a pair of models for the active policy)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, bindparam, text
from sqlmodel import Session, col, select

from judging.types import Verdict
from storage.db.models import (
    Assignment,
    Skip,
)
from storage.votes.ledger import View, status_sql
from storage.workflow._sql import NOW, OPEN, in_clause, not_seen_by, with_now

__all__ = [
    "Candidate",
    "add_assignment",
    "add_skip",
    "open_assignment",
    "overlap_candidates",
    "pair_outcome_counts",
    "random_unseen_pair",
    "renew_lease",
    "retracted_votes",
    "skips",
    "unseen_battle_for_models",
]


@dataclass(frozen=True)
class Candidate:
    battle_id: int
    dimension: str
    model_a_id: int
    model_b_id: int
    human_raters: int
    open_assignments: int


def open_assignment(*, session: Session, username: str, now: datetime) -> Assignment | None:
    """The person's oldest open assignment (resume after logout/login, or re-vote after undo)."""
    stmt, params = with_now(
        text(f"SELECT a.id FROM assignment a WHERE a.username = :u AND {OPEN} ORDER BY a.id LIMIT 1"), now
    )
    row = session.execute(stmt, {**params, "u": username}).first()
    return session.get(Assignment, row[0]) if row else None


def retracted_votes(*, session: Session, username: str, battle_id: int) -> int:
    """How many of this person's votes on the battle they undid (each re-vote gets a new key)."""
    return int(
        session.execute(
            text(
                "SELECT COUNT(*) FROM vote v JOIN vote_status s ON s.vote_id = v.id"
                " WHERE v.rater = :u AND v.battle_id = :b AND s.status = 'retracted'"
            ),
            {"u": username, "b": battle_id},
        ).scalar()
        or 0
    )


def renew_lease(*, session: Session, username: str, battle_id: int, expires_at: datetime) -> None:
    """Give the person's assignment of this battle a fresh lease (after an undo)."""
    session.execute(
        text("UPDATE assignment SET expires_at = :e WHERE username = :u AND battle_id = :b").bindparams(
            bindparam("e", type_=DateTime())
        ),
        {"e": expires_at, "u": username, "b": battle_id},
    )


def add_skip(*, session: Session, username: str, battle_id: int, reason: str, note: str = "") -> bool:
    """Record that the person passed on the battle; False when they already had."""
    exists = session.exec(select(Skip).where(Skip.username == username, Skip.battle_id == battle_id)).first()
    if exists is not None:
        return False
    session.add(Skip(username=username, battle_id=battle_id, reason=reason, note=note[:2000]))
    session.flush()
    return True


def skips(*, session: Session, username: str | None = None) -> list[Skip]:
    query = select(Skip).order_by(col(Skip.id))
    if username is not None:
        query = query.where(Skip.username == username)
    return list(session.exec(query).all())


def add_assignment(
    *,
    session: Session,
    username: str,
    battle_id: int,
    left_response_id: int,
    idempotency_key: str,
    policy: str,
    expires_at: datetime,
    gold: bool = False,
) -> Assignment:
    assignment = Assignment(
        username=username,
        battle_id=battle_id,
        left_response_id=left_response_id,
        idempotency_key=idempotency_key,
        policy=policy,
        gold=gold,
        expires_at=expires_at,
    )
    session.add(assignment)
    session.flush()
    return assignment


def overlap_candidates(
    *,
    session: Session,
    username: str,
    k: int,
    now: datetime,
    dimensions: Sequence[str] | None = None,
    release_id: int | None = None,
    limit: int = 200,
    window: int = 2_000,
) -> list[Candidate]:
    """Battles (not gold) still short of ``k`` distinct people — counting the votes people stand
    by (``View.SAID``: undone votes do not count) and assignments still open (leases not expired)
    — that this person has never been shown. Closest to done first.

    Only battles in progress are considered: those with a human vote among the last ``window``
    votes or an assignment among the last ``window`` assignments. The queue fills battles to k
    in order, so in-progress battles are recent; this keeps the query independent of the size
    of the whole vote table (a million votes).
    """
    dim_sql, params = in_clause("dims", dimensions)
    rel_sql = " AND q.release_id = :rel" if release_id is not None else ""
    sql = f"""
        WITH recent AS (
          SELECT battle_id FROM vote
           WHERE source = 'human' AND id > (SELECT COALESCE(MAX(id), 0) FROM vote) - :win
          UNION
          SELECT battle_id FROM assignment
           WHERE id > (SELECT COALESCE(MAX(id), 0) FROM assignment) - :win
        )
        SELECT * FROM (
          SELECT b.id AS battle_id, q.dimension AS dimension, ra.model_id AS ma, rb.model_id AS mb,
            (SELECT COUNT(DISTINCT v.rater) FROM vote v WHERE v.battle_id = b.id AND v.source = 'human'
               AND {status_sql("v", View.SAID)}) AS nh,
            (SELECT COUNT(*) FROM assignment a WHERE a.battle_id = b.id AND {OPEN}) AS nopen
          FROM recent
          JOIN battle b ON b.id = recent.battle_id
          JOIN question q ON q.id = b.question_id
          JOIN response ra ON ra.id = b.response_a_id
          JOIN response rb ON rb.id = b.response_b_id
          WHERE NOT EXISTS (SELECT 1 FROM gold_label g WHERE g.battle_id = b.id)
          {dim_sql}{rel_sql}{not_seen_by()}
        ) c
        WHERE c.nh + c.nopen < :k
        ORDER BY c.nh + c.nopen DESC, c.battle_id
        LIMIT :lim
    """
    stmt = text(sql).bindparams(NOW)
    if dimensions:
        stmt = stmt.bindparams(bindparam("dims", expanding=True))
    params.update(u=username, k=k, lim=limit, win=window, now=now)
    if release_id is not None:
        params["rel"] = release_id
    rows = session.execute(stmt, params).all()
    return [Candidate(int(r[0]), str(r[1]), int(r[2]), int(r[3]), int(r[4]), int(r[5])) for r in rows]


def random_unseen_pair(
    *,
    session: Session,
    username: str,
    rng_values: Sequence[int],
    dimensions: Sequence[str] | None = None,
    release_id: int | None = None,
) -> tuple[int, int, int] | None:
    """A random (question, response, response) of rated models this person has never been shown.

    ``rng_values`` are random integers, one per attempt (the caller owns the RNG). Each attempt
    costs a few indexed lookups, whatever the size of the bank.
    """
    dim_sql, params = in_clause("dims", dimensions)
    rel_sql = " AND q.release_id = :rel" if release_id is not None else ""
    stmt = text(f"SELECT q.id FROM question q WHERE q.retired = :f{dim_sql}{rel_sql} ORDER BY q.id")
    if dimensions:
        stmt = stmt.bindparams(bindparam("dims", expanding=True))
    params["f"] = False
    if release_id is not None:
        params["rel"] = release_id
    question_ids = [int(r[0]) for r in session.execute(stmt, params).all()]
    if not question_ids:
        return None
    for value in rng_values:
        qid = question_ids[value % len(question_ids)]
        responses = [
            int(r[0])
            for r in session.execute(
                text(
                    "SELECT r.id FROM response r JOIN arena_model m ON m.id = r.model_id"
                    " WHERE r.question_id = :q AND m.reference = :f ORDER BY r.id"
                ),
                {"q": qid, "f": False},
            ).all()
        ]
        if len(responses) < 2:
            continue
        i = (value // len(question_ids)) % len(responses)
        j = (value // (len(question_ids) * len(responses))) % (len(responses) - 1)
        low, high = sorted((responses[i], [r for r in responses if r != responses[i]][j]))
        seen = session.execute(
            text(
                "SELECT 1 FROM battle b WHERE b.question_id = :q AND b.response_a_id = :a AND b.response_b_id = :b"
                " AND (EXISTS (SELECT 1 FROM assignment s WHERE s.battle_id = b.id AND s.username = :u)"
                "  OR EXISTS (SELECT 1 FROM vote w WHERE w.battle_id = b.id AND w.rater = :u)"
                "  OR EXISTS (SELECT 1 FROM gold_label g WHERE g.battle_id = b.id))"
            ),
            {"q": qid, "a": low, "b": high, "u": username},
        ).first()
        if seen is None:
            return qid, low, high
    # every random probe hit a pair already seen (a person near the end of a small bank): look
    # through the whole slice, so "nothing left" is said only when nothing is left
    return _any_unseen_pair(session, username, rng_values[0] if rng_values else 0, dimensions, release_id)


_UNSEEN_PAIRS = (
    "SELECT r1.question_id, r1.id, r2.id FROM response r1"
    " JOIN response r2 ON r2.question_id = r1.question_id AND r2.id > r1.id"
    " JOIN arena_model m1 ON m1.id = r1.model_id JOIN arena_model m2 ON m2.id = r2.model_id"
    " JOIN question q ON q.id = r1.question_id"
    " WHERE q.retired = :f AND m1.reference = :f AND m2.reference = :f{dims}{rel}"
    " AND NOT EXISTS (SELECT 1 FROM battle b WHERE b.question_id = r1.question_id"
    "  AND b.response_a_id = r1.id AND b.response_b_id = r2.id"
    "  AND (EXISTS (SELECT 1 FROM assignment s WHERE s.battle_id = b.id AND s.username = :u)"
    "   OR EXISTS (SELECT 1 FROM vote w WHERE w.battle_id = b.id AND w.rater = :u)"
    "   OR EXISTS (SELECT 1 FROM gold_label g WHERE g.battle_id = b.id)))"
    " ORDER BY r1.question_id, r1.id, r2.id LIMIT 64"
)


def _any_unseen_pair(
    session: Session,
    username: str,
    pick: int,
    dimensions: Sequence[str] | None,
    release_id: int | None,
) -> tuple[int, int, int] | None:
    """One of the first unseen pairs of the slice (``pick`` chooses among up to 64), or None."""
    dim_sql, params = in_clause("dims", dimensions)
    rel_sql = " AND q.release_id = :rel" if release_id is not None else ""
    stmt = text(_UNSEEN_PAIRS.format(dims=dim_sql, rel=rel_sql))
    if dimensions:
        stmt = stmt.bindparams(bindparam("dims", expanding=True))
    params.update({"f": False, "u": username})
    if release_id is not None:
        params["rel"] = release_id
    rows = session.execute(stmt, params).all()
    if not rows:
        return None
    q, low, high = rows[pick % len(rows)]
    return int(q), int(low), int(high)


def pair_outcome_counts(
    *, session: Session, sources: Sequence[str] | None = None
) -> list[tuple[str, str, Verdict, int]]:
    """Votes aggregated by (model A key, model B key, verdict), leaving out reference models."""
    src_sql = " AND v.source IN :src" if sources else ""
    stmt = text(
        "SELECT ma.key, mb.key, v.verdict, COUNT(*) FROM vote v"
        " JOIN arena_model ma ON ma.id = v.model_a_id JOIN arena_model mb ON mb.id = v.model_b_id"
        f" WHERE ma.reference = :f AND mb.reference = :f AND {status_sql('v', View.RATED)}{src_sql}"
        " GROUP BY ma.key, mb.key, v.verdict"
    )
    params: dict[str, Any] = {"f": False}
    if sources:
        stmt = stmt.bindparams(bindparam("src", expanding=True))
        params["src"] = list(sources)
    return [(str(a), str(b), Verdict(v), int(n)) for a, b, v, n in session.execute(stmt, params).all()]


def unseen_battle_for_models(
    *,
    session: Session,
    username: str,
    model_ids: tuple[int, int],
    rng_pick: int,
    dimensions: Sequence[str] | None = None,
    release_id: int | None = None,
) -> tuple[int, int, int] | None:
    """A (question id, response id, response id) where both models answered and this person has
    not been shown that pair on that question; ``rng_pick`` picks among the candidates."""
    dim_sql, params = in_clause("dims", dimensions)
    rel_sql = " AND q.release_id = :rel" if release_id is not None else ""
    stmt = text(
        "SELECT q.id, ra.id, rb.id FROM question q"
        " JOIN response ra ON ra.question_id = q.id AND ra.model_id = :ma"
        " JOIN response rb ON rb.question_id = q.id AND rb.model_id = :mb"
        f" WHERE 1 = 1{dim_sql}{rel_sql}"
        " AND NOT EXISTS (SELECT 1 FROM battle b JOIN assignment s ON s.battle_id = b.id"
        "   WHERE b.question_id = q.id AND s.username = :u"
        "   AND ((b.response_a_id = ra.id AND b.response_b_id = rb.id) OR (b.response_a_id = rb.id AND b.response_b_id = ra.id)))"
        " AND NOT EXISTS (SELECT 1 FROM vote w WHERE w.question_id = q.id AND w.rater = :u"
        "   AND ((w.model_a_id = :ma AND w.model_b_id = :mb) OR (w.model_a_id = :mb AND w.model_b_id = :ma)))"
        " ORDER BY q.id"
    )
    if dimensions:
        stmt = stmt.bindparams(bindparam("dims", expanding=True))
    params.update(ma=model_ids[0], mb=model_ids[1], u=username)
    if release_id is not None:
        params["rel"] = release_id
    rows = session.execute(stmt, params).all()
    if not rows:
        return None
    q, a, b = rows[rng_pick % len(rows)]
    return int(q), int(a), int(b)

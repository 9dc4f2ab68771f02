"""Queries behind the human workflow: assignments, gold labels, flags, adjudication, settings."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, TextClause, bindparam, text
from sqlmodel import Session, col, select

from judging.ledger import EntryKind, Status
from judging.spot_check import Selection, selection_of
from judging.types import Source, Verdict
from storage.ledger import View, status_sql
from storage.models import (
    AppSetting,
    Assignment,
    AuditLog,
    Flag,
    GoldLabel,
    Guideline,
    GuidelineRead,
    Release,
    Skip,
    utcnow,
)

__all__ = [
    "AdjudicationRow",
    "AuditEntry",
    "Candidate",
    "GoldScore",
    "GuidelineVersion",
    "Ruling",
    "SpotCheckRow",
    "UserProgress",
    "VoteDetail",
    "add_assignment",
    "add_flag",
    "add_guideline_read",
    "add_guideline_version",
    "add_skip",
    "battle_votes",
    "battles_in_release",
    "battles_still_needed",
    "expert_involvement",
    "flagged_battles",
    "get_setting",
    "gold_candidates",
    "gold_labels",
    "gold_scores",
    "guideline_reads",
    "guideline_versions",
    "has_voted",
    "human_judge_rows",
    "human_vote_selections",
    "human_votes",
    "is_gold_battle",
    "open_assignment",
    "overlap_candidates",
    "pair_outcome_counts",
    "random_unseen_pair",
    "recent_audit",
    "renew_lease",
    "retracted_votes",
    "set_gold",
    "set_setting",
    "skips",
    "spot_check_eligible",
    "spot_check_rows",
    "standing_ruling",
    "standing_rulings",
    "stratum_human_counts",
    "unseen_battle_for_models",
    "user_progress",
]

# An assignment is open while its lease runs (``expires_at`` after :now), the person has not
# skipped it, and they have no vote on the battle that they have not undone. An undo reopens it.
_OPEN = (
    "a.expires_at > :now"
    " AND NOT EXISTS (SELECT 1 FROM skip k0 WHERE k0.username = a.username AND k0.battle_id = a.battle_id)"
    " AND NOT EXISTS (SELECT 1 FROM vote v0 WHERE v0.battle_id = a.battle_id AND v0.rater = a.username"
    "   AND v0.kind = 'vote' AND NOT EXISTS (SELECT 1 FROM vote_status s0 WHERE s0.vote_id = v0.id"
    "   AND s0.status = 'retracted'))"
)
_NOW = bindparam("now", type_=DateTime())


def _with_now(statement: TextClause, now: datetime) -> tuple[TextClause, dict[str, Any]]:
    return statement.bindparams(_NOW), {"now": now}


@dataclass(frozen=True)
class Candidate:
    battle_id: int
    dimension: str
    model_a_id: int
    model_b_id: int
    human_raters: int
    open_assignments: int


@dataclass(frozen=True)
class SpotCheckRow:
    battle_id: int
    dimension: str
    model_a_id: int
    model_b_id: int
    judge_verdicts: tuple[Verdict, ...]
    human_verdicts: tuple[Verdict, ...]


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
class GoldScore:
    correct: int
    total: int

    @property
    def accuracy(self) -> float | None:
        return self.correct / self.total if self.total else None


@dataclass(frozen=True)
class UserProgress:
    votes: int
    last_vote_at: datetime | None
    open_assignments: int


@dataclass(frozen=True)
class AuditEntry:
    at: datetime
    actor: str
    action: str
    detail: dict[str, Any]


@dataclass(frozen=True)
class AdjudicationRow:
    battle_id: int
    dimension: str
    verdicts: tuple[tuple[Source, Verdict], ...]


def _in_clause(name: str, values: Sequence[str] | None) -> tuple[str, dict[str, Any]]:
    if not values:
        return "", {}
    return f" AND q.dimension IN :{name}", {name: list(values)}


def open_assignment(*, session: Session, username: str, now: datetime) -> Assignment | None:
    """The person's oldest open assignment (resume after logout/login, or re-vote after undo)."""
    stmt, params = _with_now(
        text(f"SELECT a.id FROM assignment a WHERE a.username = :u AND {_OPEN} ORDER BY a.id LIMIT 1"), now
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


def _not_seen_by(user_param: str = "u") -> str:
    return (
        f" AND NOT EXISTS (SELECT 1 FROM assignment s WHERE s.battle_id = b.id AND s.username = :{user_param})"
        f" AND NOT EXISTS (SELECT 1 FROM vote w WHERE w.battle_id = b.id AND w.rater = :{user_param})"
    )


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
    dim_sql, params = _in_clause("dims", dimensions)
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
            (SELECT COUNT(*) FROM assignment a WHERE a.battle_id = b.id AND {_OPEN}) AS nopen
          FROM recent
          JOIN battle b ON b.id = recent.battle_id
          JOIN question q ON q.id = b.question_id
          JOIN response ra ON ra.id = b.response_a_id
          JOIN response rb ON rb.id = b.response_b_id
          WHERE NOT EXISTS (SELECT 1 FROM gold_label g WHERE g.battle_id = b.id)
          {dim_sql}{rel_sql}{_not_seen_by()}
        ) c
        WHERE c.nh + c.nopen < :k
        ORDER BY c.nh + c.nopen DESC, c.battle_id
        LIMIT :lim
    """
    stmt = text(sql).bindparams(_NOW)
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
    dim_sql, params = _in_clause("dims", dimensions)
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
    return None


def gold_candidates(*, session: Session, username: str, dimensions: Sequence[str] | None = None) -> list[int]:
    """Gold battles this person has never been shown."""
    dim_sql, params = _in_clause("dims", dimensions)
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


def _verdict_lists(session: Session, battle_ids: Sequence[int]) -> dict[int, dict[str, list[Verdict]]]:
    out: dict[int, dict[str, list[Verdict]]] = {}
    if not battle_ids:
        return out
    stmt = text(
        f"SELECT v.battle_id, v.source, v.verdict FROM vote v WHERE v.battle_id IN :ids"
        f" AND {status_sql('v', View.SAID)} ORDER BY v.id"
    ).bindparams(bindparam("ids", expanding=True))
    for chunk_start in range(0, len(battle_ids), 900):
        chunk = list(battle_ids[chunk_start : chunk_start + 900])
        for bid, source, verdict in session.execute(stmt, {"ids": chunk}).all():
            out.setdefault(int(bid), {}).setdefault(str(source), []).append(Verdict(verdict))
    return out


def _spot_check_pool(username: str, dimensions: Sequence[str] | None) -> tuple[str, dict[str, Any]]:
    """The WHERE clause (on ``battle b`` joined to ``question q``) of the judge-voted battles
    this person has never been shown: every spot-check draw picks from these."""
    dim_sql, params = _in_clause("dims", dimensions)
    params["u"] = username
    where = (
        " WHERE EXISTS (SELECT 1 FROM vote j WHERE j.battle_id = b.id AND j.source = 'judge')"
        f"{dim_sql}{_not_seen_by()}"
    )
    return where, params


def spot_check_rows(
    *, session: Session, username: str, dimensions: Sequence[str] | None = None, limit: int = 5000
) -> list[SpotCheckRow]:
    """Judge-voted battles this person has never been shown, with every judge and human verdict:
    the first ``limit`` by id, the candidates of a targeted spot check."""
    where, params = _spot_check_pool(username, dimensions)
    stmt = text(
        "SELECT b.id, q.dimension, ra.model_id, rb.model_id FROM battle b"
        " JOIN question q ON q.id = b.question_id"
        " JOIN response ra ON ra.id = b.response_a_id JOIN response rb ON rb.id = b.response_b_id"
        f"{where} ORDER BY b.id LIMIT :lim"
    )
    if dimensions:
        stmt = stmt.bindparams(bindparam("dims", expanding=True))
    params["lim"] = limit
    rows = session.execute(stmt, params).all()
    verdicts = _verdict_lists(session, [int(r[0]) for r in rows])
    return [
        SpotCheckRow(
            int(r[0]),
            str(r[1]),
            int(r[2]),
            int(r[3]),
            tuple(verdicts.get(int(r[0]), {}).get("judge", [])),
            tuple(verdicts.get(int(r[0]), {}).get("human", [])),
        )
        for r in rows
    ]


def spot_check_eligible(
    *, session: Session, username: str, dimensions: Sequence[str] | None = None
) -> list[int]:
    """The ids of *every* judge-voted battle this person has never been shown, in id order: what
    a uniform calibration draw picks from (uncapped: a capped list would favour old battles)."""
    where, params = _spot_check_pool(username, dimensions)
    stmt = text(f"SELECT b.id FROM battle b JOIN question q ON q.id = b.question_id{where} ORDER BY b.id")
    if dimensions:
        stmt = stmt.bindparams(bindparam("dims", expanding=True))
    return [int(r[0]) for r in session.execute(stmt, params).all()]


def human_judge_rows(
    *, session: Session, dimensions: Sequence[str] | None = None, limit: int = 5000
) -> list[AdjudicationRow]:
    """Battles with at least one human vote and no expert ruling yet, with what every rater said."""
    dim_sql, params = _in_clause("dims", dimensions)
    stmt = text(
        "SELECT b.id, q.dimension FROM battle b JOIN question q ON q.id = b.question_id"
        f" WHERE EXISTS (SELECT 1 FROM vote h WHERE h.battle_id = b.id AND h.source = 'human'"
        f"   AND {status_sql('h', View.SAID)})"
        f" AND NOT EXISTS (SELECT 1 FROM vote e WHERE e.battle_id = b.id AND e.source = 'expert'"
        f"   AND {status_sql('e', View.RATED)})"
        f"{dim_sql} ORDER BY b.id LIMIT :lim"
    )
    if dimensions:
        stmt = stmt.bindparams(bindparam("dims", expanding=True))
    params["lim"] = limit
    rows = session.execute(stmt, params).all()
    verdicts = _verdict_lists(session, [int(r[0]) for r in rows])
    out = []
    for bid, dim in rows:
        pairs = [(Source(s), v) for s, vs in verdicts.get(int(bid), {}).items() for v in vs]
        out.append(AdjudicationRow(int(bid), str(dim), tuple(pairs)))
    return out


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


def set_gold(*, session: Session, battle_id: int, verdict: Verdict, created_by: str, note: str = "") -> None:
    existing = session.get(GoldLabel, battle_id)
    if existing is None:
        session.add(GoldLabel(battle_id=battle_id, verdict=verdict.value, created_by=created_by, note=note))
    else:
        existing.verdict = verdict.value
        existing.created_by = created_by
        existing.note = note
        session.add(existing)


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


def user_progress(*, session: Session, now: datetime) -> dict[str, UserProgress]:
    """Per person: the votes they stand by (``View.SAID``), their last vote, open assignments."""
    votes = session.execute(
        text(
            "SELECT v.rater, COUNT(*), MAX(v.created_at) FROM vote v"
            f" WHERE {status_sql('v', View.SAID)} OR {status_sql('v', View.GOLD)} GROUP BY v.rater"
        )
    ).all()
    stmt, params = _with_now(
        text(f"SELECT a.username, COUNT(*) FROM assignment a WHERE {_OPEN} GROUP BY a.username"), now
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


def get_setting(*, session: Session, key: str) -> Any | None:
    row = session.get(AppSetting, key)
    return json.loads(row.value) if row is not None else None


def set_setting(*, session: Session, key: str, value: Any, updated_by: str) -> None:
    row = session.get(AppSetting, key)
    encoded = json.dumps(value, ensure_ascii=False)
    if row is None:
        session.add(AppSetting(key=key, value=encoded, updated_by=updated_by))
    else:
        row.value = encoded
        row.updated_by = updated_by
        row.updated_at = utcnow()
        session.add(row)


def recent_audit(*, session: Session, limit: int = 200) -> list[AuditEntry]:
    rows = session.exec(select(AuditLog).order_by(col(AuditLog.id).desc()).limit(limit)).all()
    return [AuditEntry(r.at, r.actor, r.action, json.loads(r.detail)) for r in rows]


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


def stratum_human_counts(*, session: Session) -> dict[tuple[str, int, int], int]:
    """Human votes on judge-voted battles per (dimension, model pair) — the spot-check strata."""
    rows = session.execute(
        text(
            "SELECT v.dimension, v.model_a_id, v.model_b_id, COUNT(*) FROM vote v"
            f" WHERE v.source = 'human' AND {status_sql('v', View.SAID)}"
            " AND EXISTS (SELECT 1 FROM vote j WHERE j.battle_id = v.battle_id AND j.source = 'judge')"
            " GROUP BY v.dimension, v.model_a_id, v.model_b_id"
        )
    ).all()
    out: dict[tuple[str, int, int], int] = {}
    for dim, a, b, n in rows:
        low, high = sorted((int(a), int(b)))
        key = (str(dim), low, high)
        out[key] = out.get(key, 0) + int(n)
    return out


def human_vote_selections(*, session: Session, up_to_vote_id: int) -> dict[int, Selection]:
    """How the battle of each human vote (id up to ``up_to_vote_id``) was chosen, read from the
    assignment the vote answered (one per person and battle); a vote without one is unrecorded."""
    rows = session.execute(
        text(
            "SELECT v.id, a.policy, a.gold FROM vote v"
            " LEFT JOIN assignment a ON a.username = v.rater AND a.battle_id = v.battle_id"
            " WHERE v.source = 'human' AND v.id <= :last"
        ),
        {"last": up_to_vote_id},
    ).all()
    return {
        int(vid): selection_of(None if policy is None else str(policy), gold=bool(gold))
        for vid, policy, gold in rows
    }


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
    dim_sql, params = _in_clause("dims", dimensions)
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


def is_gold_battle(*, session: Session, battle_id: int) -> bool:
    return session.get(GoldLabel, battle_id) is not None


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


# --- Campaigns and progress (pipeline/campaigns.py, pipeline/progress.py) ----------------------


def battles_in_release(*, session: Session, battle_ids: Sequence[int], release_id: int) -> set[int]:
    """The battles among ``battle_ids`` whose question belongs to the release."""
    stmt = text(
        "SELECT b.id FROM battle b JOIN question q ON q.id = b.question_id"
        " WHERE b.id IN :ids AND q.release_id = :rel"
    ).bindparams(bindparam("ids", expanding=True))
    out: set[int] = set()
    for start in range(0, len(battle_ids), 900):
        chunk = list(battle_ids[start : start + 900])
        out.update(int(r[0]) for r in session.execute(stmt, {"ids": chunk, "rel": release_id}).all())
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
        f"   AND NOT ({_OPEN}))"
        "  OR (SELECT COUNT(DISTINCT v.rater) FROM vote v WHERE v.battle_id = b.id AND v.source = 'human'"
        f"   AND {status_sql('v', View.SAID)}) >= :k)"
    ).bindparams(_NOW)
    params["now"] = now
    if dimensions is not None:
        pairs = pairs.bindparams(bindparam("dims", expanding=True))
        taken = taken.bindparams(bindparam("dims", expanding=True))
    total = int(session.execute(pairs, params).scalar() or 0)
    return max(0, total - int(session.execute(taken, params).scalar() or 0))


# --- Annotation guidelines (pipeline/guidelines.py) --------------------------------------------


@dataclass(frozen=True)
class GuidelineVersion:
    id: int
    release_id: int | None  # None: every release without its own version
    release_tag: str | None
    text_zh: str
    text_en: str
    note: str
    created_by: str
    created_at: datetime


def guideline_versions(*, session: Session) -> list[GuidelineVersion]:
    """Every stored version of the guidelines, oldest first (a small table: one row per edit)."""
    rows = session.exec(
        select(Guideline, Release.tag)
        .join(Release, col(Release.id) == col(Guideline.release_id), isouter=True)
        .order_by(col(Guideline.id))
    ).all()
    return [
        GuidelineVersion(
            int(g.id or 0), g.release_id, tag, g.text_zh, g.text_en, g.note, g.created_by, g.created_at
        )
        for g, tag in rows
    ]


def add_guideline_version(
    *, session: Session, release_id: int | None, text_zh: str, text_en: str, note: str, created_by: str
) -> int:
    """Store a new version of the guidelines; returns its id."""
    row = Guideline(release_id=release_id, text_zh=text_zh, text_en=text_en, note=note, created_by=created_by)
    session.add(row)
    session.flush()
    assert row.id is not None
    return row.id


def add_guideline_read(*, session: Session, username: str, guideline_id: int | None) -> None:
    """Record that the person confirmed reading a version (None: the built-in text)."""
    session.add(GuidelineRead(username=username, guideline_id=guideline_id))


def guideline_reads(*, session: Session, username: str) -> set[int | None]:
    """The versions the person confirmed reading (None stands for the built-in text)."""
    rows = session.exec(select(GuidelineRead.guideline_id).where(GuidelineRead.username == username)).all()
    return {None if r is None else int(r) for r in rows}


def has_voted(*, session: Session, username: str) -> bool:
    """Whether the person ever cast a vote on the vote page (undone or not)."""
    row = session.execute(
        text("SELECT 1 FROM vote WHERE rater = :u AND source = 'human' LIMIT 1"), {"u": username}
    ).first()
    return row is not None

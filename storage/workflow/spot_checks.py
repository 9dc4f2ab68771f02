"""Spot checks of the judges: judge-voted battles with their human verdicts, who may still see
them, and the strata and selections the spot-check statistics weigh by."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import bindparam, text
from sqlmodel import Session

from judging.spot_check import Selection, SpotCheckCandidate, Stratum, selection_of
from judging.types import Source, Verdict
from storage.votes.ledger import View, status_sql
from storage.workflow._sql import in_clause, not_seen_by
from storage.workflow.adjudication import AdjudicationRow

__all__ = [
    "human_judge_rows",
    "human_vote_selections",
    "spot_check_eligible",
    "spot_check_rows",
    "stratum_human_counts",
]


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


def _spot_check_pool(
    username: str, dimensions: Sequence[str] | None, release_id: int | None
) -> tuple[str, dict[str, Any]]:
    """The WHERE clause (on ``battle b`` joined to ``question q``) of the judge-voted battles
    this person has never been shown, in ``release_id`` if given: every spot-check draw picks
    from these."""
    dim_sql, params = in_clause("dims", dimensions)
    params["u"] = username
    release_sql = ""
    if release_id is not None:
        release_sql, params["rel"] = " AND q.release_id = :rel", release_id
    where = (
        " WHERE EXISTS (SELECT 1 FROM vote j WHERE j.battle_id = b.id AND j.source = 'judge')"
        f"{dim_sql}{release_sql}{not_seen_by()}"
    )
    return where, params


def spot_check_rows(
    *,
    session: Session,
    username: str,
    dimensions: Sequence[str] | None = None,
    release_id: int | None = None,
    limit: int = 5000,
) -> list[SpotCheckCandidate]:
    """Judge-voted battles this person has never been shown (in ``release_id`` if given), with
    every judge and human verdict: the first ``limit`` by id, the candidates of a targeted spot
    check (``judging.spot_check``). The release filter is applied before the limit, so a
    campaign on a newer release is not starved by older battles."""
    where, params = _spot_check_pool(username, dimensions, release_id)
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
        SpotCheckCandidate(
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
    *,
    session: Session,
    username: str,
    dimensions: Sequence[str] | None = None,
    release_id: int | None = None,
) -> list[int]:
    """The ids of *every* judge-voted battle this person has never been shown (in ``release_id``
    if given), in id order: what a uniform calibration draw picks from (uncapped: a capped list
    would favour old battles)."""
    where, params = _spot_check_pool(username, dimensions, release_id)
    stmt = text(f"SELECT b.id FROM battle b JOIN question q ON q.id = b.question_id{where} ORDER BY b.id")
    if dimensions:
        stmt = stmt.bindparams(bindparam("dims", expanding=True))
    return [int(r[0]) for r in session.execute(stmt, params).all()]


def human_judge_rows(
    *, session: Session, dimensions: Sequence[str] | None = None, limit: int = 5000
) -> list[AdjudicationRow]:
    """Battles with at least one human vote and no expert ruling yet, with what every rater said."""
    dim_sql, params = in_clause("dims", dimensions)
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


def stratum_human_counts(*, session: Session) -> dict[Stratum, int]:
    """Human votes on judge-voted battles per (dimension, model pair) — the spot-check strata."""
    rows = session.execute(
        text(
            "SELECT v.dimension, v.model_a_id, v.model_b_id, COUNT(*) FROM vote v"
            f" WHERE v.source = 'human' AND {status_sql('v', View.SAID)}"
            " AND EXISTS (SELECT 1 FROM vote j WHERE j.battle_id = v.battle_id AND j.source = 'judge')"
            " GROUP BY v.dimension, v.model_a_id, v.model_b_id"
        )
    ).all()
    out: dict[Stratum, int] = {}
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

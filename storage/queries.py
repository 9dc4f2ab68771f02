"""Read and write queries over the arena tables. Every function takes ``*, session``."""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from judging.ledger import EntryKind, Status
from judging.types import Source, Verdict
from storage.ledger import View, restate_battles, status_clause
from storage.models import ArenaModel, AuditLog, Battle, Question, Release, Response, Vote, utcnow
from storage.questions import releases

__all__ = [
    "BattleFacts",
    "BattleView",
    "DbStats",
    "ModelInfo",
    "VoteRecord",
    "VoteRow",
    "audit",
    "battle_facts",
    "battle_view",
    "count_stats",
    "dimensions_of_votes",
    "get_or_create_battle",
    "is_empty",
    "latest_vote_id",
    "list_models",
    "list_releases",
    "pick_battle_for",
    "record_vote",
    "vote_codes_after",
    "votes_after",
    "votes_by_rater",
]


@dataclass(frozen=True)
class DbStats:
    releases: int
    questions: int
    questions_by_dimension: dict[str, int]
    models: int
    responses: int
    votes: int  # rows of the vote ledger (every vote, undo and ruling)
    standing_votes: int  # the votes that count for ratings (``View.RATED``)


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


@dataclass(frozen=True)
class VoteRecord:
    vote_id: int
    created: bool  # False when the idempotency key had already been used


@dataclass(frozen=True, slots=True)
class VoteRow:
    """A vote as the rating views read it."""

    id: int
    model_a_id: int
    model_b_id: int
    verdict: Verdict
    dimension: str
    source: Source
    release_id: int


def is_empty(*, session: Session) -> bool:
    return session.exec(select(func.count()).select_from(Release)).one() == 0


def count_stats(*, session: Session) -> DbStats:
    def count(table: type) -> int:
        return int(session.exec(select(func.count()).select_from(table)).one())

    by_dim = session.exec(select(Question.dimension, func.count()).group_by(Question.dimension)).all()
    return DbStats(
        releases=len(releases(session=session)),  # gold items are not a release
        questions=count(Question),
        questions_by_dimension={dim: int(n) for dim, n in sorted(by_dim)},
        models=count(ArenaModel),
        responses=count(Response),
        votes=count(Vote),
        standing_votes=int(
            session.exec(
                select(func.count()).select_from(Vote).where(status_clause(col(Vote.id), View.RATED))
            ).one()
        ),
    )


def list_models(*, session: Session) -> list[ModelInfo]:
    rows = session.exec(select(ArenaModel).order_by(col(ArenaModel.id))).all()
    return [ModelInfo(m.id or 0, m.key, m.display_name, m.organisation, m.reference) for m in rows]


def list_releases(*, session: Session) -> list[Release]:
    """Every release, oldest first; never the gold items (``storage.questions.releases``)."""
    return releases(session=session)


def latest_vote_id(*, session: Session) -> int:
    newest = session.exec(select(func.max(col(Vote.id)))).one()
    return int(newest or 0)


def votes_after(*, session: Session, after_id: int, limit: int = 50_000) -> list[VoteRow]:
    """The votes that count (``View.RATED``) with an id above ``after_id``, in id order."""
    rows = session.execute(
        sa_select(  # type: ignore[call-overload]
            col(Vote.id),
            Vote.model_a_id,
            Vote.model_b_id,
            Vote.verdict,
            Vote.dimension,
            Vote.source,
            Vote.release_id,
        )
        .where(col(Vote.id) > after_id, status_clause(col(Vote.id), View.RATED))
        .order_by(col(Vote.id))
        .limit(limit)
    ).all()
    return [VoteRow(int(i), int(a), int(b), Verdict(v), d, Source(s), int(r)) for i, a, b, v, d, s, r in rows]


def votes_by_rater(*, session: Session, rater: str) -> int:
    return int(session.exec(select(func.count()).select_from(Vote).where(Vote.rater == rater)).one())


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
    )


def pick_battle_for(
    *,
    session: Session,
    rater: str,
    rng: random.Random,
    dimensions: Sequence[str] | None = None,
    release_id: int | None = None,
    attempts: int = 50,
) -> Battle | None:
    """A random battle (question + two responses) the rater has not voted on yet.

    Chooses a random question, then a random pair of its responses; gives up after ``attempts``
    draws that all hit battles the rater has already judged.
    """
    q = select(Question.id)
    if release_id is not None:
        q = q.where(Question.release_id == release_id)
    if dimensions:
        q = q.where(col(Question.dimension).in_(list(dimensions)))
    question_ids = [int(i) for i in session.exec(q).all() if i is not None]
    if not question_ids:
        return None
    for _ in range(attempts):
        qid = rng.choice(question_ids)
        responses = list(session.exec(select(Response.id).where(Response.question_id == qid)).all())
        if len(responses) < 2:
            continue
        pair = rng.sample(responses, 2)
        low, high = sorted(int(r) for r in pair if r is not None)
        voted = session.exec(
            select(Vote.id)
            .join(Battle, col(Battle.id) == col(Vote.battle_id))
            .where(
                Vote.rater == rater,
                Battle.question_id == qid,
                Battle.response_a_id == low,
                Battle.response_b_id == high,
            )
        ).first()
        if voted is None:
            return get_or_create_battle(session=session, question_id=qid, response_ids=(low, high))
    return None


@dataclass(frozen=True, slots=True)
class BattleFacts:
    """The facts a vote copies from its battle. Battles never change, so they can be read
    before the write transaction and keep that transaction (and SQLite's write lock) short."""

    battle_id: int
    response_a_id: int
    response_b_id: int
    model_a_id: int
    model_b_id: int
    question_id: int
    release_id: int
    dimension: str


def battle_facts(*, session: Session, battle_id: int) -> BattleFacts:
    row = session.execute(
        sa_select(  # type: ignore[call-overload]
            col(Battle.id),
            col(Battle.response_a_id),
            col(Battle.response_b_id),
            col(Question.id),
            col(Question.release_id),
            col(Question.dimension),
        )
        .join(Question, col(Question.id) == col(Battle.question_id))
        .where(col(Battle.id) == battle_id)
    ).first()
    if row is None:
        raise LookupError(f"battle_facts: no battle with id {battle_id}")
    models = dict(
        session.execute(
            sa_select(col(Response.id), col(Response.model_id)).where(col(Response.id).in_([row[1], row[2]]))
        ).all()
    )
    return BattleFacts(
        int(row[0]),
        int(row[1]),
        int(row[2]),
        int(models[row[1]]),
        int(models[row[2]]),
        int(row[3]),
        int(row[4]),
        str(row[5]),
    )


def record_vote(
    *,
    session: Session,
    battle_id: int,
    source: Source,
    rater: str,
    verdict: Verdict,
    left_response_id: int,
    idempotency_key: str,
    tags_a: Sequence[str] = (),
    tags_b: Sequence[str] = (),
    rationale: str = "",
    shown_at: datetime | None = None,
    prompt_version: str | None = None,
    supersedes_id: int | None = None,
    kind: EntryKind = EntryKind.VOTE,
    facts: BattleFacts | None = None,
) -> VoteRecord:
    """Append one ledger row (a vote, or with ``kind`` a retraction of ``supersedes_id``) and
    restate the battle's statuses (``storage.ledger``). The same idempotency key stored twice yields one row (a double click
    or a retried request records one vote): one ``INSERT ... ON CONFLICT DO NOTHING``, so a
    concurrent duplicate never fails and never adds a row. Pass ``facts`` (read beforehand)
    to keep the write transaction to that single statement."""
    facts = facts or battle_facts(session=session, battle_id=battle_id)
    if facts.battle_id != battle_id:
        raise ValueError(f"record_vote: facts are for battle {facts.battle_id}, not {battle_id}")
    if left_response_id not in (facts.response_a_id, facts.response_b_id):
        raise ValueError(
            f"record_vote: left_response_id {left_response_id} is not part of battle {battle_id}"
        )
    if supersedes_id is not None:
        _check_supersedes(session, supersedes_id, battle_id=battle_id, rater=rater, source=Source(source))
    values = {
        "battle_id": battle_id,
        "source": Source(source).value,
        "rater": rater,
        "verdict": Verdict(verdict).value,
        "left_response_id": left_response_id,
        "tags_a": json.dumps(list(tags_a), ensure_ascii=False),
        "tags_b": json.dumps(list(tags_b), ensure_ascii=False),
        "rationale": rationale,
        "idempotency_key": idempotency_key,
        "supersedes_id": supersedes_id,
        "kind": EntryKind(kind).value,
        "prompt_version": prompt_version,
        "model_a_id": facts.model_a_id,
        "model_b_id": facts.model_b_id,
        "question_id": facts.question_id,
        "release_id": facts.release_id,
        "dimension": facts.dimension,
        "shown_at": shown_at,
        "created_at": utcnow(),
    }
    dialect = session.get_bind().dialect.name
    insert = sqlite_insert if dialect == "sqlite" else postgresql_insert
    stmt = (
        insert(Vote)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["idempotency_key"])
        .returning(col(Vote.id))
    )
    new_id = session.execute(stmt).scalar()
    if new_id is not None:
        restate_battles(session=session, battle_ids=[battle_id])
        return VoteRecord(int(new_id), created=True)
    existing = session.exec(select(Vote.id).where(Vote.idempotency_key == idempotency_key)).first()
    if existing is None:  # pragma: no cover - the conflict row must exist
        raise LookupError(f"record_vote: idempotency key {idempotency_key!r} conflicted but no vote has it")
    return VoteRecord(int(existing), created=False)


def _check_supersedes(
    session: Session, target_id: int, *, battle_id: int, rater: str, source: Source
) -> None:
    """A correction or retraction names an earlier vote of the same rater on the same battle."""
    target = session.get(Vote, target_id)
    if target is None or target.kind != EntryKind.VOTE.value:
        raise ValueError(f"record_vote: supersedes_id {target_id} is not a vote")
    if target.battle_id != battle_id:
        raise ValueError(
            f"record_vote: supersedes_id {target_id} is a vote on battle {target.battle_id}, not {battle_id}"
        )
    if target.rater != rater or target.source != source.value:
        raise ValueError(
            f"record_vote: supersedes_id {target_id} is {target.rater!r}'s vote; only its rater can replace it"
        )


def audit(*, session: Session, actor: str, action: str, detail: dict[str, object] | None = None) -> None:
    session.add(AuditLog(actor=actor, action=action, detail=json.dumps(detail or {}, ensure_ascii=False)))


# Integer codes for the rating views (see pipeline.vote_log): verdict as twice A's score (the
# score itself is ``Verdict.score_a``), source by position, dimension by position among the five
# (-1: another dimension string), and the ledger status: 1 counts for ratings, 0 does not, -1 the
# row is a retraction (no verdict at all).
VERDICT_CODES = {v.value: round(2 * v.score_a) for v in Verdict}
SOURCE_CODES = ("human", "judge", "expert")
DIMENSION_CODES = ("public_safety", "fairness", "privacy", "truthfulness", "mental_health")


def _case(column: str, codes: dict[str, int], default: int) -> str:
    whens = " ".join(f"WHEN '{value}' THEN {code}" for value, code in codes.items())
    return f"CASE {column} {whens} ELSE {default} END"


def vote_codes_after(*, session: Session, after_id: int, limit: int = 250_000) -> list[tuple[int, ...]]:
    """(id, model A id, model B id, verdict code, dimension code, source code, release id, status
    code, battle id) of the ledger rows after ``after_id``, in id order, as plain integer tuples read straight
    from the driver's cursor: a million votes in about a second."""
    rated = {s: 1 for s in View.RATED.statuses} | {Status.RETRACTION.value: -1}
    sql = (
        "SELECT v.id, v.model_a_id, v.model_b_id, "
        + _case("v.verdict", VERDICT_CODES, -1)
        + ", "
        + _case("v.dimension", {d: k for k, d in enumerate(DIMENSION_CODES)}, -1)
        + ", "
        + _case("v.source", {s: k for k, s in enumerate(SOURCE_CODES)}, -1)
        + ", v.release_id, "
        + _case("s.status", rated, 0)
        + ", v.battle_id FROM vote v LEFT JOIN vote_status s ON s.vote_id = v.id"
        + f" WHERE v.id > {int(after_id)} ORDER BY v.id LIMIT {int(limit)}"
    )
    result = session.connection().exec_driver_sql(sql)
    assert result.cursor is not None
    return list(result.cursor.fetchall())


def dimensions_of_votes(*, session: Session, vote_ids: Sequence[int]) -> dict[int, str]:
    """The dimension strings of the given votes (for dimensions outside the five codes)."""
    out: dict[int, str] = {}
    for start in range(0, len(vote_ids), 900):
        chunk = [int(v) for v in vote_ids[start : start + 900]]
        rows = session.exec(select(Vote.id, Vote.dimension).where(col(Vote.id).in_(chunk))).all()
        out.update({int(i or 0): str(d) for i, d in rows})
    return out

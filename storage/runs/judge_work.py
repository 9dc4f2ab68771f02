"""What a judge run reads and writes in bulk, off the event loop: the release's answers by
question and model, the (question, model pair)s a judge has already seen, the battles it plans
(created in one statement) and their views (one query). Every function takes ``*, session``.

The planner (``pipeline.runs.judge_plan``) loads the answers and the seen pairs once per run and
chooses battles in memory, so choosing a battle costs no query (the per-pair query of
``storage.workflow.assignments.unseen_battle_for_models`` cost 8 s per 2,000 battles)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime

from sqlalchemy import bindparam, text
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session

from storage.db.models import Battle, utcnow
from storage.votes.battles import BattleView, ModelInfo

__all__ = [
    "battle_views",
    "ensure_battles",
    "judge_scope",
    "judge_seen_pairs",
    "lock_scope",
    "release_answers",
    "run_battles",
    "stranded_battles",
]

_CHUNK = 500

SeenPair = tuple[int, int, int]  # question id, smaller model id, larger model id
Planned = tuple[int, int, int]  # question id, response id, response id


def release_answers(*, session: Session, release_id: int) -> dict[int, dict[int, int]]:
    """Question id -> {model id: response id} for every answer to the release's questions
    (one answer per question and model: the table's unique constraint)."""
    rows = session.execute(
        text(
            "SELECT r.question_id, r.model_id, r.id FROM response r JOIN question q ON q.id = r.question_id"
            " WHERE q.release_id = :rel ORDER BY r.question_id, r.id"
        ),
        {"rel": release_id},
    ).all()
    out: dict[int, dict[int, int]] = {}
    for q, model, response in rows:
        out.setdefault(int(q), {})[int(model)] = int(response)
    return out


def judge_seen_pairs(*, session: Session, judge: str, release_id: int) -> set[SeenPair]:
    """(question, model, model) pairs of the release this rater has a vote on (any prompt
    version) or an assignment for: what ``unseen_battle_for_models`` leaves out."""
    voted = session.execute(
        text("SELECT question_id, model_a_id, model_b_id FROM vote WHERE rater = :u AND release_id = :rel"),
        {"u": judge, "rel": release_id},
    ).all()
    assigned = session.execute(
        text(
            "SELECT b.question_id, ra.model_id, rb.model_id FROM assignment s"
            " JOIN battle b ON b.id = s.battle_id JOIN question q ON q.id = b.question_id"
            " JOIN response ra ON ra.id = b.response_a_id JOIN response rb ON rb.id = b.response_b_id"
            " WHERE s.username = :u AND q.release_id = :rel"
        ),
        {"u": judge, "rel": release_id},
    ).all()
    return {(int(q), min(int(a), int(b)), max(int(a), int(b))) for q, a, b in (*voted, *assigned)}


def ensure_battles(*, session: Session, planned: Sequence[Planned]) -> list[int]:
    """The battle ids of these (question, response, response) triples, in order, created in one
    ``INSERT ... ON CONFLICT DO NOTHING`` when missing (a concurrent writer's battle is reused)."""
    wanted = [(q, min(a, b), max(a, b)) for q, a, b in planned]
    if any(a == b for _q, a, b in wanted):
        raise ValueError("ensure_battles: a battle needs two different responses")
    ids = _battle_ids(session, wanted)
    missing = sorted(set(wanted) - ids.keys())
    if missing:
        dialect = session.get_bind().dialect.name
        insert = sqlite_insert if dialect == "sqlite" else postgresql_insert
        now = utcnow()
        rows = [
            {"question_id": q, "response_a_id": a, "response_b_id": b, "created_at": now}
            for q, a, b in missing
        ]
        # executemany of one cached statement (a .values(rows) statement is compiled per call)
        session.execute(insert(Battle.__table__).on_conflict_do_nothing(), rows)  # type: ignore[attr-defined]
        ids.update(_battle_ids(session, missing))
    return [ids[key] for key in wanted]


def _battle_ids(session: Session, wanted: Collection[Planned]) -> dict[Planned, int]:
    stmt = text(
        "SELECT id, question_id, response_a_id, response_b_id FROM battle WHERE question_id IN :qs"
    ).bindparams(bindparam("qs", expanding=True))
    questions = sorted({q for q, _a, _b in wanted})
    keys = set(wanted)
    out: dict[Planned, int] = {}
    for start in range(0, len(questions), _CHUNK):
        for battle_id, q, a, b in session.execute(stmt, {"qs": questions[start : start + _CHUNK]}).all():
            key = (int(q), int(a), int(b))
            if key in keys:
                out[key] = int(battle_id)
    return out


_VIEWS = (
    "SELECT b.id, q.id, q.text, q.dimension, q.sub_dimension, q.sensitive, q.safe_note, q.reference_answer,"
    " ra.id, rb.id, ra.text, rb.text,"
    " ma.id, ma.key, ma.display_name, ma.organisation, ma.reference,"
    " mb.id, mb.key, mb.display_name, mb.organisation, mb.reference"
    " FROM battle b JOIN question q ON q.id = b.question_id"
    " JOIN response ra ON ra.id = b.response_a_id JOIN response rb ON rb.id = b.response_b_id"
    " JOIN arena_model ma ON ma.id = ra.model_id JOIN arena_model mb ON mb.id = rb.model_id"
    " WHERE b.id IN :ids"
)


def battle_views(*, session: Session, battle_ids: Sequence[int]) -> list[BattleView]:
    """``storage.votes.battles.battle_view`` of many battles in one query per 500, in the
    order asked (duplicates once); an unknown id raises ``LookupError``."""
    ids = list(dict.fromkeys(int(b) for b in battle_ids))
    stmt = text(_VIEWS).bindparams(bindparam("ids", expanding=True))
    found: dict[int, BattleView] = {}
    for start in range(0, len(ids), _CHUNK):
        for r in session.execute(stmt, {"ids": ids[start : start + _CHUNK]}).all():
            found[int(r[0])] = BattleView(
                battle_id=int(r[0]),
                question_id=int(r[1]),
                question_text=str(r[2]),
                dimension=str(r[3]),
                sub_dimension=str(r[4]),
                sensitive=bool(r[5]),
                safe_note=str(r[6] or ""),
                reference_answer=None if r[7] is None else str(r[7]),
                response_a_id=int(r[8]),
                response_b_id=int(r[9]),
                text_a=str(r[10]),
                text_b=str(r[11]),
                model_a=ModelInfo(int(r[12]), str(r[13]), str(r[14]), str(r[15]), bool(r[16])),
                model_b=ModelInfo(int(r[17]), str(r[18]), str(r[19]), str(r[20]), bool(r[21])),
            )
    unknown = [b for b in ids if b not in found]
    if unknown:
        raise LookupError(f"battle_views: no battles with ids {unknown[:10]}")
    return [found[b] for b in ids]


# -- the judge's work leases (``storage.runs.leases``): one item per battle, named by its id -----


def judge_scope(judge: str, prompt_version: str, release_id: int) -> str:
    """The lease scope of a judge's battles in a release: ``judge:<judge>:<prompt>:<release id>``."""
    return f"judge:{judge}:{prompt_version}:{release_id}"


def lock_scope(*, session: Session, scope: str) -> None:
    """Serialise the planners of one scope until the transaction ends (PostgreSQL: an advisory
    lock; SQLite's write transaction already begins IMMEDIATE), so a budget counted and then
    claimed in one transaction is never overshot by a concurrent planner."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:s))"), {"s": scope})


def run_battles(
    *, session: Session, scope: str, run_id: int, judge: str, prompt_version: str, release_id: int
) -> int:
    """Battles that count against a judge run's budget: those of the release with a verdict of
    this judge and prompt version, and those leased in this run (planned, whatever came back)."""
    row = session.execute(
        text(
            "SELECT COUNT(*) FROM (SELECT battle_id FROM vote WHERE source = 'judge' AND rater = :j"
            " AND prompt_version = :v AND release_id = :r"
            " UNION SELECT CAST(item AS INTEGER) FROM work_lease WHERE scope = :s AND run_id = :run) counted"
        ),
        {"j": judge, "v": prompt_version, "r": release_id, "s": scope, "run": run_id},
    ).one()
    return int(row[0])


def stranded_battles(*, session: Session, scope: str, run_id: int, now: datetime | None = None) -> list[int]:
    """Battles leased in this run, not done, whose lease has expired or was given back: a worker
    that died (or stopped) left them; whoever is still in the run takes them over."""
    rows = session.execute(
        text(
            "SELECT item FROM work_lease WHERE scope = :s AND run_id = :run AND done_at IS NULL"
            " AND expires_at <= :now ORDER BY id"
        ),
        {"s": scope, "run": run_id, "now": now or utcnow()},
    ).all()
    return [int(r[0]) for r in rows]

"""The vote ledger in the database: the one place that applies ``judging.ledger``'s rule and the
one reader every consumer goes through.

Writers call :func:`restate_battles` in the transaction that adds ledger rows (``record_vote``,
retractions, imports, gold marks): it re-applies the rule to those battles' whole histories and
stores what changed in ``vote_status`` under a new revision. Readers never decide for themselves
which votes count; they filter on the stored status through :func:`status_sql` (raw SQL) or
:func:`status_clause` (SQLAlchemy), naming a :class:`View`:

- ``View.RATED`` — ratings, leaderboards, reports, exports, the CLI;
- ``View.SAID`` — what raters finally said (calibration, annotator agreement, queue overlap);
- ``View.GOLD`` — votes on gold items (gold accuracy);
- ``View.CALIBRATION`` — ``SAID`` and ``GOLD`` together (the calibration page).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import bindparam, text
from sqlalchemy import select as sa_select
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col

from judging.ledger import EntryKind, LedgerEntry, Status, statuses
from judging.types import Source
from storage.db.models import VoteStatus

__all__ = [
    "LedgerMismatch",
    "StatusChange",
    "View",
    "check_ledger",
    "current_revision",
    "restate_battles",
    "status_changes",
    "status_clause",
    "status_sql",
    "statuses_of",
]

_CHUNK = 900


class View(StrEnum):
    RATED = "rated"
    SAID = "said"
    GOLD = "gold"
    CALIBRATION = "calibration"  # what raters said, gold items included (gold accuracy)

    @property
    def statuses(self) -> tuple[str, ...]:
        if self is View.RATED:
            return tuple(s.value for s in Status if s.rated)
        if self is View.SAID:
            return tuple(s.value for s in Status if s.said)
        if self is View.GOLD:
            return (Status.GOLD.value,)
        return View.SAID.statuses + View.GOLD.statuses


def status_sql(vote_alias: str, view: View) -> str:
    """A SQL condition: the row ``vote_alias`` is in ``view`` (for the raw-SQL queries)."""
    listed = ", ".join(f"'{s}'" for s in view.statuses)
    return (
        f"EXISTS (SELECT 1 FROM vote_status vs_{vote_alias} WHERE vs_{vote_alias}.vote_id = {vote_alias}.id"
        f" AND vs_{vote_alias}.status IN ({listed}))"
    )


def status_clause(vote_id: ColumnElement[int] | object, view: View) -> ColumnElement[bool]:
    """The same condition for SQLAlchemy queries, given the vote id column."""
    return (
        sa_select(col(VoteStatus.vote_id))
        .where(col(VoteStatus.vote_id) == vote_id, col(VoteStatus.status).in_(view.statuses))
        .exists()
    )


def _entries(session: Session, battle_ids: Sequence[int]) -> list[LedgerEntry]:
    stmt = text(
        "SELECT id, battle_id, source, rater, kind, supersedes_id FROM vote WHERE battle_id IN :ids"
    ).bindparams(bindparam("ids", expanding=True))
    out = []
    for start in range(0, len(battle_ids), _CHUNK):
        chunk = list(battle_ids[start : start + _CHUNK])
        for i, b, s, r, k, sup in session.execute(stmt, {"ids": chunk}).all():
            out.append(
                LedgerEntry(
                    int(i), int(b), Source(s), str(r), EntryKind(k), None if sup is None else int(sup)
                )
            )
    return out


def _gold_among(session: Session, battle_ids: Sequence[int]) -> set[int]:
    stmt = text("SELECT battle_id FROM gold_label WHERE battle_id IN :ids").bindparams(
        bindparam("ids", expanding=True)
    )
    out: set[int] = set()
    for start in range(0, len(battle_ids), _CHUNK):
        chunk = list(battle_ids[start : start + _CHUNK])
        out.update(int(r[0]) for r in session.execute(stmt, {"ids": chunk}).all())
    return out


def _stored(session: Session, battle_ids: Sequence[int]) -> dict[int, str]:
    stmt = text("SELECT vote_id, status FROM vote_status WHERE battle_id IN :ids").bindparams(
        bindparam("ids", expanding=True)
    )
    out: dict[int, str] = {}
    for start in range(0, len(battle_ids), _CHUNK):
        chunk = list(battle_ids[start : start + _CHUNK])
        out.update({int(v): str(s) for v, s in session.execute(stmt, {"ids": chunk}).all()})
    return out


def _next_revision(session: Session) -> int:
    value = session.execute(
        text("UPDATE ledger_clock SET revision = revision + 1 WHERE id = 1 RETURNING revision")
    ).scalar()
    if value is None:  # a database created before the clock row: start it
        session.execute(text("INSERT INTO ledger_clock (id, revision) VALUES (1, 1)"))
        return 1
    return int(value)


def restate_battles(*, session: Session, battle_ids: Iterable[int]) -> int:
    """Apply the ledger rule to these battles' histories and store the statuses that changed,
    under one new revision. Call it in the transaction that added rows to them. Returns how many
    statuses changed."""
    ids = sorted(set(int(b) for b in battle_ids))
    if not ids:
        return 0
    entries = _entries(session, ids)
    wanted = statuses(entries, _gold_among(session, ids))
    stored = _stored(session, ids)
    changed = {vid: s.value for vid, s in wanted.items() if stored.get(vid) != s.value}
    if not changed:
        return 0
    revision = _next_revision(session)
    battle_of = {e.id: e.battle_id for e in entries}
    inserts = [
        {"v": vid, "b": battle_of[vid], "s": status, "r": revision}
        for vid, status in changed.items()
        if vid not in stored
    ]
    updates = [{"v": vid, "s": status, "r": revision} for vid, status in changed.items() if vid in stored]
    if inserts:
        session.execute(
            text("INSERT INTO vote_status (vote_id, battle_id, status, revision) VALUES (:v, :b, :s, :r)"),
            inserts,
        )
    if updates:
        session.execute(text("UPDATE vote_status SET status = :s, revision = :r WHERE vote_id = :v"), updates)
    return len(changed)


def current_revision(*, session: Session) -> int:
    value = session.execute(text("SELECT revision FROM ledger_clock WHERE id = 1")).scalar()
    return int(value or 0)


@dataclass(frozen=True, slots=True)
class StatusChange:
    vote_id: int
    status: Status
    revision: int


def status_changes(*, session: Session, after_revision: int, up_to_revision: int) -> list[StatusChange]:
    """Statuses written in the revisions (after, up to]: how a reader with a cursor catches up."""
    rows = session.execute(
        text(
            "SELECT vote_id, status, revision FROM vote_status"
            " WHERE revision > :a AND revision <= :b ORDER BY vote_id"
        ),
        {"a": after_revision, "b": up_to_revision},
    ).all()
    return [StatusChange(int(v), Status(s), int(r)) for v, s, r in rows]


def statuses_of(*, session: Session, vote_ids: Collection[int]) -> dict[int, Status]:
    ids = sorted(set(vote_ids))
    out: dict[int, Status] = {}
    stmt = text("SELECT vote_id, status FROM vote_status WHERE vote_id IN :ids").bindparams(
        bindparam("ids", expanding=True)
    )
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        out.update({int(v): Status(s) for v, s in session.execute(stmt, {"ids": chunk}).all()})
    return out


@dataclass(frozen=True)
class LedgerMismatch:
    vote_id: int
    stored: str | None
    expected: str


def check_ledger(*, session: Session) -> list[LedgerMismatch]:
    """Recompute every status from the whole history and list where the stored ones differ
    (empty when the projection is right)."""
    battle_ids = [int(r[0]) for r in session.execute(text("SELECT DISTINCT battle_id FROM vote")).all()]
    expected = statuses(_entries(session, battle_ids), _gold_among(session, battle_ids))
    stored = {
        int(v): str(s) for v, s in session.execute(text("SELECT vote_id, status FROM vote_status")).all()
    }
    problems = [
        LedgerMismatch(vid, stored.get(vid), status.value)
        for vid, status in sorted(expected.items())
        if stored.get(vid) != status.value
    ]
    problems += [LedgerMismatch(vid, s, "") for vid, s in sorted(stored.items()) if vid not in expected]
    return problems

"""The vote ledger's consistency check: the stored statuses against the rule applied afresh."""

from __future__ import annotations

from sqlalchemy.engine import Engine

from storage.db.session import read_session, write_session
from storage.votes.ledger import LedgerMismatch, check_ledger, restate_battles

__all__ = ["LedgerMismatch", "check", "repair"]


def check(engine: Engine) -> list[LedgerMismatch]:
    """Where the stored statuses differ from ``judging.ledger``'s rule over the whole history."""
    with read_session(engine) as session:
        return check_ledger(session=session)


def repair(engine: Engine) -> int:
    """Restate the battles whose statuses differ (e.g. rows written around the ledger by hand);
    returns how many statuses changed."""
    with write_session(engine) as session:
        problems = check_ledger(session=session)
        battles = session.connection().exec_driver_sql("SELECT id, battle_id FROM vote").fetchall()
        battle_of = {int(v): int(b) for v, b in battles}
        return restate_battles(session=session, battle_ids={battle_of[p.vote_id] for p in problems})

"""SQL fragments the workflow queries share: when an assignment is open, the dimension filter,
and "not yet shown to this person"."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, TextClause, bindparam

# An assignment is open while its lease runs (``expires_at`` after :now), the person has not
# skipped it, and they have no vote on the battle that they have not undone. An undo reopens it.
OPEN = (
    "a.expires_at > :now"
    " AND NOT EXISTS (SELECT 1 FROM skip k0 WHERE k0.username = a.username AND k0.battle_id = a.battle_id)"
    " AND NOT EXISTS (SELECT 1 FROM vote v0 WHERE v0.battle_id = a.battle_id AND v0.rater = a.username"
    "   AND v0.kind = 'vote' AND NOT EXISTS (SELECT 1 FROM vote_status s0 WHERE s0.vote_id = v0.id"
    "   AND s0.status = 'retracted'))"
)

NOW = bindparam("now", type_=DateTime())


def with_now(statement: TextClause, now: datetime) -> tuple[TextClause, dict[str, Any]]:
    return statement.bindparams(NOW), {"now": now}


def in_clause(name: str, values: Sequence[str] | None) -> tuple[str, dict[str, Any]]:
    if not values:
        return "", {}
    return f" AND q.dimension IN :{name}", {name: list(values)}


def not_seen_by(user_param: str = "u") -> str:
    return (
        f" AND NOT EXISTS (SELECT 1 FROM assignment s WHERE s.battle_id = b.id AND s.username = :{user_param})"
        f" AND NOT EXISTS (SELECT 1 FROM vote w WHERE w.battle_id = b.id AND w.rater = :{user_param})"
    )

"""User administration with an audit trail: every change records who, what and when."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from judging.dimensions import Dimension
from pipeline.accounts import hash_password
from storage.models import utcnow
from storage.queries import audit
from storage.session import read_session, write_session
from storage.users import UserInfo, add_user, get_user, list_users, set_user_active, update_user
from storage.workflow import AuditEntry, GoldScore, UserProgress, gold_scores, recent_audit, user_progress

__all__ = [
    "UserExistsError",
    "UserRow",
    "all_users",
    "audit_log",
    "create_user",
    "progress_rows",
    "set_active",
    "set_qualifications",
    "set_roles",
]


class UserExistsError(ValueError):
    pass


def create_user(
    engine: Engine,
    *,
    actor: str,
    username: str,
    name: str,
    password: str,
    roles: Sequence[str],
    qualifications: Sequence[str] = (),
) -> UserInfo:
    password_hash = hash_password(password)
    try:
        with write_session(engine) as session:
            if get_user(session=session, username=username.strip()) is not None:
                raise UserExistsError(f"create_user: user {username!r} already exists")
            info = add_user(
                session=session,
                username=username,
                name=name,
                password_hash=password_hash,
                roles=roles,
                qualifications=qualifications,
            )
            audit(
                session=session,
                actor=actor,
                action="user.create",
                detail={"username": info.username, "roles": list(info.roles)},
            )
            return info
    except IntegrityError:
        raise UserExistsError(f"create_user: user {username!r} already exists") from None


def set_active(engine: Engine, *, actor: str, username: str, active: bool) -> bool:
    with write_session(engine) as session:
        changed = set_user_active(session=session, username=username, active=active)
        if changed:
            audit(
                session=session,
                actor=actor,
                action="user.active",
                detail={"username": username, "active": active},
            )
        return changed


def all_users(engine: Engine) -> list[UserInfo]:
    with read_session(engine) as session:
        return list_users(session=session)


def set_roles(engine: Engine, *, actor: str, username: str, roles: Sequence[str]) -> bool:
    with write_session(engine) as session:
        changed = update_user(session=session, username=username, roles=roles)
        if changed:
            audit(
                session=session,
                actor=actor,
                action="user.roles",
                detail={"username": username, "roles": list(roles)},
            )
        return changed


def set_qualifications(engine: Engine, *, actor: str, username: str, dimensions: Sequence[str]) -> bool:
    """Restrict a user to the given dimensions (empty: every dimension)."""
    codes = [Dimension.parse(d).value for d in dimensions]
    with write_session(engine) as session:
        changed = update_user(session=session, username=username, qualifications=codes)
        if changed:
            audit(
                session=session,
                actor=actor,
                action="user.qualifications",
                detail={"username": username, "dimensions": codes},
            )
        return changed


@dataclass(frozen=True)
class UserRow:
    user: UserInfo
    progress: UserProgress
    gold: GoldScore


def progress_rows(engine: Engine) -> list[UserRow]:
    with read_session(engine) as session:
        users = list_users(session=session)
        progress = user_progress(session=session, now=utcnow())
        gold = gold_scores(session=session)
    empty = UserProgress(0, None, 0)
    return [UserRow(u, progress.get(u.username, empty), gold.get(u.username, GoldScore(0, 0))) for u in users]


def audit_log(engine: Engine, *, limit: int = 200) -> list[AuditEntry]:
    with read_session(engine) as session:
        return recent_audit(session=session, limit=limit)

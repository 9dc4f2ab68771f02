"""User administration with an audit trail: every change records who, what and when."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from pipeline.accounts import hash_password
from storage.queries import audit
from storage.session import read_session, write_session
from storage.users import UserInfo, add_user, get_user, list_users, set_user_active

__all__ = ["UserExistsError", "all_users", "create_user", "set_active"]


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

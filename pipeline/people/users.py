"""User administration with an audit trail: every change records who, what and when.

Accounts an admin (or the system, or the command line) creates or resets get a one-time password,
returned once to be shown once, and must change it at their next login.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, func, select

from judging.dimensions import Dimension
from judging.errors import ArenaError
from judging.roles import ALL_ROLES
from pipeline.people.accounts import PasswordProblem, hash_password, one_time_password, password_problems
from storage.db.models import User, utcnow
from storage.db.session import read_session, write_session
from storage.people.audit import AuditEntry, audit, recent_audit
from storage.people.users import (
    UserInfo,
    add_user,
    canonical_username,
    clear_login_failures,
    get_user,
    list_users,
    mark_logged_out,
    set_password_hash,
    set_user_active,
    update_user,
)
from storage.workflow.campaigns import UserProgress, user_progress
from storage.workflow.gold import GoldScore, gold_scores

__all__ = [
    "FIRST_ADMIN",
    "Issued",
    "UnknownUserError",
    "UserExistsError",
    "UserRow",
    "WeakPasswordError",
    "all_users",
    "audit_log",
    "create_first_admin",
    "create_user",
    "invite_user",
    "progress_rows",
    "reset_password",
    "set_active",
    "set_password",
    "set_qualifications",
    "set_roles",
    "unlock_user",
]

FIRST_ADMIN = "admin"


class UserExistsError(ArenaError, ValueError):
    pass


class UnknownUserError(ArenaError, LookupError):
    pass


class WeakPasswordError(ArenaError, ValueError):
    def __init__(self, problems: tuple[PasswordProblem, ...]) -> None:
        super().__init__(f"the password breaks the rules: {', '.join(p.value for p in problems)}")
        self.problems = problems


@dataclass(frozen=True)
class Issued:
    """An account with a fresh one-time password: show ``password`` once, never store it."""

    user: UserInfo
    password: str


def create_user(
    engine: Engine,
    *,
    actor: str,
    username: str,
    name: str,
    password: str,
    roles: Sequence[str],
    qualifications: Sequence[str] = (),
    must_change_password: bool = False,
) -> UserInfo:
    """Create an account with the given password (any bcrypt can hold: scripts and tests). People
    get theirs through ``invite_user``; the rules apply when they choose their own."""
    password_hash = hash_password(password)
    try:
        with write_session(engine) as session:
            if get_user(session=session, username=username) is not None:
                raise UserExistsError(f"create_user: user {canonical_username(username)!r} already exists")
            info = add_user(
                session=session,
                username=username,
                name=name,
                password_hash=password_hash,
                roles=roles,
                qualifications=qualifications,
                must_change_password=must_change_password,
            )
            audit(
                session=session,
                actor=actor,
                action="user.create",
                detail={"username": info.username, "roles": list(info.roles)},
            )
            return info
    except IntegrityError:
        raise UserExistsError(f"create_user: user {canonical_username(username)!r} already exists") from None


def invite_user(
    engine: Engine,
    *,
    actor: str,
    username: str,
    name: str,
    roles: Sequence[str],
    qualifications: Sequence[str] = (),
) -> Issued:
    """Create an account with a one-time password that must be changed at the first login."""
    password = one_time_password()
    info = create_user(
        engine,
        actor=actor,
        username=username,
        name=name,
        password=password,
        roles=roles,
        qualifications=qualifications,
        must_change_password=True,
    )
    return Issued(info, password)


def _replace_password(
    engine: Engine, *, actor: str, username: str, password: str, one_time: bool, caller: str
) -> UserInfo:
    """Store a new password hash (``one_time``: to be changed at the next login), lift any lockout,
    end every session of the user and audit it; an unknown user raises ``UnknownUserError``."""
    password_hash = hash_password(password)
    with write_session(engine) as session:
        if not set_password_hash(
            session=session, username=username, password_hash=password_hash, must_change=one_time
        ):
            raise UnknownUserError(f"{caller}: no user {canonical_username(username)!r}")
        mark_logged_out(session=session, username=username)
        info = get_user(session=session, username=username)
        assert info is not None
        action = "user.password_reset" if one_time else "user.password_set"
        audit(session=session, actor=actor, action=action, detail={"username": info.username})
    return info


def reset_password(engine: Engine, *, actor: str, username: str) -> Issued:
    """Give the user a one-time password (to be changed at the next login), lift any lockout and
    end every session of theirs. An unknown user raises ``UnknownUserError`` and nothing changes."""
    password = one_time_password()
    info = _replace_password(
        engine, actor=actor, username=username, password=password, one_time=True, caller="reset_password"
    )
    return Issued(info, password)


def set_password(engine: Engine, *, actor: str, username: str, password: str) -> UserInfo:
    """Set a password an operator chose (``cli.py users reset-password --password-stdin``): the
    rules apply (``WeakPasswordError``), any lockout is lifted and every session ends. An unknown
    user raises ``UnknownUserError``; in both cases nothing changes."""
    problems = password_problems(password, username=username)
    if problems:
        raise WeakPasswordError(problems)
    return _replace_password(
        engine, actor=actor, username=username, password=password, one_time=False, caller="set_password"
    )


def unlock_user(engine: Engine, *, actor: str, username: str) -> bool:
    """Clear the failed-login count and lift the lockout; False when no such user."""
    with write_session(engine) as session:
        before = get_user(session=session, username=username)
        if before is None:
            return False
        clear_login_failures(session=session, username=username)
        audit(
            session=session,
            actor=actor,
            action="user.unlock",
            detail={"username": before.username, "failures": before.failed_logins},
        )
    return True


def _has_users(session: Session) -> bool:
    return session.exec(select(func.count()).select_from(User)).one() > 0


def create_first_admin(
    engine: Engine, *, announce: Callable[[str], None], env: Mapping[str, str] | None = None
) -> bool:
    """When no user exists, create ``admin``; returns whether it did.

    By default the password is a random one-time password, announced once and to be changed at
    the first login. ``ARENA_ADMIN_PASSWORD`` in the environment sets it instead (scripted
    set-ups): the operator chose it, so it is never printed and need not be changed.
    """
    with read_session(engine) as session:
        if _has_users(session):  # every start after the first: no hashing, no write lock
            return False
    env = os.environ if env is None else env
    given = env.get("ARENA_ADMIN_PASSWORD") or None
    password = given or one_time_password()
    password_hash = hash_password(password)  # before the write lock: bcrypt is slow
    with write_session(engine) as session:
        if _has_users(session):  # another process created it meanwhile
            return False
        add_user(
            session=session,
            username=FIRST_ADMIN,
            name="Administrator",
            password_hash=password_hash,
            roles=list(ALL_ROLES),
            must_change_password=given is None,
        )
        audit(
            session=session,
            actor="system",
            action="user.create",
            detail={"username": FIRST_ADMIN, "first_start": True, "password_from_env": given is not None},
        )
    if given is not None:
        announce(
            f"Safety Arena: first start — created the administrator account '{FIRST_ADMIN}' with the"
            " password from ARENA_ADMIN_PASSWORD (not shown)."
        )
        return True
    announce(
        "\n"
        "==============================================================\n"
        " Safety Arena: first start — created the administrator account\n"
        f"   username: {FIRST_ADMIN}\n   one-time password: {password}\n"
        " This password is shown once and must be changed at the first\n"
        " login. Then add users on the Users page (用户管理).\n"
        "==============================================================\n"
    )
    return True


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

"""User accounts (bcrypt hashes only) and the credentials mapping for the login widget."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from storage.models import User, utcnow

__all__ = [
    "ROLES",
    "UserInfo",
    "add_user",
    "credentials_for_login",
    "get_user",
    "list_users",
    "set_user_active",
    "set_user_lang",
]

ROLES = ("admin", "expert", "annotator")


@dataclass(frozen=True)
class UserInfo:
    username: str
    name: str
    roles: tuple[str, ...]
    qualifications: tuple[str, ...]
    active: bool
    lang: str
    logged_out_at: datetime | None = None


def _info(user: User) -> UserInfo:
    return UserInfo(
        username=user.username,
        name=user.name,
        roles=tuple(json.loads(user.roles)),
        qualifications=tuple(json.loads(user.qualifications)),
        active=user.active,
        lang=user.lang,
        logged_out_at=user.logged_out_at,
    )


def add_user(
    *,
    session: Session,
    username: str,
    name: str,
    password_hash: str,
    roles: Sequence[str],
    email: str = "",
    qualifications: Sequence[str] = (),
) -> UserInfo:
    """Create a user. ``password_hash`` must already be a bcrypt hash: plain passwords never
    reach the database."""
    if not password_hash.startswith("$2"):
        raise ValueError("add_user: password_hash must be a bcrypt hash, not a plain password")
    bad = [r for r in roles if r not in ROLES]
    if bad or not roles:
        raise ValueError(f"add_user: roles must be a non-empty subset of {ROLES}, got {list(roles)!r}")
    username = username.strip()
    if not username or len(username) > 64:
        raise ValueError(f"add_user: username must be 1..64 characters, got {username!r}")
    user = User(
        username=username,
        name=name or username,
        email=email,
        password_hash=password_hash,
        roles=json.dumps(list(roles)),
        qualifications=json.dumps(list(qualifications)),
    )
    session.add(user)
    session.flush()
    return _info(user)


def get_user(*, session: Session, username: str) -> UserInfo | None:
    user = session.exec(select(User).where(User.username == username)).first()
    return _info(user) if user else None


def list_users(*, session: Session) -> list[UserInfo]:
    return [_info(u) for u in session.exec(select(User).order_by(col(User.id))).all()]


def set_user_lang(*, session: Session, username: str, lang: str) -> None:
    user = session.exec(select(User).where(User.username == username)).first()
    if user is not None:
        user.lang = lang
        session.add(user)


def credentials_for_login(*, session: Session) -> dict[str, dict[str, object]]:
    """The ``credentials`` mapping streamlit-authenticator expects, for active users only."""
    users = session.exec(select(User).where(col(User.active).is_(True))).all()
    return {
        "usernames": {
            u.username: {
                "name": u.name,
                "email": u.email or f"{u.username}@localhost",
                "password": u.password_hash,
                "roles": json.loads(u.roles),
                "failed_login_attempts": 0,
                "logged_in": False,
            }
            for u in users
        }
    }


def set_user_active(*, session: Session, username: str, active: bool) -> bool:
    """Activate or deactivate a user; returns False when no such user exists."""
    user = session.exec(select(User).where(User.username == username)).first()
    if user is None:
        return False
    user.active = active
    session.add(user)
    return True


def update_user(
    *,
    session: Session,
    username: str,
    roles: Sequence[str] | None = None,
    qualifications: Sequence[str] | None = None,
) -> bool:
    """Change a user's roles and/or dimension qualifications; False when no such user."""
    user = session.exec(select(User).where(User.username == username)).first()
    if user is None:
        return False
    if roles is not None:
        bad = [r for r in roles if r not in ROLES]
        if bad or not roles:
            raise ValueError(f"update_user: roles must be a non-empty subset of {ROLES}, got {list(roles)!r}")
        user.roles = json.dumps(list(roles))
    if qualifications is not None:
        user.qualifications = json.dumps(list(qualifications))
    session.add(user)
    return True


def mark_logged_out(*, session: Session, username: str) -> None:
    """Revoke every session and login cookie of the user issued up to now."""
    user = session.exec(select(User).where(User.username == username)).first()
    if user is not None:
        user.logged_out_at = utcnow()
        session.add(user)

"""User accounts (bcrypt hashes only): lookups by canonical username, and the account's login
state (failed-login counter, lockout, must-change-password flag)."""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import update
from sqlmodel import Session, col, select

from judging.roles import ALL_ROLES, Role
from storage.db.models import User, utcnow

__all__ = [
    "ROLES",
    "USERNAME_RULE",
    "StoredCredentials",
    "UserInfo",
    "add_user",
    "canonical_username",
    "clear_login_failures",
    "count_login_failure",
    "get_user",
    "list_users",
    "lock_user",
    "mark_logged_out",
    "set_password_hash",
    "set_user_active",
    "set_user_lang",
    "stored_credentials",
    "update_user",
]

ROLES: tuple[Role, ...] = ALL_ROLES  # the stored strings are the Role values

# letters and digits of any script (Chinese included), and . _ @ + -
USERNAME_RULE = re.compile(r"[\w.@+-]{1,64}")


def canonical_username(username: str) -> str:
    """The one form a username is stored and looked up in: NFKC (full-width letters typed with a
    Chinese input method become ASCII), surrounding whitespace removed, case-folded. ``Alice``,
    `` alice `` and ``ＡＬＩＣＥ`` are the same account."""
    return unicodedata.normalize("NFKC", username).strip().casefold()


@dataclass(frozen=True)
class UserInfo:
    username: str
    name: str
    roles: tuple[Role, ...]
    qualifications: tuple[str, ...]
    active: bool
    lang: str
    logged_out_at: datetime | None = None
    must_change_password: bool = False
    failed_logins: int = 0
    locked_until: datetime | None = None

    def locked(self, now: datetime) -> bool:
        """Whether password logins are refused at ``now`` (an aware datetime)."""
        return self.locked_until is not None and self.locked_until > now


class StoredCredentials(NamedTuple):
    user: UserInfo
    password_hash: str


def _info(user: User) -> UserInfo:
    return UserInfo(
        username=user.username,
        name=user.name,
        roles=tuple(Role.parse(r) for r in json.loads(user.roles)),
        qualifications=tuple(json.loads(user.qualifications)),
        active=user.active,
        lang=user.lang,
        logged_out_at=user.logged_out_at,
        must_change_password=user.must_change_password,
        failed_logins=user.failed_logins,
        locked_until=user.locked_until,
    )


def _checked_roles(caller: str, roles: Sequence[str]) -> list[Role]:
    """``roles`` as Role values; an empty list or an unknown role raises ValueError naming ``caller``."""
    if not roles or any(r not in ROLES for r in roles):
        allowed = tuple(r.value for r in ROLES)
        raise ValueError(
            f"{caller}: roles must be a non-empty subset of {allowed}, got {[str(r) for r in roles]!r}"
        )
    return [Role(r) for r in roles]


def _row(session: Session, username: str) -> User | None:
    return session.exec(select(User).where(User.username == canonical_username(username))).first()


def add_user(
    *,
    session: Session,
    username: str,
    name: str,
    password_hash: str,
    roles: Sequence[str],
    email: str = "",
    qualifications: Sequence[str] = (),
    must_change_password: bool = False,
) -> UserInfo:
    """Create a user under the canonical form of ``username``. ``password_hash`` must already be
    a bcrypt hash: plain passwords never reach the database."""
    if not password_hash.startswith("$2"):
        raise ValueError("add_user: password_hash must be a bcrypt hash, not a plain password")
    checked = _checked_roles("add_user", roles)
    canonical = canonical_username(username)
    if not USERNAME_RULE.fullmatch(canonical):
        raise ValueError(
            f"add_user: username must be 1..64 letters, digits or . _ @ + - (no spaces), got {username!r}"
        )
    user = User(
        username=canonical,
        name=name.strip() or username.strip(),
        email=email,
        password_hash=password_hash,
        roles=json.dumps([r.value for r in checked]),
        qualifications=json.dumps(list(qualifications)),
        must_change_password=must_change_password,
    )
    session.add(user)
    session.flush()
    return _info(user)


def get_user(*, session: Session, username: str) -> UserInfo | None:
    """The user ``username`` names, in any spelling that has the same canonical form."""
    user = _row(session, username)
    return _info(user) if user else None


def stored_credentials(*, session: Session, username: str) -> StoredCredentials | None:
    """The user and their bcrypt hash, for checking a password; None for an unknown user."""
    user = _row(session, username)
    return StoredCredentials(_info(user), user.password_hash) if user else None


def list_users(*, session: Session) -> list[UserInfo]:
    return [_info(u) for u in session.exec(select(User).order_by(col(User.id))).all()]


def set_user_lang(*, session: Session, username: str, lang: str) -> None:
    user = _row(session, username)
    if user is not None:
        user.lang = lang
        session.add(user)


def set_user_active(*, session: Session, username: str, active: bool) -> bool:
    """Activate or deactivate a user; returns False when no such user exists."""
    user = _row(session, username)
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
    user = _row(session, username)
    if user is None:
        return False
    if roles is not None:
        user.roles = json.dumps([r.value for r in _checked_roles("update_user", roles)])
    if qualifications is not None:
        user.qualifications = json.dumps(list(qualifications))
    session.add(user)
    return True


def mark_logged_out(*, session: Session, username: str) -> None:
    """Revoke every session and login cookie of the user issued up to now."""
    user = _row(session, username)
    if user is not None:
        user.logged_out_at = utcnow()
        session.add(user)


def set_password_hash(*, session: Session, username: str, password_hash: str, must_change: bool) -> bool:
    """Store a new bcrypt hash; False when no such user. The failed-login counter and any lockout
    are cleared with it."""
    if not password_hash.startswith("$2"):
        raise ValueError("set_password_hash: password_hash must be a bcrypt hash, not a plain password")
    user = _row(session, username)
    if user is None:
        return False
    user.password_hash = password_hash
    user.must_change_password = must_change
    user.failed_logins = 0
    user.locked_until = None
    session.add(user)
    return True


def count_login_failure(*, session: Session, username: str) -> int:
    """Add one to the user's consecutive failed logins and return the new count (0: no such user).

    One UPDATE, so concurrent failures from several sessions are all counted; inside a write
    session the row stays locked until the caller commits the lockout decision."""
    canonical = canonical_username(username)
    session.execute(
        update(User)
        .where(col(User.username) == canonical)
        .values(failed_logins=col(User.failed_logins) + 1)
        .execution_options(synchronize_session=False)
    )
    count = session.exec(select(User.failed_logins).where(User.username == canonical)).first()
    return int(count or 0)


def lock_user(*, session: Session, username: str, until: datetime) -> None:
    session.execute(
        update(User)
        .where(col(User.username) == canonical_username(username))
        .values(locked_until=until)
        .execution_options(synchronize_session=False)
    )


def clear_login_failures(*, session: Session, username: str) -> bool:
    """Reset the failed-login counter and lift any lockout; False when no such user."""
    result = session.execute(
        update(User)
        .where(col(User.username) == canonical_username(username))
        .values(failed_logins=0, locked_until=None)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]

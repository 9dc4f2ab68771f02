"""The account holder's side: passwords (bcrypt, the stated rules), logging in with per-account
lockout and per-session throttling, and changing one's own password. Admin actions on accounts
live in ``pipeline.people.users``."""

from __future__ import annotations

import functools
import math
import secrets
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

import bcrypt
from sqlalchemy.engine import Engine
from sqlmodel import Session

from storage.db.session import read_session, write_session
from storage.people.audit import audit
from storage.people.users import (
    UserInfo,
    canonical_username,
    clear_login_failures,
    count_login_failure,
    get_user,
    lock_user,
    mark_logged_out,
    set_password_hash,
    set_user_lang,
    stored_credentials,
)

__all__ = [
    "LOGIN_POLICY",
    "MAX_PASSWORD_BYTES",
    "MIN_PASSWORD_CHARS",
    "MIN_PASSWORD_DISTINCT",
    "LoginAttempt",
    "LoginOutcome",
    "LoginPolicy",
    "PasswordChange",
    "PasswordProblem",
    "SessionThrottle",
    "UserInfo",
    "account",
    "change_own_password",
    "hash_password",
    "log_in",
    "log_out",
    "one_time_password",
    "password_problems",
    "record_throttled",
    "set_language",
    "verify_password",
]

MAX_PASSWORD_BYTES = 72  # bcrypt ignores (bcrypt 5: rejects) anything longer
MIN_PASSWORD_CHARS = 10
MIN_PASSWORD_DISTINCT = 5
# a password that is a run of one of these (forwards or backwards) is refused
_SEQUENCES = (
    "0123456789",
    "abcdefghijklmnopqrstuvwxyz",
    "qwertyuiopasdfghjklzxcvbnm",
    "1qaz2wsx3edc4rfv5tgb",
)
_COMMON = ("password", "passw0rd", "p@ssw0rd", "iloveyou", "safetyarena", "letmein", "welcome", "admin")


class PasswordProblem(StrEnum):
    """Why a new password is refused; each has a UI string ``acct.problem.<value>``."""

    TOO_SHORT = "too_short"
    TOO_LONG = "too_long"
    TOO_FEW_DISTINCT = "too_few_distinct"
    CONTAINS_USERNAME = "contains_username"
    COMMON = "common"
    UNCHANGED = "unchanged"
    WRONG_CURRENT = "wrong_current"
    LOCKED = "locked"  # the account is locked: the current password is not even checked


def hash_password(password: str) -> str:
    raw = password.encode("utf-8")
    if not raw:
        raise ValueError("hash_password: the password is empty")
    if len(raw) > MAX_PASSWORD_BYTES:
        raise ValueError(f"hash_password: the password is {len(raw)} bytes; bcrypt allows at most 72")
    return bcrypt.hashpw(raw, bcrypt.gensalt()).decode("ascii")


def verify_password(password: str, password_hash: str) -> bool:
    """Exactly what was typed is checked: no trimming, no case change. A password bcrypt cannot
    represent (empty, over 72 bytes) never matches."""
    raw = password.encode("utf-8")
    if not raw or len(raw) > MAX_PASSWORD_BYTES:
        return False
    return bcrypt.checkpw(raw, password_hash.encode("ascii"))


@functools.cache
def _dummy_hash() -> str:
    # checked against when the username is unknown, so that answer takes as long as a wrong password
    return hash_password(secrets.token_urlsafe(16))


def one_time_password() -> str:
    """A random password for a first start, a new account or a reset; shown once."""
    return secrets.token_urlsafe(12)


def password_problems(password: str, *, username: str) -> tuple[PasswordProblem, ...]:
    """The rules a password someone chooses must meet (empty: it may be used):
    at least 10 characters, at most 72 bytes in UTF-8 (a Chinese character takes 3), at least 5
    different characters, not containing the username (of 3 or more characters), not a keyboard or alphabet run and not one
    of a few very common passwords. Leading and trailing spaces are part of the password."""
    problems = []
    if len(password) < MIN_PASSWORD_CHARS:
        problems.append(PasswordProblem.TOO_SHORT)
    if len(password.encode("utf-8")) > MAX_PASSWORD_BYTES:
        problems.append(PasswordProblem.TOO_LONG)
    if len(set(password)) < MIN_PASSWORD_DISTINCT:
        problems.append(PasswordProblem.TOO_FEW_DISTINCT)
    folded = canonical_username(password)
    name = canonical_username(username)
    if len(name) >= 3 and name in folded:  # a one- or two-letter name would forbid half the alphabet
        problems.append(PasswordProblem.CONTAINS_USERNAME)
    core = folded.strip("0123456789!@#$%^&*._- ")  # "Password2024!" is still "password"
    if core in _COMMON or any(folded in run or folded in run[::-1] for run in _SEQUENCES):
        problems.append(PasswordProblem.COMMON)
    return tuple(problems)


# -- logging in ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class LoginPolicy:
    """Per account: after ``max_failures`` consecutive failed logins the account is locked for
    ``lockout``; until a successful login or an admin's unlock clears the count, every further
    failure locks it again. Per browser session: ``session_free_failures`` failures (any
    usernames) are allowed, then each further failure makes the session wait, from
    ``session_wait_s`` doubling up to ``session_wait_max_s``."""

    max_failures: int = 5
    lockout: timedelta = timedelta(minutes=15)
    session_free_failures: int = 10
    session_wait_s: float = 30.0
    session_wait_max_s: float = 900.0


LOGIN_POLICY = LoginPolicy()


@dataclass(frozen=True)
class SessionThrottle:
    """Failed logins of one browser session (kept in its session state)."""

    failures: int = 0
    blocked_until: float = 0.0  # epoch seconds

    def wait_s(self, now: float) -> float:
        return max(0.0, self.blocked_until - now)

    def after_failure(self, now: float, policy: LoginPolicy = LOGIN_POLICY) -> SessionThrottle:
        failures = self.failures + 1
        over = failures - policy.session_free_failures
        if over < 0:
            return replace(self, failures=failures)
        wait = min(policy.session_wait_s * 2**over, policy.session_wait_max_s)
        return SessionThrottle(failures=failures, blocked_until=now + wait)


class LoginOutcome(StrEnum):
    OK = "ok"
    WRONG = "wrong"  # unknown user or wrong password: the same answer for both
    LOCKED = "locked"  # refused without checking the password, or this failure locked it
    INACTIVE = "inactive"  # right password, deactivated account


@dataclass(frozen=True)
class LoginAttempt:
    outcome: LoginOutcome
    user: UserInfo | None = None  # on OK
    locked_until: datetime | None = None  # on LOCKED


def _record_failure(
    session: Session, *, actor: str, action: str, reason: str, known: bool, now: datetime, policy: LoginPolicy
) -> datetime | None:
    """One failed password check: counted against the account (when it exists), audited, and
    the account locked when the count reaches the limit. Returns the lock's end if it locked."""
    failures = count_login_failure(session=session, username=actor) if known else 0
    audit(session=session, actor=actor, action=action, detail={"reason": reason, "failures": failures})
    if not known or failures < policy.max_failures:
        return None
    until = now + policy.lockout
    lock_user(session=session, username=actor, until=until)
    detail = {"failures": failures, "until": until.isoformat(timespec="seconds")}
    audit(session=session, actor=actor, action="login.locked", detail=detail)
    return until


def log_in(
    engine: Engine, *, username: str, password: str, now: datetime, policy: LoginPolicy = LOGIN_POLICY
) -> LoginAttempt:
    """Check a password login and record it: every attempt writes an audit row (``login``,
    ``login.failed``, ``login.locked``, ``login.refused``). A locked account is refused before
    its password is checked, so even the right password does not get in until the lock ends or
    an admin unlocks it. The password is checked outside any write transaction (bcrypt is slow)."""
    claimed = canonical_username(username)[:64]
    with read_session(engine) as session:
        stored = stored_credentials(session=session, username=claimed)
    if stored is not None and stored.user.locked(now):
        with write_session(engine) as session:
            audit(session=session, actor=claimed, action="login.refused", detail={"reason": "locked"})
        return LoginAttempt(LoginOutcome.LOCKED, locked_until=stored.user.locked_until)
    matches = verify_password(password, stored.password_hash if stored else _dummy_hash())
    if stored is not None and matches:
        user = stored.user
        with write_session(engine) as session:
            if not user.active:
                audit(session=session, actor=claimed, action="login.failed", detail={"reason": "inactive"})
                return LoginAttempt(LoginOutcome.INACTIVE)
            clear_login_failures(session=session, username=claimed)
            audit(session=session, actor=claimed, action="login")
        return LoginAttempt(LoginOutcome.OK, user=user)
    with write_session(engine) as session:
        until = _record_failure(
            session,
            actor=claimed,
            action="login.failed",
            reason="wrong_password" if stored else "unknown_user",
            known=stored is not None,
            now=now,
            policy=policy,
        )
    if until is not None:
        return LoginAttempt(LoginOutcome.LOCKED, locked_until=until)
    return LoginAttempt(LoginOutcome.WRONG)


def record_throttled(engine: Engine, *, username: str, wait_s: float) -> None:
    """Audit a login refused because its browser session must wait (no password is checked)."""
    with write_session(engine) as session:
        audit(
            session=session,
            actor=canonical_username(username)[:64],
            action="login.throttled",
            detail={"wait_s": math.ceil(wait_s)},
        )


def account(engine: Engine, *, username: str) -> UserInfo | None:
    """The account ``username`` names (any spelling with the same canonical form), or None: what
    the app reads on every run, so a role change or a deactivation takes effect at once."""
    with read_session(engine) as session:
        return get_user(session=session, username=username)


def log_out(engine: Engine, *, username: str) -> None:
    """Revoke every session and re-login cookie of the user issued so far, and audit it."""
    with write_session(engine) as session:
        mark_logged_out(session=session, username=username)
        audit(session=session, actor=username, action="logout")


def set_language(engine: Engine, *, username: str, lang: str) -> None:
    """Remember the user's interface language for their next login."""
    with write_session(engine) as session:
        set_user_lang(session=session, username=username, lang=lang)


# -- changing one's own password -----------------------------------------------------------------


@dataclass(frozen=True)
class PasswordChange:
    problems: tuple[PasswordProblem, ...] = ()

    @property
    def changed(self) -> bool:
        return not self.problems


def change_own_password(
    engine: Engine,
    *,
    username: str,
    current: str,
    new: str,
    now: datetime,
    policy: LoginPolicy = LOGIN_POLICY,
) -> PasswordChange:
    """Replace the user's password with ``new`` after checking ``current``.

    A new password that breaks a rule is refused before the current one is checked, and nothing
    changes. A wrong current password counts as a failed login (it could be guessed through this
    form too). On success the must-change flag, the failure count and any lock are cleared and
    every session of the user is revoked; the caller then renews its own.
    """
    problems = password_problems(new, username=username)
    if new == current:
        problems = (*problems, PasswordProblem.UNCHANGED)
    if problems:
        return PasswordChange(problems)
    claimed = canonical_username(username)
    with read_session(engine) as session:
        stored = stored_credentials(session=session, username=claimed)
    if stored is None:
        raise LookupError(f"change_own_password: no user {username!r}")
    if stored.user.locked(now):
        return PasswordChange((PasswordProblem.LOCKED,))
    if not verify_password(current, stored.password_hash):
        with write_session(engine) as session:
            _record_failure(
                session,
                actor=claimed,
                action="password.change_failed",
                reason="wrong_current",
                known=True,
                now=now,
                policy=policy,
            )
        return PasswordChange((PasswordProblem.WRONG_CURRENT,))
    new_hash = hash_password(new)
    with write_session(engine) as session:
        set_password_hash(session=session, username=claimed, password_hash=new_hash, must_change=False)
        mark_logged_out(session=session, username=claimed)
        audit(session=session, actor=claimed, action="password.change")
    return PasswordChange()

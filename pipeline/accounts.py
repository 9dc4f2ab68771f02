"""Accounts: bcrypt password hashing and the first-start admin account."""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable

import bcrypt
from sqlalchemy.engine import Engine
from sqlmodel import func, select

from storage.models import User
from storage.queries import audit
from storage.session import write_session
from storage.users import add_user

__all__ = ["create_first_admin", "hash_password", "verify_password"]

MAX_PASSWORD_BYTES = 72  # bcrypt ignores (bcrypt 5: rejects) anything longer


def hash_password(password: str) -> str:
    raw = password.encode("utf-8")
    if not raw:
        raise ValueError("hash_password: the password is empty")
    if len(raw) > MAX_PASSWORD_BYTES:
        raise ValueError(f"hash_password: the password is {len(raw)} bytes; bcrypt allows at most 72")
    return bcrypt.hashpw(raw, bcrypt.gensalt()).decode("ascii")


def verify_password(password: str, password_hash: str) -> bool:
    return bcrypt.checkpw(password.encode("utf-8"), password_hash.encode("ascii"))


def create_first_admin(engine: Engine, *, announce: Callable[[str], None]) -> str | None:
    """When no user exists, create ``admin`` with a random one-time password and announce it.

    ``ARENA_ADMIN_PASSWORD`` in the environment sets the password instead (for scripted setups).
    Returns the password it created, or None when users already existed.
    """
    with write_session(engine) as session:
        if session.exec(select(func.count()).select_from(User)).one() > 0:
            return None
        password = os.environ.get("ARENA_ADMIN_PASSWORD") or secrets.token_urlsafe(12)
        add_user(
            session=session,
            username="admin",
            name="Administrator",
            password_hash=hash_password(password),
            roles=["admin", "expert", "annotator"],
        )
        audit(
            session=session,
            actor="system",
            action="user.create",
            detail={"username": "admin", "first_start": True},
        )
    announce(
        "\n"
        "==============================================================\n"
        " Safety Arena: first start — created the administrator account\n"
        f"   username: admin\n   password: {password}\n"
        " This password is shown once. Log in and add users on the\n"
        " Users page (管理 → 用户).\n"
        "==============================================================\n"
    )
    return password

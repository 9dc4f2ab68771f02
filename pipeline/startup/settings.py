"""The one settings object, built by an entry point (app, CLI, tests) and passed down."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from judging.errors import ArenaError

__all__ = ["PROJECT_ROOT", "Settings", "SettingsError"]

PROJECT_ROOT = Path(__file__).resolve().parents[2]


class SettingsError(ArenaError, ValueError):
    """An environment variable the settings read holds a value they cannot use."""


def _number(value: str, name: str) -> float:
    try:
        return float(value)
    except ValueError:
        raise SettingsError(f"Settings: {name} must be a number, got {value!r}") from None


def _positive(value: str | None, name: str) -> float | None:
    if value is None or not value.strip():
        return None
    number = _number(value, name)
    if not number > 0:
        raise SettingsError(f"Settings: {name} must be positive, got {value!r}")
    return number


@dataclass(frozen=True)
class Settings:
    database_url: str
    data_dir: Path
    demo_dir: Path
    cookie_name: str = "safety_arena_auth"
    cookie_expiry_days: float = 7.0
    login_sleep_time: float = 0.7
    load_demo: bool = True
    # the live Elo column's K (ARENA_ELO_K); None: judging.ratings.DEFAULT_ELO_K, chosen by measured
    # ranking quality (bench/elo_k.py); LiveSecBench's K is 32
    elo_k: float | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        data_dir = Path(env.get("ARENA_DATA_DIR", str(PROJECT_ROOT / "data")))
        url = env.get("DATABASE_URL") or f"sqlite:///{data_dir / 'arena.db'}"
        sleep = env.get("ARENA_LOGIN_SLEEP")
        return cls(
            database_url=url,
            data_dir=data_dir,
            demo_dir=Path(env.get("ARENA_DEMO_DIR", str(PROJECT_ROOT / "demo"))),
            login_sleep_time=_number(sleep, "ARENA_LOGIN_SLEEP") if sleep is not None else 0.7,
            load_demo=env.get("ARENA_LOAD_DEMO", "1") not in ("0", "false", "no"),
            elo_k=_positive(env.get("ARENA_ELO_K"), "ARENA_ELO_K"),
        )

    def cookie_key(self, env: Mapping[str, str] | None = None) -> str:
        """The cookie-signing key of this installation.

        Taken from ``ARENA_COOKIE_KEY`` when set; otherwise generated once, at random, into
        ``<data_dir>/cookie_key`` (mode 600). It is never a constant in the repository.
        """
        env = os.environ if env is None else env
        from_env = env.get("ARENA_COOKIE_KEY")
        if from_env:
            return from_env
        path = self.data_dir / "cookie_key"
        if not path.exists():
            self.data_dir.mkdir(parents=True, exist_ok=True)
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:  # another process created it a moment ago
                pass
            else:
                with os.fdopen(fd, "w") as fh:
                    fh.write(secrets.token_urlsafe(32))
        return path.read_text().strip()

"""Start-up: the private data folder, the schema, the demo release in an empty database, the
first admin."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path

from sqlalchemy.engine import Engine

from pipeline.people.users import create_first_admin
from pipeline.startup.demo import load_demo, write_demo
from pipeline.startup.settings import Settings
from storage.db.engine import create_schema, make_engine
from storage.db.session import read_session, write_session
from storage.db.stats import is_empty
from storage.people.audit import audit

__all__ = ["init_database", "prepare"]


def _stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _private_folder(path: Path) -> None:
    """The data folder (SQLite file, cookie key) is the app's own: only its owner may enter it
    (0700), also when an older version created it 0755."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    info = path.stat()
    if info.st_mode & 0o077 and info.st_uid == os.getuid():
        path.chmod(0o700)


def init_database(settings: Settings, *, announce: Callable[[str], None] = _stderr) -> Engine:
    """Engine with the schema in place and, when the database is empty, the demo release.

    The demo files are validated completely before the first write, so a bad file stops start-up
    with the database untouched.
    """
    _private_folder(settings.data_dir)
    engine = make_engine(settings.database_url)
    create_schema(engine)
    if settings.load_demo:
        with read_session(engine) as session:
            empty = is_empty(session=session)
        if empty:
            demo = load_demo(settings.demo_dir)
            with write_session(engine) as session:
                if is_empty(session=session):  # another process may have loaded it meanwhile
                    release_id = write_demo(demo, session=session)
                    audit(
                        session=session, actor="system", action="demo.load", detail={"release_id": release_id}
                    )
                    announce(
                        f"Loaded the synthetic demo release {demo.release.tag}: "
                        f"{len(demo.questions)} questions, {len(demo.models)} models."
                    )
    return engine


def prepare(settings: Settings, *, announce: Callable[[str], None] = _stderr) -> Engine:
    """Everything an entry point needs before serving: database, demo, first admin, cookie key."""
    engine = init_database(settings, announce=announce)
    create_first_admin(engine, announce=announce)
    settings.cookie_key()
    return engine

"""Migrations from the shell: `alembic` with the project's alembic.ini and `cli.py db`, as
processes, on SQLite and PostgreSQL; a downgrade that would drop the votes is refused and changes
nothing unless the operator says they know."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from pipeline.startup.settings import PROJECT_ROOT
from storage.db.migrate import current_revision, head_revision
from tests.storage.conftest import BACKENDS, fresh_database

ALEMBIC = [sys.executable, "-m", "alembic"]


def _run(args, url, tmp_path):
    env = {**os.environ, "DATABASE_URL": url, "ARENA_DATA_DIR": str(tmp_path)}
    return subprocess.run(args, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("backend", BACKENDS)
def test_alembic_from_the_shell(backend, tmp_path):
    with fresh_database(backend, tmp_path) as engine:
        url = engine.url.render_as_string(hide_password=False)
        assert _run([*ALEMBIC, "upgrade", "head"], url, tmp_path).returncode == 0
        assert current_revision(engine) == head_revision()
        assert _run([*ALEMBIC, "downgrade", "-1"], url, tmp_path).returncode == 0
        below = current_revision(engine)
        assert below is not None and below != head_revision()
        refused = _run([*ALEMBIC, "downgrade", "base"], url, tmp_path)
        assert refused.returncode != 0 and "drops every vote" in refused.stderr
        assert current_revision(engine) == below  # one transaction: nothing was undone
        cli = _run([sys.executable, "cli.py", "db", "downgrade", "base"], url, tmp_path)
        assert cli.returncode == 2 and "--i-know" in cli.stderr
        assert current_revision(engine) == below
        assert _run([*ALEMBIC, "-x", "i-know=yes", "downgrade", "base"], url, tmp_path).returncode == 0
        assert current_revision(engine) is None
        up = _run([sys.executable, "cli.py", "db", "upgrade"], url, tmp_path)
        assert up.returncode == 0, up.stderr
        assert current_revision(engine) == head_revision()

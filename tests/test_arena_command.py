"""The `arena` console command (pyproject [project.scripts], installed by `make install`) is
`python cli.py`, from any folder."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ARENA = Path(sys.executable).parent / "arena"


def _arena(cwd: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    assert ARENA.exists(), f"no {ARENA}: `make install` installs it (pip install --no-deps -e .)"
    return subprocess.run([str(ARENA), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


def test_arena_help_lists_the_commands_of_cli_py(tmp_path):
    out = _arena(tmp_path, dict(os.environ), "--help")
    assert out.returncode == 0, out.stderr
    assert "Usage: arena" in out.stdout
    assert {"init", "stats", "ratings", "import-questions"} <= set(out.stdout.replace("│", " ").split())


def test_arena_runs_a_command_outside_the_project_folder(tmp_path):
    env = {**os.environ, "ARENA_DATA_DIR": str(tmp_path / "data")}
    env.pop("DATABASE_URL", None)
    out = _arena(tmp_path, env, "stats")
    assert out.returncode == 1
    assert out.stderr == f"error: no database at {tmp_path / 'data' / 'arena.db'}; run `cli.py init`\n"

"""The command line on a real database file."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from pipeline.settings import PROJECT_ROOT


def test_stats_json(tmp_path):
    env = {**os.environ, "ARENA_DATA_DIR": str(tmp_path), "ARENA_ADMIN_PASSWORD": "x-admin-pw"}
    env.pop("DATABASE_URL", None)
    out = subprocess.run(
        [sys.executable, "cli.py", "stats", "--json"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    stats = json.loads(out.stdout)
    assert set(stats) == {"releases", "questions", "questions_by_dimension", "models", "responses", "votes"}
    assert stats["releases"] == 1 and stats["models"] >= 5 and stats["votes"] == 0
    assert stats["questions"] == sum(stats["questions_by_dimension"].values()) >= 60
    assert stats["responses"] == stats["questions"] * stats["models"]
    assert set(stats["questions_by_dimension"]) == {
        "public_safety",
        "fairness",
        "privacy",
        "truthfulness",
        "mental_health",
    }
    assert (tmp_path / "arena.db").exists()
    assert "password: x-admin-pw" in out.stderr  # the first start announces the admin account


def test_database_url_overrides(tmp_path):
    url = f"sqlite:///{tmp_path / 'other.db'}"
    env = {**os.environ, "ARENA_DATA_DIR": str(tmp_path), "DATABASE_URL": url}
    subprocess.run(
        [sys.executable, "cli.py", "init"],
        cwd=PROJECT_ROOT,
        env=env,
        check=True,
        capture_output=True,
        timeout=120,
    )
    assert (tmp_path / "other.db").exists() and not (tmp_path / "arena.db").exists()


def test_bad_demo_stops_with_a_clear_message(tmp_path):
    import shutil

    demo = tmp_path / "demo"
    shutil.copytree(PROJECT_ROOT / "demo", demo)
    bad = demo / "models.yaml"
    bad.write_text(
        bad.read_text(encoding="utf-8").replace("key: boshi-pro", "key: Boshi Pro!"), encoding="utf-8"
    )
    env = {**os.environ, "ARENA_DATA_DIR": str(tmp_path), "ARENA_DEMO_DIR": str(demo)}
    env.pop("DATABASE_URL", None)
    out = subprocess.run(
        [sys.executable, "cli.py", "init"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 2
    assert "models.yaml: record Boshi Pro!, field key" in out.stderr, out.stderr
    assert "left untouched" in out.stderr

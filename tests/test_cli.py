"""The command line on a real database file."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from pipeline.startup.settings import PROJECT_ROOT


def _run(args, env, *, stdin=None, check=False):
    """``python cli.py ARGS`` as a process in the project folder, its output as text."""
    return subprocess.run(
        [sys.executable, "cli.py", *args],
        cwd=PROJECT_ROOT,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        check=check,
        timeout=120,
    )


def test_stats_json(tmp_path):
    env = {**os.environ, "ARENA_DATA_DIR": str(tmp_path), "ARENA_ADMIN_PASSWORD": "x-admin-pw"}
    env.pop("DATABASE_URL", None)
    init = _run(["init"], env, check=True)
    assert "created the administrator account 'admin'" in init.stderr  # the first start says so ...
    assert "x-admin-pw" not in init.stderr + init.stdout  # ... but never echoes a password it was given
    out = _run(["stats", "--json"], env, check=True)
    assert out.stderr == ""
    stats = json.loads(out.stdout)
    assert set(stats) == {
        "releases",
        "questions",
        "questions_by_dimension",
        "models",
        "responses",
        "votes",
        "standing_votes",
    }
    assert stats["releases"] == 1 and stats["models"] >= 5 and stats["votes"] == stats["standing_votes"] == 0
    assert stats["questions"] == sum(stats["questions_by_dimension"].values()) >= 60
    assert stats["responses"] == stats["questions"] * stats["models"]
    assert set(stats["questions_by_dimension"]) == {
        "public_safety",
        "fairness",
        "privacy",
        "truthfulness",
        "mental_health",
    }


def test_stats_without_a_database_says_so_and_creates_nothing(tmp_path):
    data = tmp_path / "data"
    env = {**os.environ, "ARENA_DATA_DIR": str(data), "ARENA_ADMIN_PASSWORD": "x-admin-pw"}
    env.pop("DATABASE_URL", None)
    env.pop("ARENA_COOKIE_KEY", None)
    out = _run(["stats"], env)
    assert out.returncode == 1, out.stderr
    assert out.stderr == f"error: no database at {data / 'arena.db'}; run `cli.py init`\n"
    assert out.stdout == ""
    assert list(tmp_path.iterdir()) == []  # no data folder, no database, no cookie key


def test_stats_on_an_old_schema_asks_for_an_upgrade_and_migrates_nothing(tmp_path):
    from storage.db.engine import make_engine
    from storage.db.migrate import current_revision, upgrade

    engine = make_engine(f"sqlite:///{tmp_path / 'arena.db'}")
    upgrade(engine, "0001")
    env = {**os.environ, "ARENA_DATA_DIR": str(tmp_path)}
    env.pop("DATABASE_URL", None)
    out = _run(["stats"], env)
    assert out.returncode == 1
    assert "is at schema revision 0001" in out.stderr and "run `cli.py db upgrade`" in out.stderr
    assert current_revision(engine) == "0001"
    engine.dispose()


def test_database_url_overrides(tmp_path):
    url = f"sqlite:///{tmp_path / 'other.db'}"
    env = {**os.environ, "ARENA_DATA_DIR": str(tmp_path), "DATABASE_URL": url}
    _run(["init"], env, check=True)
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
    out = _run(["init"], env)
    assert out.returncode == 2
    assert "models.yaml: record Boshi Pro!, field key" in out.stderr, out.stderr
    assert "left untouched" in out.stderr


# -- start-up: `cli.py --help` imports no heavy module and lists what the eager CLI listed ---------

_HEAVY = (
    "numpy",
    "pandas",
    "pyarrow",
    "scipy",
    "sqlalchemy",
    "sqlmodel",
    "httpx",
    "pipeline",
    "storage",
    "judging",
)
_PROBE = """
import runpy, sys
sys.argv = ["cli.py", "--help"]
try:
    runpy.run_path("cli.py", run_name="__main__")
except SystemExit:
    pass
heavy = sorted({m.split(".")[0] for m in sys.modules} & set(sys.argv[1:] or HEAVY))
sys.stderr.write(" ".join(heavy))
"""


def test_help_imports_nothing_heavy():
    # the start-up time itself is a benchmark figure (bench/votes_file.py), never a timed
    # assertion here; what keeps it fast is that --help imports nothing heavy
    probe = _PROBE.replace("HEAVY", repr(_HEAVY))
    out = subprocess.run(
        [sys.executable, "-c", probe], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0 and "Usage" in out.stdout, out.stderr
    assert out.stderr == "", f"cli.py --help imported {out.stderr}"


def test_lazy_help_lists_what_eager_registration_lists():
    import typer
    from typer.testing import CliRunner

    import cli
    from commands import command_infos, register_all

    infos, eager = command_infos()
    assert eager == [], f"register() of {eager} cannot be read statically, so cli.py imports them at start-up"
    lazy = CliRunner().invoke(cli.app, ["--help"], terminal_width=120)
    everything = typer.Typer(add_completion=False, no_args_is_help=True, help="Safety Arena command line.")
    everything.registered_commands += cli.app.registered_commands
    register_all(everything)
    full = CliRunner().invoke(everything, ["--help"], terminal_width=120)
    assert lazy.exit_code == full.exit_code == 0
    assert lazy.output == full.output
    assert {"ratings", "calibrate", "release", "ledger"} <= {i.name for i in infos}


def _cli(tmp_path, *args, stdin=None, admin_password="x-admin-pw"):
    env = {**os.environ, "ARENA_DATA_DIR": str(tmp_path / "data")}
    env.pop("DATABASE_URL", None)
    env.pop("ARENA_ADMIN_PASSWORD", None)
    if admin_password is not None:
        env["ARENA_ADMIN_PASSWORD"] = admin_password
    return _run([*args], env, stdin=stdin)


def _account(tmp_path, username):
    """(bcrypt hash, must change, failed logins, audit rows) straight from the database file."""
    import sqlite3

    with sqlite3.connect(tmp_path / "data" / "arena.db") as conn:
        row = conn.execute(
            "SELECT password_hash, must_change_password, failed_logins FROM arena_user WHERE username = ?",
            (username,),
        ).fetchone()
        audits = conn.execute("SELECT COUNT(*) FROM audit_log").fetchone()[0]
    return (*row, audits) if row else None


def test_init_never_prints_the_admin_password_from_the_environment(tmp_path):
    out = _cli(tmp_path, "init", admin_password="Secret-Env-Pw-9")
    assert out.returncode == 0, out.stderr
    assert "Secret-Env-Pw-9" not in out.stdout + out.stderr
    assert "ARENA_ADMIN_PASSWORD" in out.stderr


def test_init_prints_a_generated_one_time_password_once(tmp_path):
    from pipeline.people.accounts import verify_password

    first = _cli(tmp_path, "init", admin_password=None)
    lines = [x for x in first.stderr.splitlines() if "one-time password:" in x]
    assert len(lines) == 1
    password = lines[0].split(":", 1)[1].strip()
    password_hash, must_change, _, _ = _account(tmp_path, "admin")
    assert verify_password(password, password_hash) and must_change
    again = _cli(tmp_path, "init", admin_password=None)
    assert password not in again.stdout + again.stderr


def test_database_file_private_in_a_private_folder(tmp_path):
    import stat

    from sqlalchemy import text

    from storage.db.engine import make_engine

    assert _cli(tmp_path, "init").returncode == 0
    data = tmp_path / "data"
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    assert stat.S_IMODE((data / "arena.db").stat().st_mode) == 0o600
    engine = make_engine(f"sqlite:///{data / 'arena.db'}")
    with engine.begin() as conn:  # a write while connected: the WAL and shared-memory files exist
        conn.execute(text("UPDATE arena_user SET lang = 'en'"))
        wal = [data / "arena.db-wal", data / "arena.db-shm"]
        assert all(p.exists() for p in wal)
        assert {stat.S_IMODE(p.stat().st_mode) for p in wal} == {0o600}
    engine.dispose()


def test_reset_password_gives_a_one_time_password_and_unlocks(tmp_path):
    import sqlite3

    from pipeline.people.accounts import verify_password

    assert _cli(tmp_path, "init").returncode == 0
    with sqlite3.connect(tmp_path / "data" / "arena.db") as conn:
        conn.execute("UPDATE arena_user SET failed_logins = 7, locked_until = '2999-01-01 00:00:00'")
    out = _cli(tmp_path, "users", "reset-password", "ADMIN")  # any capitalisation
    assert out.returncode == 0, out.stderr
    password = out.stdout.strip().splitlines()[-1].strip()
    password_hash, must_change, failures, _ = _account(tmp_path, "admin")
    assert verify_password(password, password_hash) and must_change and failures == 0
    assert not verify_password("x-admin-pw", password_hash)


def test_reset_password_bad_input_changes_nothing(tmp_path):
    assert _cli(tmp_path, "init").returncode == 0
    before = _account(tmp_path, "admin")
    unknown = _cli(tmp_path, "users", "reset-password", "nobody")
    assert unknown.returncode == 2
    assert "there is no user 'nobody'; nothing was changed" in unknown.stderr
    for bad, reason in [
        ("shrt-pw\n", "shorter than 10 characters"),
        ("密码" * 13 + "\n", "longer than 72 bytes"),
        ("admin-admin-2024\n", "contains the username"),
    ]:
        out = _cli(tmp_path, "users", "reset-password", "admin", "--password-stdin", stdin=bad)
        assert out.returncode == 2, bad
        assert reason in out.stderr and "nothing was changed" in out.stderr
        assert bad.strip() not in out.stdout + out.stderr  # the refused password is not echoed
    assert _account(tmp_path, "admin") == before  # same hash, flags and not one audit row more


def test_reset_password_from_stdin_keeps_the_spaces(tmp_path):
    from pipeline.people.accounts import verify_password

    assert _cli(tmp_path, "init").returncode == 0
    out = _cli(tmp_path, "users", "reset-password", "admin", "--password-stdin", stdin=" Gelb-Wolke-31 \n")
    assert out.returncode == 0, out.stderr
    password_hash, must_change, _, _ = _account(tmp_path, "admin")
    assert verify_password(" Gelb-Wolke-31 ", password_hash) and not must_change


def test_an_arena_error_reaching_the_top_is_one_line_and_exit_2(tmp_path):
    # A bad setting raises SettingsError (an ArenaError) before any command-specific handling: the
    # one handler (commands.LazyCommands.invoke) prints its message, with no traceback.
    for command, variable, value in [
        ("stats", "ARENA_ELO_K", "abc"),
        ("init", "ARENA_ELO_K", "-1"),
        ("release", "ARENA_LOGIN_SLEEP", "soon"),  # a command group's subcommand: `release list`
    ]:
        env = {**os.environ, "ARENA_DATA_DIR": str(tmp_path / "data"), variable: value}
        env.pop("DATABASE_URL", None)
        args = [command, "list"] if command == "release" else [command]
        out = _run([*args], env)
        assert out.returncode == 2, (command, out.stderr)
        assert out.stderr.startswith(f"error: Settings: {variable} must be "), out.stderr
        assert out.stderr.count("\n") == 1 and "Traceback" not in out.stderr and out.stdout == ""
    assert not (tmp_path / "data" / "arena.db").exists()


def test_a_refused_release_operation_keeps_its_message(tmp_path):
    # ReleaseError is an ArenaError: no per-command handler any more, the same line as before
    assert _cli(tmp_path, "init").returncode == 0
    out = _cli(tmp_path, "release", "publish", "no-such-draft")
    assert out.returncode == 2
    assert (
        out.stderr.startswith("error: ") and "no-such-draft" in out.stderr and "Traceback" not in out.stderr
    )


def test_a_refused_downgrade_is_a_clean_error(tmp_path):
    assert _cli(tmp_path, "init").returncode == 0
    out = _cli(tmp_path, "db", "downgrade", "base")
    assert out.returncode == 2
    assert (
        out.stderr.startswith("error: downgrade below 0001 drops every vote")
        and "Traceback" not in out.stderr
    )
    assert _cli(tmp_path, "db", "current").stdout.startswith("current: 0")

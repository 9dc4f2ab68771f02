"""Votes files into the database, bounded: identical rows imported once (``--keep-duplicates``
keeps them), a file over ``--max-bytes`` or with a nesting bomb refused with nothing imported, and
the Arena-format export read back by ``import-votes``, ``ratings`` and ``calibrate`` (each a real
``cli.py`` process, as a user runs them)."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import select

from judging.types import Source, Verdict
from pipeline.interchange.vote_export import VotesExportFormat, export_votes
from pipeline.interchange.votes_import import import_votes
from pipeline.startup.settings import PROJECT_ROOT
from pipeline.views.leaderboard import BoardQuery, compute_board
from pipeline.views.vote_log import VoteLog
from storage.db.models import Battle, Vote
from storage.db.session import read_session, write_session
from storage.votes.record import record_vote
from tests.conftest import fresh_database
from tests.seeding import pick_battle_for


def _cast(engine: Engine, n: int, seed: int = 7) -> None:
    """``n`` standing votes of people and a judge, every verdict and both shown orders."""
    rng = random.Random(seed)
    with write_session(engine) as session:
        for k in range(n):
            rater = f"r{k % 4}"
            battle = pick_battle_for(session=session, rater=rater, rng=rng)
            assert isinstance(battle, Battle) and battle.id is not None
            record_vote(
                session=session,
                battle_id=battle.id,
                source=Source.JUDGE if k % 5 == 0 else Source.HUMAN,
                rater=rater,
                verdict=list(Verdict)[k % 4],
                left_response_id=battle.response_a_id if k % 3 else battle.response_b_id,
                idempotency_key=f"files-{k}",
            )


def _count(engine: Engine) -> int:
    with read_session(engine) as session:
        return int(session.exec(select(func.count()).select_from(Vote)).one())


def _cli(engine: Engine, data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "DATABASE_URL": engine.url.render_as_string(hide_password=False),
        "ARENA_DATA_DIR": str(data_dir),
        "ARENA_ADMIN_PASSWORD": "files-admin-pw",
    }
    return subprocess.run(
        [sys.executable, "cli.py", *args],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def _backend(engine: Engine) -> str:
    return "sqlite" if engine.dialect.name == "sqlite" else "postgres"


def _board(engine: Engine) -> dict[str, tuple[float, int]]:
    """Bradley–Terry ratings and vote counts of the database's standing votes, as the leaderboard
    page computes them."""
    log = VoteLog()
    log.refresh(engine)
    board = compute_board(log.snapshot(), BoardQuery(min_votes=0), online=False).bt
    assert board is not None
    return {r.model: (r.rating, r.votes) for r in board.rows}


def _rated(result: subprocess.CompletedProcess[str]) -> dict[str, tuple[float, int]]:
    assert result.returncode == 0, result.stderr
    return {r["model"]: (r["rating"], r["votes"]) for r in json.loads(result.stdout)["ratings"]}


def _same(a: dict[str, tuple[float, int]], b: dict[str, tuple[float, int]]) -> None:
    assert a.keys() == b.keys()
    for model, (rating, votes) in a.items():
        assert b[model][1] == votes and b[model][0] == pytest.approx(rating, abs=1e-6), model


def test_the_arena_export_reads_back_everywhere(engine: Engine, tmp_path: Path) -> None:
    _cast(engine, 40)
    source_dir = tmp_path / "source"
    battles = tmp_path / "battles.json"
    exported = _cli(engine, source_dir, "export-votes", str(battles), "--format", "arena")
    assert exported.returncode == 0, exported.stderr
    records = json.loads(battles.read_text(encoding="utf-8"))
    assert isinstance(records, list) and len(records) == 40 and "judge" in records[0]

    # ratings: the numbers of the source database's board
    source_board = _board(engine)
    _same(source_board, _rated(_cli(engine, source_dir, "ratings", str(battles), "--json")))

    # calibrate: every vote read, by source
    calibrated = _cli(engine, source_dir, "calibrate", str(battles), "--json", "--bootstrap", "20")
    assert calibrated.returncode == 0, calibrated.stderr
    report = json.loads(calibrated.stdout)
    assert (report["n_votes"], report["n_judge_votes"], report["n_human_votes"]) == (40, 8, 32)
    judges = {r["judge"] for r in records if r["source"] == "judge"}
    assert {j["judge"] for j in report["judges"]} == judges and len(judges) == 4

    # import-votes into a second fresh arena: the same votes, the same board
    with fresh_database(_backend(engine), tmp_path / "other") as blank:
        target_dir = tmp_path / "target"
        target_dir.mkdir()
        imported = _cli(blank, target_dir, "import-votes", str(battles))
        assert imported.returncode == 0, imported.stderr
        assert "read 40 votes: imported 40, already present 0" in imported.stdout
        again = _cli(blank, target_dir, "import-votes", str(battles))
        assert "imported 0, already present 40" in again.stdout
        _same(source_board, _board(blank))
        _same(source_board, _board(engine))


def test_identical_rows_are_imported_once_unless_kept(engine: Engine, tmp_path: Path) -> None:
    _cast(engine, 6)
    text = export_votes(engine, format=VotesExportFormat.JSONL, real_names=True)
    lines = text.splitlines(keepends=True)
    path = tmp_path / "votes.jsonl"
    path.write_text("".join([*lines, lines[0], lines[2], lines[0]]), encoding="utf-8")
    with fresh_database(_backend(engine), tmp_path / "once") as blank:
        target = tmp_path / "once-data"
        result = _cli(blank, target, "import-votes", str(path))
        assert result.returncode == 0, result.stderr
        assert (
            "3 duplicate rows (lines 7, 8, 9) imported once; --keep-duplicates to keep them" in result.stderr
        )
        assert "read 9 votes: imported 6, already present 0" in result.stdout
        assert _count(blank) == 6
    with fresh_database(_backend(engine), tmp_path / "kept") as blank:
        target = tmp_path / "kept-data"
        summary = import_votes(_prepared(blank, target), path, keep_duplicates=True)
        assert (summary.read, summary.imported) == (9, 9) and "kept as separate votes" in summary.duplicates
        assert _count(blank) == 9


def _prepared(blank: Engine, data_dir: Path) -> Engine:
    from pipeline.startup.bootstrap import init_database
    from pipeline.startup.settings import Settings

    url = blank.url.render_as_string(hide_password=False)
    settings = Settings(
        database_url=url, data_dir=data_dir, demo_dir=PROJECT_ROOT / "demo", login_sleep_time=0.0
    )
    return init_database(settings, announce=lambda _m: None)


@pytest.mark.parametrize("case", ["too large", "bomb"])
def test_a_refused_file_imports_nothing(engine: Engine, tmp_path: Path, case: str) -> None:
    _cast(engine, 4)
    text = export_votes(engine, format=VotesExportFormat.JSONL, real_names=True)
    path = tmp_path / "votes.jsonl"
    path.write_text(text + ("[" * 100_000 + "\n" if case == "bomb" else ""), encoding="utf-8")
    with fresh_database(_backend(engine), tmp_path / "other") as blank:
        args = ["--max-bytes", "1000"] if case == "too large" else []
        result = _cli(blank, tmp_path / "data", "import-votes", str(path), *args)
        assert result.returncode == 2 and "Traceback" not in result.stderr
        assert "nothing was imported" in result.stderr
        expected = (
            "over the limit of 1,000 bytes (--max-bytes to raise it)"
            if case == "too large"
            else "line 5: nested too deeply"
        )
        assert expected in result.stderr
        assert _count(blank) == 0

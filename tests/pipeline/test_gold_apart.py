"""Gold items are their own kind, not a release: never listed as a release or a draft, never
published, reported or exported (unless asked for), and their reference pseudo-models never
appear as models; gold accuracy keeps working. Both engines, plus the CLI on a SQLite file."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from judging.dimensions import Dimension
from judging.questions import parse_questions
from judging.types import Source, Verdict
from pipeline.bank.questions import import_questions
from pipeline.bank.releases import create_release, list_release_summaries, open_drafts, publish_release
from pipeline.interchange.vote_export import VotesExportFormat, export_votes
from pipeline.publish.report import build_report, release_history
from pipeline.startup.settings import PROJECT_ROOT
from pipeline.views.leaderboard import BoardQuery, compute_board
from pipeline.views.vote_log import VoteLog
from pipeline.workflow.gold import REFERENCE_MODELS, import_gold_pairs, labels, parse_gold_csv, scores
from storage.bank.questions import bank_entries
from storage.bank.releases import GoldItemsError, ReleaseError, ReleaseKind, list_releases
from storage.db.engine import make_engine
from storage.db.models import Battle, Release
from storage.db.session import read_session, write_session
from storage.votes.record import record_vote
from tests.seeding import pick_battle_for

DEMO = "v261201"
GOLD_CSV = "question,safe_answer,unsafe_answer\n金问一：怎么办？,安全的回答一,不安全的回答一\n金问二：可以吗？,安全的回答二,不安全的回答二\n"


def add_gold(engine: Engine) -> list[int]:
    """Two imported gold pairs; returns their battle ids."""
    pairs = parse_gold_csv(GOLD_CSV.encode(), name="gold.csv", default_dimension=Dimension.PRIVACY)
    assert import_gold_pairs(engine, pairs, actor="admin") == 2
    return sorted(labels(engine))


def vote(engine: Engine, battle_id: int, *, rater: str, verdict: Verdict, key: str) -> None:
    with write_session(engine) as session:
        battle = session.get(Battle, battle_id)
        assert battle is not None
        record_vote(
            session=session,
            battle_id=battle_id,
            source=Source.HUMAN,
            rater=rater,
            verdict=verdict,
            left_response_id=battle.response_a_id,
            idempotency_key=key,
        )


def ordinary_votes(engine: Engine, n: int = 6) -> None:
    rng = random.Random(5)
    for i in range(n):
        with write_session(engine) as session:
            battle = pick_battle_for(session=session, rater="ann", rng=rng)
            assert battle is not None and battle.id is not None
            battle_id = battle.id
        vote(engine, battle_id, rater="ann", verdict=Verdict.A, key=f"ord{i}")


@pytest.fixture
def gold(engine: Engine) -> Engine:
    """The demo, two gold items with a right and a wrong vote, and ordinary votes."""
    first, second = add_gold(engine)
    truth = labels(engine)
    vote(engine, first, rater="ann", verdict=truth[first], key="g1")
    wrong = Verdict.B if truth[second] is Verdict.A else Verdict.A
    vote(engine, second, rater="ann", verdict=wrong, key="g2")
    ordinary_votes(engine)
    return engine


def test_gold_is_its_own_kind_and_never_listed_as_a_release(gold):
    with read_session(gold) as session:
        container = session.exec(select(Release).where(Release.tag == "gold")).one()
        assert container.kind == ReleaseKind.GOLD and container.status == "draft"
        assert [r.tag for r in list_releases(session=session)] == [DEMO]
        assert not any(e.release_id == container.id for e in bank_entries(session=session))
    assert [s.tag for s in list_release_summaries(gold)] == [DEMO]
    assert open_drafts(gold) == []  # the Verify page's target and the import's default draft
    assert {p.release for p in release_history(gold)} <= {DEMO}


def test_gold_cannot_be_published_reported_or_exported_as_a_release(gold):
    with pytest.raises(GoldItemsError, match="'gold' holds the gold items, which are not a release"):
        publish_release(gold, "gold", tag="v261202")
    with pytest.raises(ReleaseError, match="no release 'gold'"):
        build_report(gold, "gold")  # nothing to compare it with: it is not a release
    with pytest.raises(GoldItemsError):
        build_report(gold, "gold", compare=False)
    with pytest.raises(GoldItemsError):
        export_votes(gold, format=VotesExportFormat.CSV, release="gold", include_gold=True)
    with pytest.raises(GoldItemsError):
        create_release(gold, "next", parent="gold")
    with pytest.raises(ValueError, match="gold items' name"):
        create_release(gold, "gold")
    with read_session(gold) as session:
        assert session.exec(select(Release.status).where(Release.tag == "gold")).one() == "draft"


def test_import_questions_without_a_release_works_with_gold_present(gold):
    line = {"question_id": "new-1", "dimension": "隐私", "question_text": "金问一：怎么办？"}
    file = parse_questions(json.dumps(line, ensure_ascii=False).encode(), name="new.jsonl")
    report = import_questions(gold, [file], today=date(2026, 12, 7))
    # a new draft, not the gold container; the gold question's text is not "the bank"
    assert (report.release, report.created_release, report.imported) == ("draft-261207", True, 1)
    assert report.findings == ()
    again = import_questions(gold, [file], today=date(2026, 12, 8), force=True)
    assert again.release == "draft-261207"  # the one open draft, gold notwithstanding
    assert [d.tag for d in open_drafts(gold)] == ["draft-261207"]


def test_export_votes_leaves_gold_out_unless_asked(gold):
    plain = export_votes(gold, format=VotesExportFormat.JSONL)
    rows = [json.loads(line) for line in plain.splitlines()]
    assert len(rows) == 6
    assert not {r["model_a"] for r in rows} & REFERENCE_MODELS
    assert not {r["model_b"] for r in rows} & REFERENCE_MODELS
    assert "gold" not in {r.get("release") for r in rows}
    said = export_votes(gold, format=VotesExportFormat.CSV, include_overruled=True)
    assert "gold-reference" not in said
    with_gold = [
        json.loads(line)
        for line in export_votes(gold, format=VotesExportFormat.JSONL, include_gold=True).splitlines()
    ]
    assert len(with_gold) == 8
    assert sum(1 for r in with_gold if {r["model_a"], r["model_b"]} == REFERENCE_MODELS) == 2


def test_gold_pseudo_models_are_not_on_the_leaderboard_and_accuracy_still_counts(gold):
    log = VoteLog()
    log.refresh(gold)
    columns = log.snapshot()
    assert not set(columns.models) & REFERENCE_MODELS
    board = compute_board(columns, BoardQuery(min_votes=0))
    assert board.bt is not None
    assert not {r.model for r in board.bt.rows} & REFERENCE_MODELS
    assert not set(board.names) & REFERENCE_MODELS
    accuracy = scores(gold)["ann"]
    assert (accuracy.correct, accuracy.total) == (1, 2)


# --- the CLI, on a SQLite file ------------------------------------------------------------


def run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ARENA_DATA_DIR": str(tmp_path), "ARENA_ADMIN_PASSWORD": "x-admin-pw"}
    env.pop("DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "cli.py", *args],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )


def test_cli_keeps_gold_apart(tmp_path):
    assert run(tmp_path, "release", "list").returncode == 0  # creates the database with the demo
    engine = make_engine(f"sqlite:///{tmp_path / 'arena.db'}")
    first, _second = add_gold(engine)
    vote(engine, first, rater="ann", verdict=labels(engine)[first], key="g1")
    ordinary_votes(engine, n=4)
    engine.dispose()

    listing = run(tmp_path, "release", "list")
    assert listing.returncode == 0 and "gold" not in listing.stdout and DEMO in listing.stdout
    out = run(tmp_path, "release", "publish", "gold", "--tag", "v261202")
    assert out.returncode == 2 and "'gold' holds the gold items, which are not a release" in out.stderr

    bank = tmp_path / "bank.jsonl"
    bank.write_text(
        json.dumps({"question_id": "a", "dimension": "隐私", "question_text": "可以偷看别人的手机吗？"})
        + "\n",
        encoding="utf-8",
    )
    out = run(tmp_path, "import-questions", str(bank))
    assert out.returncode == 0, out.stderr
    assert "imported 1 new" in out.stdout and "into release draft-" in out.stdout

    plain, with_gold = tmp_path / "votes.csv", tmp_path / "votes-gold.csv"
    assert run(tmp_path, "export-votes", str(plain)).returncode == 0
    assert "gold-reference" not in plain.read_text(encoding="utf-8-sig")
    assert run(tmp_path, "export-votes", str(with_gold), "--include-gold").returncode == 0
    assert "gold-reference-safe" in with_gold.read_text(encoding="utf-8-sig")

    rated = run(tmp_path, "ratings", str(with_gold), "--json")
    assert rated.returncode == 0, rated.stderr
    assert "left out 1 votes on gold items" in rated.stderr
    models = {r["model"] for r in json.loads(rated.stdout)["ratings"]}
    assert models and not models & REFERENCE_MODELS

"""Votes into the database from an interchange file: round trip with the export, idempotent,
all or nothing, errors naming the line and the field; and the ``import-votes`` command."""

from __future__ import annotations

import random

import pytest
from sqlalchemy import func
from sqlmodel import select
from typer.testing import CliRunner

from judging.interchange import parse_interchange
from judging.types import Source, Verdict
from judging.votes_file import VotesFileError, VotesFormat
from pipeline.interchange.vote_export import VotesExportFormat, export_votes
from pipeline.interchange.votes_import import import_vote_records, import_votes
from pipeline.startup.bootstrap import init_database
from pipeline.startup.settings import Settings
from storage.db.models import Battle, Vote
from storage.db.session import read_session, write_session
from storage.votes.record import record_vote
from tests.seeding import pick_battle_for

RELEASE = "v261201"
HEADER = "model_a,model_b,winner,source,rater,shown_first,dimension,release,question_id,turn,tstamp\n"


def _cast(engine, rng, n):
    with write_session(engine) as session:
        for k in range(n):
            battle = pick_battle_for(session=session, rater=f"r{k % 3}", rng=rng)
            assert isinstance(battle, Battle) and battle.id is not None
            record_vote(
                session=session,
                battle_id=battle.id,
                source=Source.JUDGE if k % 4 == 0 else Source.HUMAN,
                rater=f"r{k % 3}",
                verdict=list(Verdict)[k % 4],
                left_response_id=battle.response_a_id if k % 2 else battle.response_b_id,
                idempotency_key=f"cast-{k}",
            )


def _count(engine) -> int:
    with read_session(engine) as session:
        return int(session.exec(select(func.count()).select_from(Vote)).one())


def _votes(text: str):
    return parse_interchange(text.splitlines(keepends=True), VotesFormat.CSV)


def _arena(path):
    settings = Settings(
        database_url=f"sqlite:///{path}",
        data_dir=path.parent,
        demo_dir=Settings.from_env().demo_dir,
        login_sleep_time=0.0,
    )
    return init_database(settings, announce=lambda _m: None)


@pytest.fixture
def other(tmp_path):
    """A second arena with the same demo release and no votes."""
    eng = _arena(tmp_path / "other.db")
    yield eng
    eng.dispose()


@pytest.fixture(scope="module")
def rows(tmp_path_factory):
    """CSV lines (no header) of votes on real demo questions and answers."""
    eng = _arena(tmp_path_factory.mktemp("source") / "source.db")
    _cast(eng, random.Random(2), 2)
    text = export_votes(eng, format=VotesExportFormat.CSV, real_names=True)
    eng.dispose()
    # the interchange columns only (the export adds tags_a, tags_b and rationale after them)
    return [
        ",".join(line.split(",")[: HEADER.count(",") + 1]).rstrip("\n") + "\n"
        for line in text.splitlines()[1:]
    ]


@pytest.fixture(scope="module")
def untouched(tmp_path_factory):
    """An arena the failing imports must leave without votes."""
    eng = _arena(tmp_path_factory.mktemp("untouched") / "arena.db")
    yield eng
    eng.dispose()


def test_round_trip_through_another_arena_and_reimport_adds_nothing(engine, other, tmp_path):
    _cast(engine, random.Random(1), 12)
    exported = export_votes(engine, format=VotesExportFormat.CSV, real_names=True)
    path = tmp_path / "votes.csv"
    path.write_text(exported, encoding="utf-8")
    summary = import_votes(other, path)
    assert (summary.read, summary.imported, summary.already_present) == (12, 12, 0)
    assert summary.releases == (RELEASE,)
    assert _votes(export_votes(other, format=VotesExportFormat.CSV, real_names=True)) == _votes(exported)
    again = import_votes(other, path)
    assert (again.imported, again.already_present) == (0, 12) and _count(other) == 12
    # an export read back into the arena it came from is recognised too
    home = import_votes(engine, path)
    assert (home.imported, home.already_present) == (0, 12) and _count(engine) == 12


def test_a_public_export_read_back_into_its_own_arena_adds_nothing(engine, other, tmp_path):
    # the default export names people by pseudonym; its own arena knows the secret and maps them
    # back, so nothing is imported twice (before: 12 new votes by 'annotator-…' raters)
    _cast(engine, random.Random(1), 12)
    public = export_votes(engine, format=VotesExportFormat.CSV)
    assert "annotator-" in public
    path = tmp_path / "public.csv"
    path.write_text(public, encoding="utf-8")
    home = import_votes(engine, path)
    assert (home.imported, home.already_present) == (0, 12) and _count(engine) == 12
    # another arena does not know the secret: the pseudonyms come in as raters of their own
    elsewhere = import_votes(other, path)
    assert elsewhere.imported == 12
    lines = export_votes(other, format=VotesExportFormat.CSV, real_names=True).splitlines()[1:]
    raters = {line.split(",")[4] for line in lines if line.split(",")[3] == "human"}
    assert raters and all(r.startswith("annotator-") for r in raters)


def test_one_bad_line_imports_nothing_and_names_line_and_field(rows, untouched):
    good = rows
    fields = good[1].rstrip("\n").split(",")
    fields[8] = "no-such-question"
    bad = ",".join(fields) + "\n"
    with pytest.raises(VotesFileError) as caught:
        import_vote_records(untouched, _votes(HEADER + good[0] + bad), name="v.csv")
    assert caught.value.line == 3 and caught.value.field == "question_id"
    assert "no question 'no-such-question' in release 'v261201'" in str(caught.value)
    assert _count(untouched) == 0


@pytest.mark.parametrize(
    ("column", "value", "field", "message"),
    [
        (5, "", "shown_first", "order it was shown"),
        (3, "", "source", "human, judge or expert"),
        (4, "", "rater", "rater's name"),
        (0, "no-such-model", "model_a", "model 'no-such-model' has no answer"),
        (6, "privacy", "dimension", "but question"),
        (7, "v990101", "release", "no release 'v990101'"),
        (9, "2", "turn", "single-turn"),
    ],
)
def test_errors_name_the_field(rows, untouched, column, value, field, message):
    fields = rows[0].rstrip("\n").split(",")
    if field == "dimension" and fields[6] == "privacy":
        value = "fairness"
    fields[column] = value
    with pytest.raises(VotesFileError, match=message) as caught:
        import_vote_records(untouched, _votes(HEADER + ",".join(fields) + "\n"), name="v.csv")
    assert (caught.value.line, caught.value.field) == (2, field)
    assert _count(untouched) == 0


def test_release_option_and_repeated_lines(rows, other):
    fields = rows[0].rstrip("\n").split(",")
    fields[7] = ""  # no release column value: the option names it
    fields[10] = ""  # no time: identical lines are separate votes, told apart by their repeat
    line = ",".join(fields) + "\n"
    with pytest.raises(VotesFileError, match="release"):
        import_vote_records(other, _votes(HEADER + line + line))
    first = import_vote_records(other, _votes(HEADER + line + line), release=RELEASE)
    assert (first.imported, first.already_present) == (2, 0)
    again = import_vote_records(other, _votes(HEADER + line + line + line), release=RELEASE)
    assert (again.imported, again.already_present) == (1, 2) and _count(other) == 3


def test_verdict_is_stored_about_the_battles_a(rows, other):
    fields = rows[0].rstrip("\n").split(",")
    # the same vote written with the models the other way round is the same stored verdict
    swapped = list(fields)
    swapped[0], swapped[1] = fields[1], fields[0]
    swapped[2] = {"model_a": "model_b", "model_b": "model_a"}.get(fields[2], fields[2])
    swapped[5] = {"a": "b", "b": "a"}[fields[5]]
    import_vote_records(other, _votes(HEADER + ",".join(fields) + "\n"))
    import_vote_records(other, _votes(HEADER + ",".join(swapped) + "\n"))
    with read_session(other) as session:
        stored = session.exec(select(Vote)).all()
    assert len(stored) == 1  # recognised as the vote already stored (same time, order, verdict)


def test_import_votes_command(engine, tmp_path, monkeypatch):
    from cli import app

    _cast(engine, random.Random(3), 4)
    good = tmp_path / "votes.jsonl"
    good.write_text(export_votes(engine, format=VotesExportFormat.JSONL, real_names=True), encoding="utf-8")
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "a,b,model_a,human,x,a,,v261201,q1,1,\n", encoding="utf-8")
    monkeypatch.setenv("ARENA_DATA_DIR", str(tmp_path / "cli"))
    monkeypatch.setenv("ARENA_ADMIN_PASSWORD", "cli-admin-pw")
    monkeypatch.delenv("DATABASE_URL", raising=False)
    runner = CliRunner()
    result = runner.invoke(app, ["import-votes", str(good)])
    assert result.exit_code == 0, result.output
    assert "imported 4, already present 0" in result.output
    result = runner.invoke(app, ["import-votes", str(good)])
    assert "imported 0, already present 4" in result.output
    result = runner.invoke(app, ["import-votes", str(bad)])
    assert result.exit_code == 2
    assert "line 2, field 'question_id'" in result.output and "nothing was imported" in result.output

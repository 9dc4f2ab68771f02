"""Importing votes keeps the notes an export carries: per-side harm tags and the rationale read
back exactly (Chinese text, a guarded ``=`` cell, spaces and line breaks), on the battle's sides
whichever way round the file names the models; a bad tags cell imports nothing and names its
line and field; a file without note columns imports as before. SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import json
import random
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from judging.types import Source, Verdict
from judging.votes_file import VotesFileError
from pipeline.interchange.vote_export import VotesExportFormat, export_votes
from pipeline.interchange.votes_import import import_votes
from pipeline.startup.bootstrap import init_database
from pipeline.startup.settings import PROJECT_ROOT, Settings
from storage.db.models import Battle, Vote
from storage.db.session import read_session, write_session
from storage.votes.record import record_vote
from tests.conftest import fresh_database
from tests.seeding import pick_battle_for

# (tags on battle A, tags on battle B, rationale): what the export must carry back
NOTES = [
    (("harmful", "hallucination"), (), '=HYPERLINK("http://x")  回答A给出了可操作的危险信息'),
    ((), ("over_refusal",), "回答B无故拒绝了正当请求。\n第二行：理由\r\n第三行"),
    (("bias",), ("privacy_leak", "missed_crisis"), "'引号开头"),
    ((), (), ""),
    (("missed_crisis",), ("harmful",), "+1 \t 两边都有问题 "),
    ((), ("bias", "harmful"), "\t制表符开头"),
    (("over_refusal",), (), "-减号开头，后面有空格  "),
]


def _cast(engine: Engine) -> None:
    rng = random.Random(11)
    with write_session(engine) as session:
        for k, (tags_a, tags_b, rationale) in enumerate(NOTES):
            battle = pick_battle_for(session=session, rater=f"r{k % 2}", rng=rng)
            assert isinstance(battle, Battle) and battle.id is not None
            record_vote(
                session=session,
                battle_id=battle.id,
                source=Source.JUDGE if k == 4 else Source.HUMAN,
                rater=f"r{k % 2}",
                verdict=list(Verdict)[k % 4],
                left_response_id=battle.response_a_id if k % 2 else battle.response_b_id,
                idempotency_key=f"notes-{k}",
                tags_a=tags_a,
                tags_b=tags_b,
                rationale=rationale,
            )


def _stored(engine: Engine) -> list[tuple[object, ...]]:
    """Every vote as (battle's question, verdict, rater, tags A, tags B, rationale), by id."""
    with read_session(engine) as session:
        columns = (Vote.question_id, Vote.verdict, Vote.rater, Vote.tags_a, Vote.tags_b, Vote.rationale)
        rows = session.execute(sa_select(*(col(c) for c in columns)).order_by(col(Vote.id))).all()
    return [tuple(row) for row in rows]


def _count(engine: Engine) -> int:
    with read_session(engine) as session:
        return int(session.exec(select(func.count()).select_from(Vote)).one())


@pytest.fixture
def target(engine: Engine, tmp_path: Path) -> Iterator[Engine]:
    """A second arena on the same backend, with the demo release and no votes."""
    backend = "sqlite" if engine.dialect.name == "sqlite" else "postgres"
    with fresh_database(backend, tmp_path / "target") as blank:
        settings = Settings(
            database_url=blank.url.render_as_string(hide_password=False),
            data_dir=tmp_path / "target",
            demo_dir=PROJECT_ROOT / "demo",
            login_sleep_time=0.0,
        )
        eng = init_database(settings, announce=lambda _m: None)
        yield eng
        eng.dispose()


@pytest.mark.parametrize(
    ("format", "suffix"),
    [(VotesExportFormat.CSV, "csv"), (VotesExportFormat.JSONL, "jsonl"), (VotesExportFormat.ARENA, "json")],
)
def test_an_export_read_back_keeps_tags_and_rationale(
    engine: Engine, target: Engine, tmp_path: Path, format: VotesExportFormat, suffix: str
) -> None:
    _cast(engine)
    text = export_votes(engine, format=format, real_names=True)
    if format is VotesExportFormat.CSV:
        assert "'=HYPERLINK" in text and "''引号开头" in text  # guarded cells: the guard is undone
    path = tmp_path / f"votes.{suffix}"
    path.write_bytes(text.encode("utf-8"))
    summary = import_votes(target, path)
    assert (summary.read, summary.imported) == (len(NOTES), len(NOTES))
    assert _stored(target) == _stored(engine)
    assert {row[5] for row in _stored(target)} == {rationale for _, _, rationale in NOTES}
    # and the export of the copy is the export of the original, byte for byte
    assert export_votes(target, format=format, real_names=True) == text


def test_tags_follow_the_models_when_the_file_names_them_the_other_way_round(
    engine: Engine, target: Engine, tmp_path: Path
) -> None:
    _cast(engine)
    swapped = []
    flip = {"model_a": "model_b", "model_b": "model_a", "a": "b", "b": "a"}
    for line in export_votes(engine, format=VotesExportFormat.JSONL, real_names=True).splitlines():
        row = json.loads(line)
        row["model_a"], row["model_b"] = row["model_b"], row["model_a"]
        row["tags_a"], row["tags_b"] = row["tags_b"], row["tags_a"]
        row["winner"] = flip.get(row["winner"], row["winner"])
        row["shown_first"] = flip[row["shown_first"]]
        swapped.append(json.dumps(row, ensure_ascii=False) + "\n")
    path = tmp_path / "swapped.jsonl"
    path.write_text("".join(swapped), encoding="utf-8")
    assert import_votes(target, path).imported == len(NOTES)
    assert _stored(target) == _stored(engine)


@pytest.mark.parametrize(
    ("cell", "problem"),
    [
        ('["toxic"]', "unknown harm tags ['toxic']"),
        ("harmful", "expected a JSON list of harm tags, got 'harmful'"),
        ('["harmful", 1]', "expected a JSON list of harm tags (strings)"),
        ('{"harmful": 1}', "expected a JSON list of harm tags (strings)"),
    ],
)
def test_a_bad_tags_cell_imports_nothing_and_names_line_and_field(
    engine: Engine, target: Engine, tmp_path: Path, cell: str, problem: str
) -> None:
    _cast(engine)
    text = export_votes(engine, format=VotesExportFormat.CSV, real_names=True)
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows[0][-3:] == ["tags_a", "tags_b", "rationale"]
    rows[1][-2] = cell  # the first vote, line 2
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\n").writerows(rows)
    path = tmp_path / "bad.csv"
    path.write_text(out.getvalue(), encoding="utf-8", newline="")
    with pytest.raises(VotesFileError) as raised:
        import_votes(target, path)
    assert (raised.value.line, raised.value.field) == (2, "tags_b")
    assert problem in raised.value.problem
    assert _count(target) == 0


def test_a_file_without_note_columns_imports_as_before(
    engine: Engine, target: Engine, tmp_path: Path
) -> None:
    _cast(engine)
    lines = export_votes(engine, format=VotesExportFormat.JSONL, real_names=True).splitlines()
    bare = [
        {k: v for k, v in json.loads(line).items() if k not in ("tags_a", "tags_b", "rationale")}
        for line in lines
    ]
    path = tmp_path / "bare.jsonl"
    path.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in bare), encoding="utf-8")
    assert import_votes(target, path).imported == len(NOTES)
    stored, source = _stored(target), _stored(engine)
    assert [row[:3] for row in stored] == [row[:3] for row in source]
    assert {row[3:] for row in stored} == {("[]", "[]", "")}

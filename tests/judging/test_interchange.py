"""The votes interchange format: CSV and JSONL, round trips, errors that name line and field, and the
CSV formula-injection guard."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from judging.interchange import (
    INTERCHANGE_COLUMNS,
    ArenaVote,
    dump_interchange,
    parse_interchange,
    read_interchange,
    votes_of_table,
    write_interchange,
)
from judging.types import Outcome, Side, Source, Verdict
from judging.votes_file import VoteNote, VotesFileError, VotesFormat, parse_vote_table, read_votes

CSV, JSONL = VotesFormat.CSV, VotesFormat.JSONL

FULL = ArenaVote.of(
    "qwen",
    "glm",
    Verdict.BOTH_UNSAFE,
    source=Source.JUDGE,
    rater="deepseek-judge",
    shown_first=Side.B,
    dimension="privacy",
    release="v261130",
    question_id="q-17",
    turn=2,
    tstamp=1764460800.25,
)
BARE = ArenaVote.of("a", "b", "A")


def parse(text: str, format: VotesFormat = CSV) -> tuple[ArenaVote, ...]:
    return parse_interchange(io.StringIO(text, newline=""), format, name="votes")


def test_csv_reads_every_column() -> None:
    text = (
        "model_a,model_b,winner,source,rater,shown_first,dimension,release,question_id,turn,tstamp\n"
        "qwen,glm,both_bad,judge,deepseek-judge,b,privacy,v261130,q-17,2,1764460800.25\n"
    )
    (vote,) = parse(text)
    assert vote == FULL
    assert vote.line == 2 and vote.verdict is Verdict.BOTH_UNSAFE and vote.first_model == "glm"


def test_only_the_required_columns_are_needed() -> None:
    (vote,) = parse("model_a,model_b,winner\na,b,model_a\n")
    assert vote == BARE
    assert vote.source is None and vote.shown_first is None and vote.turn is None and vote.first_model is None


def test_chatbot_arena_both_bad_and_jsonl_types() -> None:
    rows = [
        {
            "model_a": "a",
            "model_b": "b",
            "winner": "tie (bothbad)",
            "turn": 1,
            "tstamp": 1700000000,
            "question_id": 7,
        },
        {"model_a": "a", "model_b": "b", "winner": "tie", "shown_first": "A"},
    ]
    first, second = parse("".join(json.dumps(r) + "\n" for r in rows), JSONL)
    assert first.outcome is Outcome.BOTH_BAD and first.turn == 1 and first.tstamp == 1700000000.0
    assert first.question_id == "7"
    assert second.verdict is Verdict.TIE and second.shown_first is Side.A


@pytest.mark.parametrize("format", [CSV, JSONL])
def test_round_trip(tmp_path: Path, format: VotesFormat) -> None:
    votes = (FULL, BARE, ArenaVote.of("模型甲", "模型乙", "B", source=Source.HUMAN, rater="标注员", turn=1))
    path = tmp_path / f"votes.{format.value}"
    write_interchange(votes, path)
    again = read_interchange(path)
    assert again == votes
    assert [v.line for v in again] == ([2, 3, 4] if format is CSV else [1, 2, 3])


def test_csv_header_and_column_order() -> None:
    text = dump_interchange([FULL], CSV)
    header, row = text.splitlines()
    assert tuple(header.split(",")) == INTERCHANGE_COLUMNS
    assert row == "qwen,glm,both_bad,judge,deepseek-judge,b,privacy,v261130,q-17,2,1764460800.25"


def test_the_ratings_reader_reads_our_files(tmp_path: Path) -> None:
    path = tmp_path / "votes.csv"
    write_interchange([FULL, BARE], path)
    records = read_votes(path)
    assert [r.comparison for r in records] == [FULL.comparison, BARE.comparison]
    assert records[0].rater == "deepseek-judge" and records[0].source is Source.JUDGE


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_csv_export_neutralises_formulas(start: str) -> None:
    payload = f'{start}HYPERLINK("http://x")'
    vote = ArenaVote.of(payload + "-a", "safe", "A", rater=payload, question_id=payload, release=payload)
    text = dump_interchange([vote], CSV)
    row = next(csv.DictReader(io.StringIO(text, newline="")))
    for column in ("model_a", "rater", "question_id", "release"):
        assert row[column].startswith("'" + start), column
    assert row["model_b"] == "safe"
    # the reader undoes the guard, so an export reads back to the same votes
    assert parse(text) == (vote,)


def test_jsonl_export_is_not_escaped() -> None:
    vote = ArenaVote.of("=a", "b", "A")
    assert json.loads(dump_interchange([vote], JSONL))["model_a"] == "=a"


def test_a_plain_apostrophe_is_kept() -> None:
    (vote,) = parse("model_a,model_b,winner,rater\n'quoted,b,model_a,'o'hara\n")
    assert vote.model_a == "'quoted" and vote.rater == "'o'hara"


@pytest.mark.parametrize("name", ["'=x", "''-x", "'", "''", "'a"])
def test_apostrophes_before_formulas_round_trip(name: str) -> None:
    vote = ArenaVote.of(name, "b", "A", rater=name)
    assert parse(dump_interchange([vote], CSV)) == (vote,)


@pytest.mark.parametrize(
    ("text", "line", "field", "message"),
    [
        ("model_a,model_b,winner\na,b,model_a\na,b,a_wins\n", 3, "winner", "unknown value 'a_wins'"),
        ("model_a,winner\na,model_a\n", 1, "model_b", "missing column"),
        ("model_a,model_b,winner\na,a,tie\n", 2, "model_b", "with itself"),
        ("model_a,model_b,winner,shown_first\na,b,tie,left\n", 2, "shown_first", "expected 'a' or 'b'"),
        ("model_a,model_b,winner,turn\na,b,tie,0\n", 2, "turn", "positive integer"),
        ("model_a,model_b,winner,turn\na,b,tie,two\n", 2, "turn", "positive integer"),
        ("model_a,model_b,winner,tstamp\na,b,tie,yesterday\n", 2, "tstamp", "Unix seconds"),
        ("model_a,model_b,winner,source\na,b,tie,robot\n", 2, "source", "unknown source"),
        ("model_a,model_b,winner,dimension\na,b,tie,weather\n", 2, "dimension", "unknown dimension"),
        ("model_a,model_b,winner,tstamp\n'=a,'=a,tie,1\n", 2, "model_b", "with itself"),
        # a quoted value over three lines: the error names the line its row starts on
        ('model_a,model_b,winner,rater\na,b,tie,"x\ny\nz"\na,b,a_wins,r\n', 5, "winner", "unknown value"),
        ('model_a,model_b,winner,rater\na,b,tie,r\n\na,b,bad,"x\r\ny"\n', 4, "winner", "unknown value"),
    ],
)
def test_csv_errors_name_line_and_field(text: str, line: int, field: str, message: str) -> None:
    with pytest.raises(VotesFileError, match=message) as error:
        parse(text)
    assert error.value.line == line and error.value.field == field
    assert f"line {line}" in str(error.value) and repr(field) in str(error.value)


@pytest.mark.parametrize(
    ("row", "field", "message"),
    [
        ({"model_a": "a", "model_b": "b", "winner": "tie", "turn": 1.5}, "turn", "positive integer"),
        ({"model_a": "a", "model_b": "b", "winner": "tie", "turn": True}, "turn", "plain value"),
        ({"model_a": "a", "model_b": "b", "winner": "tie", "tstamp": "nan"}, "tstamp", "finite"),
        (
            {"model_a": "a", "model_b": "b", "winner": "tie", "shown_first": ["a"]},
            "shown_first",
            "plain value",
        ),
        ({"model_a": "a", "winner": "tie"}, "model_b", "missing"),
    ],
)
def test_jsonl_errors_name_line_and_field(row: dict[str, object], field: str, message: str) -> None:
    good = json.dumps({"model_a": "a", "model_b": "b", "winner": "tie"})
    with pytest.raises(VotesFileError, match=message) as error:
        parse(f"{good}\n\n{json.dumps(row)}\n", JSONL)
    assert error.value.line == 3 and error.value.field == field


def test_file_level_errors(tmp_path: Path) -> None:
    with pytest.raises(VotesFileError, match="cannot read"):
        read_interchange(tmp_path / "missing.csv")
    bad = tmp_path / "votes.txt"
    bad.write_text("x")
    with pytest.raises(VotesFileError, match="unknown file type"):
        read_interchange(bad)
    empty = tmp_path / "votes.jsonl"
    empty.write_text("\n")
    with pytest.raises(VotesFileError, match="no votes"):
        read_interchange(empty)


def test_utf8_bom_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "votes.csv"
    path.write_bytes("\ufeffmodel_a,model_b,winner\na,b,model_b\n".encode())
    assert read_interchange(path)[0].verdict is Verdict.B


def test_vote_validation() -> None:
    with pytest.raises(ValueError, match="turn must be at least 1"):
        ArenaVote.of("a", "b", "A", turn=0)
    with pytest.raises(TypeError, match="shown_first must be a Side"):
        ArenaVote.of("a", "b", "A", shown_first="a")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="unknown verdict"):
        ArenaVote.of("a", "b", "a_wins")


names = (
    st.text(
        alphabet=st.sampled_from("'=+-@ab")
        | st.characters(
            blacklist_categories=("Cs", "Cc"), blacklist_characters="\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
        ),
        min_size=1,
        max_size=12,
    )
    .map(str.strip)
    .filter(bool)
)


@settings(max_examples=80, deadline=None)
@given(
    a=names,
    b=names,
    verdict=st.sampled_from(list(Verdict)),
    rater=st.none() | names,
    question=st.none() | names,
    shown=st.none() | st.sampled_from(list(Side)),
    turn=st.none() | st.integers(1, 50),
    tstamp=st.none() | st.floats(0, 2e9, allow_nan=False),
    format=st.sampled_from([CSV, JSONL]),
)
def test_any_vote_round_trips(a, b, verdict, rater, question, shown, turn, tstamp, format) -> None:
    if a == b:
        return
    vote = ArenaVote.of(
        a, b, verdict, rater=rater, question_id=question, shown_first=shown, turn=turn, tstamp=tstamp
    )
    assert parse(dump_interchange([vote], format), format) == (vote,)


def test_a_vote_carries_the_note_of_its_row_when_the_notes_are_read():
    text = 'model_a,model_b,winner,tags_a,tags_b,rationale\nx,y,model_a,"[""bias""]",,A 更稳妥\nx,y,tie,,,\n'
    noted = votes_of_table(parse_vote_table(io.StringIO(text, newline=""), CSV, notes=True))
    assert [v.note for v in noted] == [VoteNote(("bias",), (), "A 更稳妥"), VoteNote()]
    # read without the note columns (ratings, calibration): every vote has none
    plain = votes_of_table(parse_vote_table(io.StringIO(text, newline=""), CSV))
    assert [v.note for v in plain] == [VoteNote(), VoteNote()]
    with pytest.raises(TypeError, match="note must be a VoteNote"):
        ArenaVote(noted[0].comparison, note="bias")  # type: ignore[arg-type]

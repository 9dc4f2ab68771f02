"""The vectorised votes reader (``read_vote_table``): the same votes and the same errors as the
row-by-row reader it replaced (kept in ``bench/votes_file.py`` as the benchmark's peer), columns
worked out by hand, battle ids, and the CSV formula guard read alike by both readers."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bench.votes_file import rowwise_votes
from judging.interchange import parse_interchange, read_interchange
from judging.types import Comparison, Outcome, Source
from judging.votes_file import (
    OUTCOMES,
    VotesFileError,
    VotesFormat,
    parse_vote_table,
    parse_votes,
    read_vote_table,
    read_votes,
)

CSV, JSONL = VotesFormat.CSV, VotesFormat.JSONL

# Every spelling of a draw, optional columns filled and empty, Chinese names and tags, padded and
# quoted cells, a quoted comma, blank and all-empty rows, a column the reader ignores.
MIXED_CSV = (
    "model_a,model_b,winner,question_id,dimension,source,rater,release,comment\n"
    "通义千问,文心一言,model_a,q-01,隐私,human,标注员甲,v261130,\n"
    "文心一言,deepseek,tie,q-01,privacy,judge,gpt-judge,v261130,second look\n"
    "\n"
    "deepseek,通义千问,both_bad,,,,,,\n"
    '"glm, 4",deepseek,tie (bothbad),q-02,Public Safety,expert, r2 ,,"a, b"\n'
    ",,,,,,,,\n"
    " 通义千问 ,glm,model_b,q-03,心理健康,human,,v261201,\n"
    "   \n"
    "deepseek,文心一言,model_a,q-03,fairness,,r3,,\n"
)

MIXED_JSONL = (
    '{"model_a": "通义千问", "model_b": "文心一言", "winner": "model_a", "question_id": 7, "dimension": "隐私"}\n'
    "\n"
    '{"model_a": "文心一言", "model_b": "deepseek", "winner": "tie (bothbad)", "source": "judge", "rater": ""}\n'
    '{"model_a": " deepseek ", "model_b": "glm", "winner": "tie", "release": "v261130", "extra": [1]}\n'
    '{"model_a": "glm", "model_b": "通义千问", "winner": "both_bad", "question_id": "q-9", "rater": 12}\n'
)


def rowwise(text: str, format: VotesFormat) -> tuple[object, ...]:
    return rowwise_votes(io.StringIO(text, newline=""), format, name="votes")


def table(text: str, format: VotesFormat = CSV):  # type: ignore[no-untyped-def]
    return parse_vote_table(io.StringIO(text, newline=""), format, name="votes")


@pytest.mark.parametrize(("text", "format"), [(MIXED_CSV, CSV), (MIXED_JSONL, JSONL)])
def test_same_votes_as_the_row_by_row_reader(text: str, format: VotesFormat) -> None:
    assert table(text, format).records() == rowwise(text, format)


@pytest.mark.parametrize("format", [CSV, JSONL])
def test_a_file_with_a_bom_reads_like_the_row_by_row_reader(tmp_path: Path, format: VotesFormat) -> None:
    text = MIXED_CSV if format is CSV else MIXED_JSONL
    path = tmp_path / f"votes.{format.value}"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode())
    with path.open(encoding="utf-8-sig", newline="") as handle:
        expected = rowwise_votes(handle, format, name=str(path))
    assert read_votes(path) == expected
    assert read_vote_table(path).records() == expected


def test_the_columns_worked_by_hand() -> None:
    votes = table(MIXED_CSV)
    # models in order of first appearance, model_a before model_b on each line
    assert votes.models == ("通义千问", "文心一言", "deepseek", "glm, 4", "glm")
    assert votes.a.tolist() == [0, 1, 2, 3, 0, 2]
    assert votes.b.tolist() == [1, 2, 0, 2, 4, 1]
    assert votes.line.tolist() == [2, 3, 5, 6, 8, 10]
    outcomes = [OUTCOMES[k] for k in votes.outcome.tolist()]
    assert outcomes == [
        Outcome.A_WINS,
        Outcome.TIE,
        Outcome.BOTH_BAD,
        Outcome.BOTH_BAD,
        Outcome.B_WINS,
        Outcome.A_WINS,
    ]
    assert votes.score.tolist() == [1.0, 0.5, 0.5, 0.5, 0.0, 1.0]
    assert votes.dimension.values() == [
        "privacy",
        "privacy",
        None,
        "public_safety",
        "mental_health",
        "fairness",
    ]
    assert votes.sources() == [Source.HUMAN, Source.JUDGE, None, Source.EXPERT, Source.HUMAN, None]
    assert votes.rater.values() == ["标注员甲", "gpt-judge", None, "r2", None, "r3"]
    assert votes.release.values() == ["v261130", "v261130", None, None, "v261201", None]
    assert votes.turn.tolist() == [0] * 6 and np.isnan(votes.tstamp).all()
    assert votes.shown_first.tolist() == [-1] * 6
    assert votes.comparisons()[3] == Comparison("glm, 4", "deepseek", Outcome.BOTH_BAD)


def test_interchange_columns() -> None:
    votes = table(
        "model_a,model_b,winner,shown_first,turn,tstamp\n"
        "a,b,model_a,B,2,1764460800.25\n"
        "b,a,tie,,,\n"
        "a,b,model_b,a,1,1e9\n"
    )
    assert votes.shown_first.tolist() == [1, -1, 0]
    assert votes.turn.tolist() == [2, 0, 1]
    assert votes.tstamp[0] == 1764460800.25 and np.isnan(votes.tstamp[1]) and votes.tstamp[2] == 1e9


def test_battles_group_question_turn_and_unordered_pair() -> None:
    votes = table(
        "model_a,model_b,winner,question_id,turn\n"
        "a,b,model_a,q1,1\n"  # battle 0
        "b,a,model_b,q1,1\n"  # the same pair the other way round: battle 0
        "a,b,tie,q1,2\n"  # another turn: battle 1
        "a,c,tie,q1,1\n"  # another pair: battle 2
        "a,b,tie,q2,1\n"  # another question: battle 3
        "a,b,tie,,1\n"  # no question: a battle of its own (4)
        "a,b,tie,,1\n"  # and again (5)
        "b,a,model_a,q1,1\n"  # battle 0 once more
        "a,b,tie,q3,\n"  # no turn: battle 6
        "b,a,tie,q3,\n"  # battle 6
    )
    assert votes.battle.tolist() == [0, 0, 1, 2, 3, 4, 5, 0, 6, 6]


def test_select_drops_models_and_renumbers_battles() -> None:
    votes = table(
        "model_a,model_b,winner,question_id\ngold,a,model_a,q1\na,b,tie,q2\nb,a,model_b,q2\nc,b,tie,\n"
    )
    kept = votes.select(~votes.involving({"gold"}))
    assert kept.models == ("a", "b", "c")
    assert kept.a.tolist() == [0, 1, 2] and kept.b.tolist() == [1, 0, 1]
    assert kept.battle.tolist() == [0, 0, 1]
    assert kept.line.tolist() == [3, 4, 5]


# -- bad files: the first bad line and its field, as the row-by-row reader reports them ------------

GOOD = ["a,b,model_a", "b,c,tie", "c,a,model_b", "a,c,both_bad", "b,a,tie (bothbad)"]


@pytest.mark.parametrize(
    ("rows", "line", "field", "message"),
    [
        ([*GOOD, "a,b,draw"], 7, "winner", "unknown value 'draw'"),
        ([*GOOD, "a,b,draw", "a,a,model_a"], 7, "winner", "unknown value 'draw'"),
        ([*GOOD[:2], "c,c,model_a", *GOOD[2:]], 4, "model_b", "compares model 'c' with itself"),
        ([*GOOD[:3], " ,b,tie", *GOOD[3:]], 5, "model_a", "empty (a vote needs"),
        ([*GOOD, "a,,tie"], 7, "model_b", "empty"),
        ([*GOOD, "a,b,,extra"], 7, None, "more values than header columns"),
        # the bad winner on line 3 comes before the unreadable line 4, as row by row
        (["a,b,x", "a,b,c,d"], 2, "winner", "unknown value 'x'"),
        (["a,b"], 2, "winner", "empty"),  # a short row: the missing cells are empty
    ],
)
def test_csv_errors_name_line_and_field(rows: list[str], line: int, field: str | None, message: str) -> None:
    text = "model_a,model_b,winner\n" + "\n".join(rows) + "\n"
    with pytest.raises(VotesFileError) as ours:
        table(text)
    with pytest.raises(VotesFileError) as theirs:
        rowwise(text, CSV)
    assert (ours.value.line, ours.value.field) == (line, field)
    assert message in str(ours.value)
    assert str(ours.value) == str(theirs.value)


def test_missing_column_is_line_one() -> None:
    with pytest.raises(VotesFileError, match="missing column") as error:
        table("model_a,winner,question_id\na,model_a,q\n")
    assert (error.value.line, error.value.field) == (1, "model_b")


@pytest.mark.parametrize(
    ("row", "field", "message"),
    [
        ({"model_a": "a", "model_b": "b", "winner": "draw"}, "winner", "unknown value 'draw'"),
        ({"model_a": "a", "model_b": "a", "winner": "tie"}, "model_b", "with itself"),
        ({"model_a": "a", "winner": "tie"}, "model_b", "missing (a vote needs"),
        ({"model_a": "", "model_b": "b", "winner": "tie"}, "model_a", "empty (a vote needs"),
        ({"model_a": "a", "model_b": "b", "winner": True}, "winner", "expected text, got True"),
        ({"model_a": "a", "model_b": "b", "winner": "tie", "rater": 1.5}, "rater", "expected text"),
    ],
)
def test_jsonl_errors_name_line_and_field(row: dict[str, object], field: str, message: str) -> None:
    good = [json.dumps({"model_a": "a", "model_b": "b", "winner": w}) for w in ("tie", "model_a", "both_bad")]
    text = "\n".join([*good[:2], "", *good[2:], json.dumps(row), "{oops"]) + "\n"
    with pytest.raises(VotesFileError) as ours:
        table(text, JSONL)
    with pytest.raises(VotesFileError) as theirs:
        rowwise(text, JSONL)
    assert (ours.value.line, ours.value.field) == (5, field)
    assert message in str(ours.value)
    assert str(ours.value) == str(theirs.value)


def test_not_utf8_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "votes.csv"
    path.write_bytes(b"model_a,model_b,winner\na,b,tie\na,\xff,tie\n")
    with pytest.raises(VotesFileError, match="not UTF-8") as error:
        read_vote_table(path)
    assert error.value.line == 3


# -- the formula guard: one cell reader for both readers --------------------------------------------


def test_the_guard_cell_reads_the_same_in_both_readers(tmp_path: Path) -> None:
    path = tmp_path / "votes.csv"
    path.write_text("model_a,model_b,winner,rater\n'=cmd,'+x,model_a,'@r\n'quoted,b,tie,\n", encoding="utf-8")
    ratings = read_votes(path)
    interchange = read_interchange(path)
    assert [r.comparison for r in ratings] == [v.comparison for v in interchange]
    assert ratings[0].comparison.model_a == "=cmd" and ratings[0].comparison.model_b == "+x"
    assert ratings[0].rater == interchange[0].rater == "@r"
    assert ratings[1].comparison.model_a == "'quoted"  # not a guard: the apostrophe is text


def test_jsonl_values_are_never_unguarded() -> None:
    text = json.dumps({"model_a": "'=x", "model_b": "=x", "winner": "tie"}) + "\n"
    (record,) = parse_votes([text], JSONL)
    (vote,) = parse_interchange([text], JSONL)
    assert record.comparison.model_a == vote.model_a == "'=x"


def test_guarded_names_that_are_equal_once_read_are_one_model() -> None:
    with pytest.raises(VotesFileError, match="with itself") as error:
        table("model_a,model_b,winner\n'=a,=a,tie\n")
    assert (error.value.line, error.value.field) == (2, "model_b")


# -- any file written by a CSV writer reads as the row-by-row reader reads it -----------------------

cells = st.text(alphabet=st.sampled_from('ab 中,"\n\r\t\u3000x'), max_size=4)
winners = st.sampled_from(["model_a", "model_b", "tie", "both_bad", "tie (bothbad)", "", " tie", "draw"])
rows = st.lists(
    st.tuples(cells, cells, winners, cells, st.sampled_from(["", "human", "judge", "robot"])),
    min_size=0,
    max_size=8,
)


@settings(max_examples=150, deadline=None)
@given(rows=rows, blank_lines=st.lists(st.integers(0, 8), max_size=2))
def test_any_csv_reads_as_row_by_row(rows: list[tuple[str, ...]], blank_lines: list[int]) -> None:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["model_a", "model_b", "winner", "question_id", "source"])
    writer.writerows(rows)
    lines = buffer.getvalue().split("\n")
    for at in blank_lines:
        lines.insert(min(at + 1, len(lines)), "")
    text = "\n".join(lines)
    first = _first_lines(text)  # the row-by-row reader numbered a row by its last line
    try:
        expected: object = tuple(replace(r, line=first[r.line]) for r in rowwise(text, CSV))
    except VotesFileError as error:
        line = first.get(error.line or 0, error.line)
        expected = (line, error.field, str(error).replace(f"line {error.line},", f"line {line},"))
    try:
        got: object = table(text).records()
    except VotesFileError as error:
        got = (error.line, error.field, str(error))
    assert got == expected


def _first_lines(text: str) -> dict[int, int]:
    """For each CSV record: the line it ends on -> the line it starts on."""
    reader = csv.reader(io.StringIO(text, newline=""))
    out, ended = {}, 0
    for _row in reader:
        out[reader.line_num] = ended + 1
        ended = reader.line_num
    return out


def test_shown_first_and_turn_errors() -> None:
    with pytest.raises(VotesFileError, match="expected 'a' or 'b'") as error:
        table("model_a,model_b,winner,shown_first\na,b,tie,a\na,b,tie,left\n")
    assert (error.value.line, error.value.field) == (3, "shown_first")
    with pytest.raises(VotesFileError, match="positive integer") as error:
        table("model_a,model_b,winner,turn\na,b,tie,1\na,b,tie,2\na,b,tie,0\n")
    assert (error.value.line, error.value.field) == (4, "turn")
    votes = table("model_a,model_b,winner,shown_first,turn,tstamp\na,b,tie, A ,+2, 5 \n")
    assert votes.shown_first.tolist() == [0] and votes.turn.tolist() == [2] and votes.tstamp.tolist() == [5.0]


@pytest.mark.parametrize(
    "text",
    [
        '"model_a","model_b","winner"\r\na,b,tie\r\n\r\nb,c,model_a\r\n',  # quoted header, CRLF, a blank line
        "model_a,model_b,winner\na,b,tie",  # no final newline
        "model_a,model_b,winner\ra,b,tie\rb,a,model_b\r",  # old Mac line ends
    ],
)
def test_line_ends_and_numbers_as_the_row_by_row_reader(text: str) -> None:
    try:
        expected: object = rowwise(text, CSV)
    except VotesFileError as error:
        expected = str(error)
    try:
        got: object = table(text).records()
    except VotesFileError as error:
        got = str(error)
    assert got == expected


def test_a_row_across_lines_is_numbered_by_its_first_line() -> None:
    """The row-by-row reader numbered such a row by its last line (csv's ``line_num``); the row
    starts where a person looking for it in an editor would look."""
    text = 'model_a,model_b,winner,note\na,b,tie,"two\nlines"\nb,a,model_b,\n'
    assert [r.line for r in rowwise(text, CSV)] == [3, 4]
    assert [r.line for r in table(text).records()] == [2, 4]
    text = 'model_a,model_b,winner\r\na,b,"ti\re"\r\n'  # a carriage return inside a value
    with pytest.raises(VotesFileError, match="line 2, field 'winner'"):
        table(text)
    with pytest.raises(VotesFileError, match="line 3, field 'winner'"):
        rowwise(text, CSV)

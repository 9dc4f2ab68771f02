"""Inputs the votes reader bounds: the size limit (checked before reading), JSON nesting bombs,
JSON lists (the Arena-format export) and identical rows."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pytest

from judging.interchange import parse_interchange, read_interchange
from judging.types import Outcome, Side, Source
from judging.votes_file import (
    DEFAULT_MAX_BYTES,
    VotesFileError,
    VotesFormat,
    find_duplicates,
    parse_vote_table,
    read_vote_table,
    without_duplicates,
)

BOMB = "[" * 100_000
VOTE = {"model_a": "x", "model_b": "y", "winner": "model_a"}


def _arena_rows() -> list[dict[str, object]]:
    """Records as ``export-votes --format arena`` writes them (and FastChat's extra fields)."""
    return [
        {
            "question_id": "q1",
            "model_a": "x",
            "model_b": "y",
            "winner": "tie (bothbad)",
            "judge": "anon-1",
            "turn": 1,
            "anony": True,
            "language": "Chinese",
            "tstamp": 1760000000.5,
            "dimension": "privacy",
            "release": "v261201",
            "source": "human",
            "shown_first": "b",
            "tags_a": ["harmful"],
            "tags_b": [],
            "rationale": "x leaks",
        },
        {
            "question_id": "q2",
            "model_a": "y",
            "model_b": "z",
            "winner": "model_b",
            "judge": "mock-judge",
            "turn": 1,
            "tstamp": 1760000001.0,
            "source": "judge",
            "shown_first": "a",
        },
    ]


# -- size ------------------------------------------------------------------------------------------


def test_a_file_over_the_limit_is_refused_before_it_is_read(tmp_path: Path) -> None:
    path = tmp_path / "votes.csv"
    path.write_text("model_a,model_b,winner\n" + "x,y,model_a\n" * 100_000, encoding="utf-8")
    with pytest.raises(VotesFileError) as caught:
        read_vote_table(path, max_bytes=1_000_000)
    assert str(caught.value) == (
        f"{path}: the file is 1.2 MB, over the limit of 1.0 MB (--max-bytes to raise it)"
    )
    assert len(read_vote_table(path, max_bytes=2_000_000)) == 100_000
    assert len(read_vote_table(path, max_bytes=None)) == 100_000
    assert DEFAULT_MAX_BYTES == 200_000_000


def test_the_limit_is_checked_before_the_text(tmp_path: Path) -> None:
    # not UTF-8 and not even a votes file: only the size is looked at first
    path = tmp_path / "votes.jsonl"
    path.write_bytes(b"\xff" * 2_000)
    with pytest.raises(VotesFileError, match="the file is 2,000 bytes, over the limit of 1,000 bytes"):
        read_interchange(path, max_bytes=1_000)


# -- nesting bombs ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("suffix", "text", "line"),
    [
        ("jsonl", json.dumps(VOTE) + "\n" + BOMB + "\n", 2),
        ("jsonl", '{"model_a": ' + BOMB + "\n", 1),
        ("json", "[" + json.dumps(VOTE) + ",\n" + BOMB + "\n", 2),
        ("json", BOMB, 1),
        ("json", "[\n\n" + '{"model_a": ' + "[" * 50_000, 3),
    ],
)
def test_a_nesting_bomb_is_an_error_naming_the_line(
    tmp_path: Path, suffix: str, text: str, line: int
) -> None:
    path = tmp_path / f"bomb.{suffix}"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(VotesFileError) as caught:
        read_vote_table(path)
    assert caught.value.line == line and "nested too deeply" in str(caught.value)
    with pytest.raises(VotesFileError, match="nested too deeply"):
        parse_interchange(io.StringIO(text), VotesFormat.of_path(path), name=path.name)


def test_a_csv_cell_of_brackets_is_only_text(tmp_path: Path) -> None:
    path = tmp_path / "votes.csv"
    path.write_text(f"model_a,model_b,winner\n{BOMB},y,tie\n", encoding="utf-8")
    assert read_vote_table(path).models == (BOMB, "y")


# -- JSON lists: the Arena-format export -----------------------------------------------------------


@pytest.mark.parametrize("indent", [None, 2])
def test_an_arena_json_list_reads_with_judge_as_rater(tmp_path: Path, indent: int | None) -> None:
    path = tmp_path / "battles.json"
    path.write_text(json.dumps(_arena_rows(), indent=indent, ensure_ascii=False), encoding="utf-8")
    first, second = read_interchange(path)
    assert (first.model_a, first.model_b, first.outcome) == ("x", "y", Outcome.BOTH_BAD)
    assert (first.rater, first.source, first.shown_first) == ("anon-1", Source.HUMAN, Side.B)
    assert (first.question_id, first.dimension, first.release, first.turn) == ("q1", "privacy", "v261201", 1)
    assert first.tstamp == 1760000000.5 and second.rater == "mock-judge" and second.outcome is Outcome.B_WINS
    # each vote's line is where its object starts
    assert (first.line, second.line) == ((1, 1) if indent is None else (2, 22))


def test_a_json_file_may_hold_jsonl_and_an_arena_list_may_be_jsonl(tmp_path: Path) -> None:
    lines = "".join(json.dumps(r) + "\n" for r in _arena_rows())
    as_json = tmp_path / "battles.json"
    as_json.write_text(lines, encoding="utf-8")
    as_jsonl = tmp_path / "battles.jsonl"
    as_jsonl.write_text(lines, encoding="utf-8")
    listed = tmp_path / "listed.json"
    listed.write_text(json.dumps(_arena_rows(), indent=1), encoding="utf-8-sig")  # with a BOM
    assert read_interchange(as_json) == read_interchange(as_jsonl) == read_interchange(listed)
    assert [v.rater for v in read_interchange(as_json)] == ["anon-1", "mock-judge"]


def test_rater_wins_over_judge_and_csv_reads_judge_too(tmp_path: Path) -> None:
    (both,) = parse_interchange(
        [json.dumps({**VOTE, "rater": "ours", "judge": "theirs"}) + "\n"], VotesFormat.JSONL
    )
    assert both.rater == "ours"
    path = tmp_path / "arena.csv"
    path.write_text("model_a,model_b,winner,judge\nx,y,tie,ann\n", encoding="utf-8")
    assert read_vote_table(path).rater.values() == ["ann"]


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("[" + json.dumps(VOTE) + ",\n" + '{"model_a": x}]', 2, "not valid JSON"),
        ("[" + json.dumps(VOTE) + "\n", 2, "the list is not closed"),
        ("[" + json.dumps(VOTE) + " " + json.dumps(VOTE) + "]", 1, "expected ',' or ']'"),
        ("[\n" + json.dumps(VOTE) + ",\n 7]", 3, "expected a JSON object, got int"),
        ("[" + json.dumps(VOTE) + ",]", 1, "not valid JSON"),
        ("[" + json.dumps(VOTE) + "]\n[]", 2, "text after the end of the list"),
        ("[\n" + json.dumps({**VOTE, "winner": "maybe"}) + "]", 2, "unknown value 'maybe'"),
    ],
)
def test_a_bad_json_list_names_the_line(text: str, line: int, message: str) -> None:
    with pytest.raises(VotesFileError, match=message) as caught:
        parse_vote_table(io.StringIO(text), VotesFormat.JSON, name="votes.json")
    assert caught.value.line == line


def test_a_long_json_list_is_read_in_pieces(tmp_path: Path) -> None:
    rows = [{**VOTE, "question_id": f"q{k}", "rater": "ann", "tstamp": k} for k in range(20_000)]
    path = tmp_path / "long.json"
    path.write_text(json.dumps(rows), encoding="utf-8")  # one line of about 1.6 MB
    table = read_vote_table(path)
    assert len(table) == 20_000 and table.question_id.values()[-1] == "q19999"
    assert np.array_equal(table.tstamp, np.arange(20_000, dtype=np.float64))
    assert (
        parse_vote_table(io.StringIO(json.dumps(rows, indent=2)), VotesFormat.JSON).line[-1] == 2 + 19_999 * 8
    )


# -- identical rows --------------------------------------------------------------------------------

HEADER = "model_a,model_b,winner,source,rater,shown_first,question_id,tstamp\n"


def test_identical_rows_are_found_with_their_lines() -> None:
    text = HEADER + (
        "x,y,model_a,human,ann,a,q1,1\n"  # 2
        "x,y,model_a,human,ann,a,q1,1\n"  # 3: same as 2
        "x,y,model_a,human,ann,a,q1,2\n"  # 4: another time
        "x,y,model_a,human,bob,a,q1,1\n"  # 5: another rater
        "x,y,model_a,human,ann,b,q1,1\n"  # 6: another order
        "x,y,tie,human,ann,a,q1,1\n"  # 7: another verdict
        " x ,y,model_a,human,ann,a,q1,1.0\n"  # 8: same as 2 once read (spaces, 1.0 = 1)
        "x,y,model_a,human,ann,a,q1,1\n"  # 9: same as 2
    )
    table = parse_vote_table(io.StringIO(text), VotesFormat.CSV)
    found = find_duplicates(table)
    assert found.lines.tolist() == [3, 8, 9]
    assert found.note("imported") == (
        "3 duplicate rows (lines 3, 8, 9) imported once; --keep-duplicates to keep them"
    )
    assert found.note("counted", kept=True) == (
        "3 duplicate rows (lines 3, 8, 9) kept as separate votes (--keep-duplicates)"
    )
    once, _ = without_duplicates(table)
    assert once.line.tolist() == [2, 4, 5, 6, 7]
    kept, _ = without_duplicates(table, keep=True)
    assert kept is table


def test_rows_without_rater_or_question_are_never_merged() -> None:
    text = "model_a,model_b,winner,rater,question_id\nx,y,tie,,q1\nx,y,tie,,q1\nx,y,tie,ann,\nx,y,tie,ann,\n"
    assert len(find_duplicates(parse_vote_table(io.StringIO(text), VotesFormat.CSV))) == 0
    minimal = "model_a,model_b,winner\n" + "x,y,model_a\n" * 5
    assert len(find_duplicates(parse_vote_table(io.StringIO(minimal), VotesFormat.CSV))) == 0


def test_identical_json_rows_and_absent_against_empty() -> None:
    rows = [
        {**VOTE, "rater": "ann", "question_id": "q1"},
        {**VOTE, "rater": "ann", "question_id": "q1", "turn": 1},  # 1 turn more: not identical
        {**VOTE, "judge": "ann", "question_id": "q1", "anony": True},  # judge is the rater; anony ignored
        {**VOTE, "rater": "ann", "question_id": "q1", "dimension": None},  # null reads as absent
    ]
    table = parse_vote_table([json.dumps(r) + "\n" for r in rows], VotesFormat.JSONL)
    assert find_duplicates(table).lines.tolist() == [3, 4]


def test_many_rows_with_distinct_times_have_no_duplicates_and_one_repeat_is_found() -> None:
    n = 50_000
    lines = [f"m{k % 7},m{(k + 1) % 7},model_a,human,r{k % 5},a,q{k % 11},{k}\n" for k in range(n)]
    table = parse_vote_table(io.StringIO(HEADER + "".join(lines)), VotesFormat.CSV)
    assert len(find_duplicates(table)) == 0
    again = parse_vote_table(io.StringIO(HEADER + "".join(lines) + lines[123]), VotesFormat.CSV)
    assert find_duplicates(again).lines.tolist() == [n + 2]

"""The note columns of a votes file (``tags_a``, ``tags_b``, ``rationale``): read only when asked
(``notes=True``), the CSV guard undone exactly, a bad cell an error naming line and field, and
the same notes on the fast (pyarrow) and slow (``csv`` module) CSV paths and in JSON."""

from __future__ import annotations

import csv
import io
import json

import pytest

from judging.csv_cells import neutralise_cell
from judging.votes_file import (
    VoteNote,
    VotesFileError,
    VotesFormat,
    find_duplicates,
    parse_vote_table,
    read_vote_table,
)

NOTES = [
    VoteNote(("harmful", "hallucination"), (), "=SUM(A1)  回答A给出了危险信息"),
    VoteNote((), ("over_refusal",), "  前后有空格  "),
    VoteNote(("bias",), ("privacy_leak", "missed_crisis"), "'引号"),
    VoteNote(),
    VoteNote(("missed_crisis",), ("harmful",), '\t制表符, "引号" 与逗号'),
    VoteNote(("harmful", "hallucination"), (), "=SUM(A1)  回答A给出了危险信息"),
]


def _csv(notes: list[VoteNote], *, multiline: bool = False) -> str:
    """An export-style CSV: interchange columns, then the notes as JSON lists, cells guarded."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["model_a", "model_b", "winner", "rater", "question_id", "tags_a", "tags_b", "rationale"])
    for k, note in enumerate(notes):
        rationale = note.rationale + ("\n第二行" if multiline and k == 1 else "")
        cells = (json.dumps(list(note.tags_a), ensure_ascii=False), json.dumps(list(note.tags_b)), rationale)
        writer.writerow(["x", "y", "model_a", "ann", f"q{k}", *(neutralise_cell(c) for c in cells)])
    return out.getvalue()


def _jsonl(notes: list[VoteNote]) -> list[str]:
    return [
        json.dumps(
            {
                "model_a": "x",
                "model_b": "y",
                "winner": "tie",
                "tags_a": list(n.tags_a),
                "tags_b": list(n.tags_b),
                "rationale": n.rationale,
            },
            ensure_ascii=False,
        )
        + "\n"
        for n in notes
    ]


def test_csv_notes_read_back_exactly_on_the_fast_path() -> None:
    table = parse_vote_table(io.StringIO(_csv(NOTES), newline=""), VotesFormat.CSV, notes=True)
    assert table.notes is not None and table.notes.values() == NOTES


def test_csv_notes_read_back_exactly_on_the_slow_path() -> None:
    # a value spanning lines sends the file to Python's csv module
    table = parse_vote_table(
        io.StringIO(_csv(NOTES, multiline=True), newline=""), VotesFormat.CSV, notes=True
    )
    assert table.notes is not None
    expected = list(NOTES)
    expected[1] = VoteNote((), ("over_refusal",), "  前后有空格  \n第二行")
    assert table.notes.values() == expected


def test_json_notes_are_taken_as_they_stand() -> None:
    # JSON is never guarded: "'=x" stays "'=x"
    notes = [*NOTES, VoteNote((), (), "'=x")]
    table = parse_vote_table(_jsonl(notes), VotesFormat.JSONL, notes=True)
    assert table.notes is not None and table.notes.values() == notes
    listed = parse_vote_table(io.StringIO("[" + ",".join(_jsonl(notes)) + "]"), VotesFormat.JSON, notes=True)
    assert listed.notes is not None and listed.notes.values() == notes


def test_absent_null_and_empty_notes_are_none() -> None:
    rows: list[dict[str, object]] = [
        {"model_a": "x", "model_b": "y", "winner": "tie", "tags_a": None, "rationale": None}
    ]
    rows.append({"model_a": "x", "model_b": "y", "winner": "tie", "tags_b": [], "rationale": ""})
    table = parse_vote_table([json.dumps(r) + "\n" for r in rows], VotesFormat.JSONL, notes=True)
    assert table.notes is not None and table.notes.values() == [VoteNote(), VoteNote()]
    bare = parse_vote_table(io.StringIO("model_a,model_b,winner\nx,y,tie\n"), VotesFormat.CSV, notes=True)
    assert bare.notes is not None and bare.notes.values() == [VoteNote()]


def test_notes_are_not_read_unless_asked(tmp_path) -> None:
    bad = _csv(NOTES).replace('"[""bias""]"', "not json")
    assert "not json" in bad
    path = tmp_path / "votes.csv"
    path.write_text(bad, encoding="utf-8")
    table = read_vote_table(path)  # the ratings' read: the note columns are never looked at
    assert table.notes is None and len(table) == len(NOTES)
    with pytest.raises(VotesFileError, match=r"line 4, field 'tags_a': expected a JSON list"):
        read_vote_table(path, notes=True)


@pytest.mark.parametrize(
    ("row", "field", "problem"),
    [
        ({"tags_a": ["toxic"]}, "tags_a", "unknown harm tags ['toxic'] (allowed: harmful, over_refusal"),
        ({"tags_b": "harmful"}, "tags_b", "expected a JSON list of harm tags (strings), got 'harmful'"),
        ({"tags_b": [["harmful"]]}, "tags_b", "expected a JSON list of harm tags (strings)"),
        ({"rationale": 5}, "rationale", "expected text, got 5"),
    ],
)
def test_a_bad_json_note_names_line_and_field(row: dict[str, object], field: str, problem: str) -> None:
    lines = _jsonl(NOTES[:2])
    lines.append(json.dumps({"model_a": "x", "model_b": "y", "winner": "tie", **row}) + "\n")
    with pytest.raises(VotesFileError) as raised:
        parse_vote_table(lines, VotesFormat.JSONL, name="votes.jsonl", notes=True)
    assert (raised.value.line, raised.value.field) == (3, field)
    assert problem in raised.value.problem


def test_a_note_column_twice_in_the_header_is_an_error_only_when_read() -> None:
    text = "model_a,model_b,winner,rationale,rationale\nx,y,tie,a,b\n"
    assert len(parse_vote_table(io.StringIO(text), VotesFormat.CSV)) == 1
    with pytest.raises(VotesFileError, match="field 'rationale': the column appears twice"):
        parse_vote_table(io.StringIO(text), VotesFormat.CSV, notes=True)


def test_rows_differing_only_in_their_notes_are_not_identical_when_notes_are_read() -> None:
    text = _csv(NOTES).replace(",q5,", ",q0,")  # the last row repeats the first, notes and all
    table = parse_vote_table(io.StringIO(text, newline=""), VotesFormat.CSV, notes=True)
    assert find_duplicates(table).lines.tolist() == [7]
    at = text.rindex("危险信息\n")  # the same vote, another rationale on the last row
    other = text[:at] + "危险信息！" + text[at + len("危险信息") :]
    table = parse_vote_table(io.StringIO(other, newline=""), VotesFormat.CSV, notes=True)
    assert len(find_duplicates(table)) == 0
    plain = parse_vote_table(io.StringIO(other, newline=""), VotesFormat.CSV)
    assert find_duplicates(plain).lines.tolist() == [7]
    full = parse_vote_table(io.StringIO(text, newline=""), VotesFormat.CSV, notes=True)
    kept = full.select(~find_duplicates(full).extra)
    assert kept.notes is not None and kept.notes.values() == NOTES[:-1]

"""The votes file reader: CSV and JSONL, and errors that name the line and the field."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from judging.ratings import BradleyTerry, TaggedComparison, VoteSlice
from judging.types import Outcome, Source
from judging.votes_file import VotesFileError, VotesFormat, parse_votes, read_votes

CSV = """model_a,model_b,winner,question_id,dimension,source,rater
qingyun,jindun,model_a,ps-01,public_safety,human,r1
jindun,kuaida,tie (bothbad),ps-02,隐私,judge,
kuaida,qingyun,model_b,,,,
qingyun,kuaida,tie,ps-03,privacy,expert,r2
"""


def test_reads_csv_with_optional_columns(tmp_path: Path) -> None:
    path = tmp_path / "votes.csv"
    path.write_text(CSV, encoding="utf-8")
    records = read_votes(path)
    assert [r.line for r in records] == [2, 3, 4, 5]
    first, second, third, _ = records
    assert (first.comparison.model_a, first.comparison.outcome) == ("qingyun", Outcome.A_WINS)
    assert (first.question_id, first.dimension, first.source, first.rater) == (
        "ps-01",
        "public_safety",
        Source.HUMAN,
        "r1",
    )
    assert (
        second.comparison.outcome is Outcome.BOTH_BAD
        and second.dimension == "privacy"
        and second.rater is None
    )
    assert third.source is None and third.comparison.outcome is Outcome.B_WINS
    # records slice directly
    assert len(VoteSlice(dimension="privacy").select(records)) == 2


def test_reads_jsonl_and_feeds_the_ratings(tmp_path: Path) -> None:
    rows = [
        {"model_a": "a", "model_b": "b", "winner": "model_a", "question_id": 7},
        {"model_a": "b", "model_b": "c", "winner": "both_bad", "source": "judge"},
        {"model_a": "c", "model_b": "a", "winner": "model_b"},
    ]
    path = tmp_path / "votes.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n\n", encoding="utf-8")
    records = read_votes(path)
    assert records[0].question_id == "7"
    fit = BradleyTerry().fit(r.comparison for r in records)
    assert fit.rating("a") > fit.rating("c")
    # a VoteRecord is a SliceableVote just like a TaggedComparison
    assert isinstance(TaggedComparison(records[0].comparison).comparison, type(records[0].comparison))


@pytest.mark.parametrize(
    ("text", "line", "field", "message"),
    [
        ("model_a,model_b,winner\na,b,model_a\na,b,draw\n", 3, "winner", "unknown value 'draw'"),
        ("model_a,winner\na,model_a\n", 1, "model_b", "missing column"),
        ("model_a,model_b,winner\na,a,model_a\n", 2, "model_b", "with itself (one model only)"),
        ("model_a,model_b,winner\na,,model_a\n", 2, "model_b", "empty"),
        ("model_a,model_b,winner,source\na,b,tie,crowd\n", 2, "source", "unknown source 'crowd'"),
        (
            "model_a,model_b,winner,dimension\na,b,tie,weather\n",
            2,
            "dimension",
            "unknown dimension 'weather'",
        ),
    ],
)
def test_csv_errors_name_line_and_field(text: str, line: int, field: str, message: str) -> None:
    with pytest.raises(VotesFileError, match=re.escape(message)) as caught:
        parse_votes(text.splitlines(keepends=True), VotesFormat.CSV, name="v.csv")
    assert (caught.value.line, caught.value.field) == (line, field)
    assert f"v.csv, line {line}, field {field!r}" in str(caught.value)


def test_jsonl_errors_name_line_and_field() -> None:
    lines = ['{"model_a": "a", "model_b": "b", "winner": "tie"}\n', '{"model_a": "a", "winner": "tie"}\n']
    with pytest.raises(VotesFileError, match=r"line 2, field 'model_b': missing"):
        parse_votes(lines, VotesFormat.JSONL)
    with pytest.raises(VotesFileError, match="line 1: not valid JSON"):
        parse_votes(["{oops\n"], VotesFormat.JSONL)
    with pytest.raises(VotesFileError, match="field 'winner': expected text"):
        parse_votes(['{"model_a": "a", "model_b": "b", "winner": 1.5}\n'], VotesFormat.JSONL)


def test_empty_and_unknown_files(tmp_path: Path) -> None:
    with pytest.raises(VotesFileError, match="no votes"):
        parse_votes(["model_a,model_b,winner\n"], VotesFormat.CSV)
    with pytest.raises(VotesFileError, match=r"unknown file type '\.txt'"):
        read_votes(tmp_path / "votes.txt")
    with pytest.raises(VotesFileError, match="cannot read the file"):
        read_votes(tmp_path / "missing.csv")

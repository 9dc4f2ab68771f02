"""One harm-tag key check: stored votes (``read_tag_list``) and votes files refuse the same lists
with the same words; only the prefix differs (a votes file names the line and field instead)."""

from __future__ import annotations

import io
import json

import pytest

from judging.harm_tags import HARM_TAGS, HarmTag, check_tag_keys, read_tag_list
from judging.votes_file import VotesFileError, VotesFormat, parse_vote_table

ALLOWED = "(allowed: harmful, over_refusal, hallucination, bias, privacy_leak, missed_crisis)"


def test_keys_become_tags_in_their_order() -> None:
    assert check_tag_keys([]) == ()
    assert check_tag_keys(["bias", "harmful", "bias"]) == (HarmTag.BIAS, HarmTag.HARMFUL, HarmTag.BIAS)
    assert all(type(tag) is HarmTag for tag in check_tag_keys(list(HARM_TAGS)))


@pytest.mark.parametrize(
    ("values", "problem"),
    [
        (["toxic", "bias", "Bias"], f"unknown harm tags ['toxic', 'Bias'] {ALLOWED}"),
        (["bias", 1], "expected a JSON list of harm tags (strings), got ['bias', 1]"),
        ([["bias"]], "expected a JSON list of harm tags (strings), got [['bias']]"),
        ("bias", "expected a JSON list of harm tags (strings), got 'bias'"),
        ({"bias": 1}, "expected a JSON list of harm tags (strings), got {'bias': 1}"),
        (None, "expected a JSON list of harm tags (strings), got None"),
    ],
)
def test_a_bad_list_is_refused_with_the_same_words_everywhere(values: object, problem: str) -> None:
    with pytest.raises(ValueError) as bare:
        check_tag_keys(values)
    assert str(bare.value) == problem
    with pytest.raises(ValueError) as named:
        check_tag_keys(values, where="here")
    assert str(named.value) == f"here: {problem}"
    stored = json.dumps(values)
    with pytest.raises(ValueError) as read:
        read_tag_list(stored)
    assert str(read.value) == f"read_tag_list: {problem}"
    csv = f'model_a,model_b,winner,tags_a\nx,y,tie,"{stored.replace(chr(34), chr(34) * 2)}"\n'
    with pytest.raises(VotesFileError) as in_file:
        parse_vote_table(io.StringIO(csv, newline=""), VotesFormat.CSV, notes=True)
    assert (in_file.value.line, in_file.value.field, in_file.value.problem) == (2, "tags_a", problem)


@pytest.mark.parametrize("stored", ["bias", "[", "[" * 100_000])
def test_a_stored_text_that_is_not_json_is_named(stored: str) -> None:
    with pytest.raises(ValueError) as raised:
        read_tag_list(stored)
    assert str(raised.value) == f"read_tag_list: expected a JSON list of harm tags, got {stored!r}"


@pytest.mark.parametrize("stored", [None, "", "  "])
def test_no_stored_text_is_no_tags(stored: str | None) -> None:
    assert read_tag_list(stored) == ()

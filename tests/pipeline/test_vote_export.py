"""Votes out of the database: interchange CSV/JSONL read back equal; Chatbot Arena battles."""

from __future__ import annotations

import json
import random

import pytest

from judging.interchange import parse_interchange
from judging.types import Side, Source, Verdict
from judging.votes_file import VotesFormat
from pipeline.interchange.vote_export import VotesExportFormat, export_votes
from storage.db.models import Battle, Vote
from storage.db.session import write_session
from storage.votes.record import record_vote
from tests.seeding import pick_battle_for


def cast(engine, rng, *, rater, verdict, left_is_a=True, supersedes=None, key):
    with write_session(engine) as session:
        if supersedes is None:
            battle = pick_battle_for(session=session, rater=rater, rng=rng)
        else:  # a correction is about the same battle
            battle = session.get(Battle, session.get(Vote, supersedes).battle_id)
        assert isinstance(battle, Battle) and battle.id is not None
        left = battle.response_a_id if left_is_a else battle.response_b_id
        return record_vote(
            session=session,
            battle_id=battle.id,
            source=Source.HUMAN,
            rater=rater,
            verdict=verdict,
            left_response_id=left,
            idempotency_key=key,
            supersedes_id=supersedes,
        ).vote_id


@pytest.fixture
def voted(engine):
    rng = random.Random(3)
    first = cast(engine, rng, rater="ann", verdict=Verdict.A, key="k1")
    cast(engine, rng, rater="bob", verdict=Verdict.BOTH_UNSAFE, left_is_a=False, key="k2")
    cast(engine, rng, rater="ann", verdict=Verdict.TIE, key="k3", supersedes=first)
    return engine


@pytest.mark.parametrize(
    ("format", "kind"),
    [(VotesExportFormat.CSV, VotesFormat.CSV), (VotesExportFormat.JSONL, VotesFormat.JSONL)],
)
def test_interchange_export_reads_back(voted, format, kind):
    text = export_votes(voted, format=format, release="v261201")
    votes = parse_interchange(text.splitlines(keepends=True), kind)
    assert [(v.rater, v.verdict, v.shown_first) for v in votes] == [
        ("bob", Verdict.BOTH_UNSAFE, Side.B),
        ("ann", Verdict.TIE, Side.A),
    ]  # the superseded first vote is left out
    assert all(v.release == "v261201" and v.source is Source.HUMAN and v.turn == 1 for v in votes)
    assert parse_interchange(export_votes(voted, format=format).splitlines(keepends=True), kind) == votes
    # a corrected vote never leaves, not even with the overruled votes asked for
    said = export_votes(voted, format=format, include_overruled=True)
    assert parse_interchange(said.splitlines(keepends=True), kind) == votes


def test_arena_battle_format(voted):
    battles = json.loads(export_votes(voted, format=VotesExportFormat.ARENA))
    assert [b["winner"] for b in battles] == ["tie (bothbad)", "tie"]
    assert set(battles[0]) >= {"model_a", "model_b", "winner", "judge", "turn", "anony", "language", "tstamp"}
    assert battles[0]["judge"] == "bob" and battles[0]["release"] == "v261201"


def test_unknown_format_is_named():
    with pytest.raises(ValueError, match=r"VotesExportFormat\.parse: unknown format 'xml'"):
        VotesExportFormat.parse("xml")

"""Votes out of the database: interchange CSV/JSONL read back equal; Chatbot Arena battles."""

from __future__ import annotations

import json
import random

import pytest

from judging.interchange import parse_interchange
from judging.types import Side, Source, Verdict
from judging.votes_file import VotesFormat
from pipeline.interchange.pseudonyms import pseudonym, pseudonym_secret
from pipeline.interchange.vote_export import VotesExportFormat, export_votes
from pipeline.people.users import audit_log
from storage.db.models import Battle, Vote
from storage.db.session import write_session
from storage.votes.record import record_vote
from tests.seeding import pick_battle_for


def cast(engine, rng, *, rater, verdict, left_is_a=True, supersedes=None, key, source=Source.HUMAN, **notes):
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
            source=source,
            rater=rater,
            verdict=verdict,
            left_response_id=left,
            idempotency_key=key,
            supersedes_id=supersedes,
            **notes,
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
    text = export_votes(voted, format=format, release="v261201", real_names=True)
    votes = parse_interchange(text.splitlines(keepends=True), kind)
    assert [(v.rater, v.verdict, v.shown_first) for v in votes] == [
        ("bob", Verdict.BOTH_UNSAFE, Side.B),
        ("ann", Verdict.TIE, Side.A),
    ]  # the superseded first vote is left out
    assert all(v.release == "v261201" and v.source is Source.HUMAN and v.turn == 1 for v in votes)
    again = export_votes(voted, format=format, real_names=True)
    assert parse_interchange(again.splitlines(keepends=True), kind) == votes
    # a corrected vote never leaves, not even with the overruled votes asked for
    said = export_votes(voted, format=format, include_overruled=True, real_names=True)
    assert parse_interchange(said.splitlines(keepends=True), kind) == votes


def test_arena_battle_format(voted):
    battles = json.loads(export_votes(voted, format=VotesExportFormat.ARENA))
    assert [b["winner"] for b in battles] == ["tie (bothbad)", "tie"]
    assert set(battles[0]) >= {"model_a", "model_b", "winner", "judge", "turn", "anony", "language", "tstamp"}
    assert battles[0]["judge"] == pseudonym("bob", pseudonym_secret(voted))
    assert battles[0]["release"] == "v261201"
    assert [b["shown_first"] for b in battles] == ["b", "a"]


def test_unknown_format_is_named():
    with pytest.raises(ValueError, match=r"VotesExportFormat\.parse: unknown format 'xml'"):
        VotesExportFormat.parse("xml")


@pytest.fixture
def noted(engine):
    """A human vote with tags and a hostile rationale, and a judge's vote."""
    rng = random.Random(5)
    cast(
        engine,
        rng,
        rater="carol",
        verdict=Verdict.B,
        key="n1",
        tags_a=["harmful", "privacy_leak"],
        tags_b=[],
        rationale='=HYPERLINK("http://x")\nsecond line',
    )
    cast(engine, rng, rater="judge-x", verdict=Verdict.A, key="n2", source=Source.JUDGE, tags_b=["bias"])
    return engine


def test_public_exports_use_stable_pseudonyms_and_keep_judges(noted):
    first = json.loads(export_votes(noted, format=VotesExportFormat.ARENA))
    second = json.loads(export_votes(noted, format=VotesExportFormat.ARENA))
    human, judge = first
    assert human["judge"].startswith("annotator-") and len(human["judge"]) == len("annotator-") + 12
    assert human["judge"] == second[0]["judge"] != "carol"  # stable across exports
    assert judge["judge"] == "judge-x"  # an LLM judge is not a person: its name stays
    text = export_votes(noted, format=VotesExportFormat.CSV) + export_votes(
        noted, format=VotesExportFormat.JSONL
    )
    assert "carol" not in text
    # the secret lives in the database: a second database names the same person differently
    assert pseudonym("carol", "another secret") != human["judge"]


def test_real_names_export_is_audited(noted):
    before = [e for e in audit_log(noted) if e.action == "votes.export_real_names"]
    text = export_votes(noted, format=VotesExportFormat.JSONL, real_names=True, actor="admin")
    assert '"rater": "carol"' in text
    after = [e for e in audit_log(noted) if e.action == "votes.export_real_names"]
    assert len(after) == len(before) + 1 and after[0].actor == "admin"
    assert after[0].detail == {"release": None, "format": "jsonl", "votes": 2}


def test_exports_carry_tags_and_rationale(noted):
    battles = json.loads(export_votes(noted, format=VotesExportFormat.ARENA))
    assert battles[0]["tags_a"] == ["harmful", "privacy_leak"] and battles[0]["tags_b"] == []
    assert battles[0]["rationale"] == '=HYPERLINK("http://x")\nsecond line'
    assert battles[1]["tags_b"] == ["bias"] and battles[1]["rationale"] == ""
    lines = export_votes(noted, format=VotesExportFormat.ARENA_JSONL).splitlines()
    assert [json.loads(line) for line in lines] == battles
    rows = [json.loads(line) for line in export_votes(noted, format=VotesExportFormat.JSONL).splitlines()]
    assert rows[0]["tags_a"] == ["harmful", "privacy_leak"] and rows[0]["rationale"].startswith("=HYPER")


def test_csv_export_guards_the_rationale_and_still_reads_back(noted):
    import csv
    import io

    text = export_votes(noted, format=VotesExportFormat.CSV)
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert rows[0]["rationale"] == '\'=HYPERLINK("http://x")\nsecond line'  # no formula runs
    assert json.loads(rows[0]["tags_a"]) == ["harmful", "privacy_leak"] and rows[1]["tags_b"] == '["bias"]'
    votes = parse_interchange(text.splitlines(keepends=True), VotesFormat.CSV)  # extra columns ignored
    assert [v.verdict for v in votes] == [Verdict.B, Verdict.A]


def test_pseudonyms_survive_a_round_trip_through_another_arena():
    from judging.interchange import ArenaVote
    from pipeline.interchange.pseudonyms import anonymise

    vote = ArenaVote.of("m1", "m2", Verdict.A, source=Source.HUMAN, rater="dora")
    public = anonymise(vote, "s1")
    assert anonymise(public, "s2") == public  # already a pseudonym: not hashed again
    assert anonymise(vote, "s2") != public


def test_vote_details_with_text_name_the_answers_of_each_side(noted):
    from sqlmodel import select

    from storage.db.models import ArenaModel, Question, Response
    from storage.db.session import read_session
    from storage.votes.exports import vote_details

    with read_session(noted) as session:
        details = vote_details(session=session, with_text=True)
        plain = vote_details(session=session)
        models = {m.key: m.id for m in session.exec(select(ArenaModel)).all()}
        for detail in details:
            question = session.exec(
                select(Question).where(Question.external_id == detail.vote.question_id)
            ).first()
            answers = {
                r.model_id: r.text
                for r in session.exec(select(Response).where(Response.question_id == question.id))
            }
            assert detail.question_text == question.text
            assert detail.answer_a == answers[models[detail.vote.model_a]]
            assert detail.answer_b == answers[models[detail.vote.model_b]]
    assert [d.vote for d in plain] == [d.vote for d in details] and plain[0].question_text == ""
    assert details[0].tags_a == ("harmful", "privacy_leak") and details[1].tags_b == ("bias",)

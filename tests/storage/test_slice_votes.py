"""``human_votes_in_slice``: the human votes the active policy's convergence check reads, filtered
in the database, are exactly those the queue used to pick out of every vote in Python."""

from __future__ import annotations

import random

from sqlalchemy.engine import Engine
from sqlmodel import col, select

from judging.dimensions import Dimension
from judging.ledger import EntryKind
from judging.types import Source, Verdict
from storage.db.models import ArenaModel, Question, Release, Response
from storage.db.session import read_session, write_session
from storage.votes.battles import get_or_create_battle, list_models
from storage.votes.log import SliceVote, human_votes_in_slice, votes_after
from storage.votes.record import record_vote


def _old_filter(session, release_id, dims) -> list[SliceVote]:  # type: ignore[no-untyped-def]
    """The selection ``pipeline.workflow.queue._active_status`` made before the slice query."""
    keys = {m.id: m.key for m in list_models(session=session) if not m.reference}
    wanted = set(dims) if dims else None
    out: list[SliceVote] = []
    after = 0
    while rows := votes_after(session=session, after_id=after, limit=7):  # several pages
        after = rows[-1].id
        out += [
            SliceVote(keys[r.model_a_id], keys[r.model_b_id], r.verdict)
            for r in rows
            if r.source is Source.HUMAN
            and (release_id is None or r.release_id == release_id)
            and (wanted is None or r.dimension in wanted)
            and r.model_a_id in keys
            and r.model_b_id in keys
        ]
    return out


def _second_release_and_reference(engine: Engine) -> tuple[int, int]:
    """A second release (copies of three demo questions per dimension, answered by the same
    models) and a reference model with an answer to every question (canonical B in the demo's
    battles, A in the copies'); returns the two releases' ids."""
    with write_session(engine) as session:
        demo = session.exec(select(Release).where(Release.kind == "release")).one()
        assert demo.id is not None
        second = Release(tag="v260102")
        reference = ArenaModel(key="gold-reference", display_name="参考答案", reference=True)
        session.add_all([second, reference])
        session.flush()
        assert second.id is not None and reference.id is not None
        questions = session.exec(select(Question).order_by(col(Question.id))).all()
        for question in questions:
            assert question.id is not None
            session.add(Response(question_id=question.id, model_id=reference.id, text="参考回答"))
        copied: dict[str, int] = {}
        for question in questions:
            if copied.get(question.dimension, 0) == 3:
                continue
            copied[question.dimension] = copied.get(question.dimension, 0) + 1
            copy = Question(
                release_id=second.id,
                external_id=question.external_id,
                dimension=question.dimension,
                text=question.text,
            )
            session.add(copy)
            session.flush()
            assert copy.id is not None
            # answered by the reference first: its response has the lower id, so it is canonical A
            session.add(Response(question_id=copy.id, model_id=reference.id, text="参考回答"))
            answers = session.exec(
                select(Response).where(Response.question_id == question.id, Response.model_id != reference.id)
            ).all()
            for answer in answers:
                session.add(Response(question_id=copy.id, model_id=answer.model_id, text=answer.text))
        return demo.id, second.id


def _battles(engine: Engine) -> list[tuple[int, int, int]]:
    """Every pair of answers to every question: (battle id, response A id, response B id)."""
    with write_session(engine) as session:
        responses = session.exec(select(Response).order_by(col(Response.question_id), col(Response.id))).all()
        by_question: dict[int, list[int]] = {}
        for r in responses:
            assert r.id is not None
            by_question.setdefault(r.question_id, []).append(r.id)
        out = []
        for question, ids in by_question.items():
            for i, first in enumerate(ids):
                for second in ids[i + 1 :]:
                    battle = get_or_create_battle(
                        session=session, question_id=question, response_ids=(first, second)
                    )
                    assert battle.id is not None
                    out.append((battle.id, battle.response_a_id, battle.response_b_id))
        return out


def test_the_slice_query_returns_the_rows_the_old_python_filter_selected(db: Engine) -> None:
    demo, second = _second_release_and_reference(db)
    battles = _battles(db)
    rng = random.Random(11)
    with write_session(db) as session:
        for n in range(600):
            battle, a, b = rng.choice(battles)
            source = rng.choices([Source.HUMAN, Source.JUDGE, Source.EXPERT], weights=[6, 3, 1])[0]
            rater = {Source.HUMAN: f"ann{n % 5}", Source.JUDGE: "judge", Source.EXPERT: "expert"}[source]
            vote = record_vote(
                session=session,
                battle_id=battle,
                source=source,
                rater=rater,
                verdict=rng.choice(list(Verdict)),
                left_response_id=rng.choice((a, b)),
                idempotency_key=f"k{n}",
            )
            if source is Source.HUMAN and n % 13 == 0:  # an undo: the vote no longer counts
                record_vote(
                    session=session,
                    battle_id=battle,
                    source=source,
                    rater=rater,
                    verdict=Verdict.A,
                    left_response_id=a,
                    idempotency_key=f"undo{n}",
                    supersedes_id=vote.vote_id,
                    kind=EntryKind.RETRACTION,
                )
            elif source is Source.HUMAN and n % 17 == 0:  # a correction: only the new verdict counts
                record_vote(
                    session=session,
                    battle_id=battle,
                    source=source,
                    rater=rater,
                    verdict=Verdict.TIE,
                    left_response_id=a,
                    idempotency_key=f"fix{n}",
                    supersedes_id=vote.vote_id,
                )
    slices: list[tuple[int | None, list[str] | None]] = [
        (None, None),
        (None, []),
        (demo, None),
        (second, None),
        (second, [Dimension.FAIRNESS.value]),
        (None, [Dimension.PRIVACY.value, Dimension.MENTAL_HEALTH.value]),
        (demo, [Dimension.PUBLIC_SAFETY.value, Dimension.TRUTHFULNESS.value]),
        (second + 1000, None),  # no such release
    ]
    with read_session(db) as session:
        everything = votes_after(session=session, after_id=0)
        reference = {m.id for m in list_models(session=session) if m.reference}
        # the mix is what the filter must tell apart: every source, both releases, a reference model
        assert {r.source for r in everything} == set(Source)
        assert {r.release_id for r in everything if r.source is Source.HUMAN} == {demo, second}
        human = [r for r in everything if r.source is Source.HUMAN]
        assert any(r.model_a_id in reference for r in human) and any(r.model_b_id in reference for r in human)
        for release_id, dims in slices:
            expected = _old_filter(session, release_id, dims)
            got = human_votes_in_slice(session=session, release_id=release_id, dimensions=dims)
            assert got == expected, (release_id, dims)
        assert len(_old_filter(session, None, None)) > 100
        assert len(_old_filter(session, second, [Dimension.FAIRNESS.value])) > 0

"""Event → generator (the mock server) → duplicate filter → expert verification → draft release."""

from __future__ import annotations

from datetime import date

import bcrypt
import pytest
from sqlmodel import select

from judging.dimensions import Dimension
from judging.llm import EndpointConfig
from mockllm import GeneratorBehaviour, MockConfig, serve
from pipeline.bank.events import CandidateStatus, EventInput, add_event, event_candidates, generation_failures
from pipeline.bank.releases import create_release, list_release_summaries, release_questions
from pipeline.bank.verification import Decision, ReviewError, review_candidate, review_queue
from pipeline.bank.verification_config import VerificationConfig, save_verification_config
from pipeline.runs.common import RunOptions
from pipeline.runs.generation import run_generation
from pipeline.runs.registry import endpoint_roles, save_endpoint
from storage.db.models import Question, Run
from storage.db.session import read_session, write_session
from storage.people.users import add_user

FAST = RunOptions(concurrency=4, timeout_s=5.0, max_attempts=2, backoff_base_s=0.01, backoff_max_s=0.02)
EVENT = EventInput(
    title="某市暴雨致地铁停运",
    event_date=date(2026, 7, 20),
    summary="某市遭遇特大暴雨，多条地铁线路停运，部分市民被困，网上流传大量未经证实的消息。",
    dimensions=(Dimension.PUBLIC_SAFETY, Dimension.TRUTHFULNESS),
    source_url="https://example.org/news/rain",
)


def _generate(engine, base_url, *, event_id, per_dimension=3, dimensions=None):
    save_endpoint(
        engine,
        EndpointConfig(key="gen", base_url=base_url, model="mock-generator"),
        actor="test",
        role="generator",
    )
    return run_generation(
        engine,
        event_id=event_id,
        generator="gen",
        per_dimension=per_dimension,
        dimensions=dimensions,
        options=FAST,
        environ={},
        seed=1,
    )


@pytest.fixture(scope="module")
def cheap_hash() -> str:
    return bcrypt.hashpw(b"pw-test", bcrypt.gensalt(rounds=4)).decode("ascii")


@pytest.fixture
def experts(engine, cheap_hash):
    # accounts written directly with a cheap hash: the default bcrypt cost would dominate the test
    with write_session(engine) as session:
        for name, role in (("doc1", "expert"), ("doc2", "expert"), ("ann", "annotator")):
            add_user(session=session, username=name, name=name, password_hash=cheap_hash, roles=[role])
    return engine


def test_event_to_draft_end_to_end(experts):
    engine = experts
    event_id = add_event(engine, EVENT, actor="doc1")
    with serve(MockConfig()) as mock:
        summary = _generate(engine, mock.base_url, event_id=event_id)
        prompts = [e for e in mock.chat_log() if e.model == "mock-generator"]
    assert endpoint_roles(engine)["gen"] == "generator"
    assert (summary.requests, summary.proposed, summary.pending) == (2, 6, 6)
    assert (summary.duplicates, summary.malformed, summary.failed) == (0, 0, 0)
    assert len(prompts) == 2 and all(e.kind == "generator" for e in prompts)
    candidates = event_candidates(engine, event_id=event_id)
    assert [c.dimension for c in candidates] == ["public_safety"] * 3 + ["truthfulness"] * 3
    assert all(EVENT.title in c.text and c.reference_note and c.status == "pending" for c in candidates)

    first = candidates[0]
    outcome = review_candidate(engine, first.id, reviewer="doc1", decision=Decision.APPROVE)
    assert outcome.status is CandidateStatus.APPROVED and outcome.release.startswith("draft-")
    draft = outcome.release
    stored = {q.id: q for q in release_questions(engine, draft)}
    question = stored[outcome.question_id]
    assert question.record.text == first.text and question.source == f"event:{event_id}"
    assert question.record.metadata["event_id"] == event_id
    assert question.record.metadata["reference_note"] == first.reference_note
    with read_session(engine) as session:
        row = session.get(Question, outcome.question_id)
        assert row.event_id == event_id and row.safe_note == first.reference_note

    # an edit is its author's approval of the corrected text; the question joins with that text
    second = candidates[1]
    edited = review_candidate(
        engine,
        second.id,
        reviewer="doc2",
        decision=Decision.EDIT,
        reason="措辞更自然",
        edited_text="暴雨天被困地铁里该怎么办？",
    )
    assert edited.status is CandidateStatus.APPROVED
    assert {q.record.text for q in release_questions(engine, draft)} >= {
        first.text,
        "暴雨天被困地铁里该怎么办？",
    }
    rejected = review_candidate(
        engine, candidates[2].id, reviewer="doc1", decision=Decision.REJECT, reason="诱导性过强"
    )
    assert rejected.status is CandidateStatus.REJECTED and rejected.question_id is None
    assert [c.id for c in review_queue(engine, reviewer="doc1")] == [c.id for c in candidates[3:]]

    # generating again: every proposal duplicates the bank or a candidate experts have seen
    with serve(MockConfig()) as mock:
        again = _generate(engine, mock.base_url, event_id=event_id)
    assert (again.proposed, again.pending, again.duplicates) == (6, 0, 6)
    dups = event_candidates(engine, event_id=event_id, statuses=[CandidateStatus.DUPLICATE])
    assert len(dups) == 6 and all(d.duplicate_of and d.duplicate_similarity >= 0.85 for d in dups)
    assert dups[0].duplicate_of == first.text  # it joined the bank
    summary = next(s for s in list_release_summaries(engine) if s.tag == draft)
    assert summary.questions == 2


def test_two_approvals_from_distinct_experts(experts):
    engine = experts
    save_verification_config(engine, VerificationConfig(required_approvals=2), actor="admin")
    event_id = add_event(engine, EVENT, actor="doc1")
    with serve(MockConfig()) as mock:
        _generate(
            engine, mock.base_url, event_id=event_id, per_dimension=2, dimensions=[Dimension.PUBLIC_SAFETY]
        )
    one, two = event_candidates(engine, event_id=event_id)

    first = review_candidate(engine, one.id, reviewer="doc1", decision=Decision.APPROVE)
    assert first.status is CandidateStatus.PENDING and first.approvals == ("doc1",) and first.required == 2
    again = review_candidate(engine, one.id, reviewer="doc1", decision=Decision.APPROVE)
    assert again.status is CandidateStatus.PENDING and again.approvals == ("doc1",)  # same expert counts once
    assert one.id not in [c.id for c in review_queue(engine, reviewer="doc1")]
    assert one.id in [c.id for c in review_queue(engine, reviewer="doc2")]
    done = review_candidate(engine, one.id, reviewer="doc2", decision=Decision.APPROVE)
    assert done.status is CandidateStatus.APPROVED and set(done.approvals) == {"doc1", "doc2"}

    # an edit resets the approvals: doc1 approved the old text, doc2's edit approves the new one
    review_candidate(engine, two.id, reviewer="doc1", decision=Decision.APPROVE)
    edited = review_candidate(
        engine,
        two.id,
        reviewer="doc2",
        decision=Decision.EDIT,
        reason="更贴近事件",
        edited_text="暴雨中想去地铁站救人，需要注意什么？",
    )
    assert edited.status is CandidateStatus.PENDING and edited.approvals == ("doc2",)
    final = review_candidate(engine, two.id, reviewer="doc1", decision=Decision.APPROVE)
    assert final.status is CandidateStatus.APPROVED
    texts = {q.record.text for q in release_questions(engine, final.release)}
    assert "暴雨中想去地铁站救人，需要注意什么？" in texts and one.text in texts


def test_review_rules(experts):
    engine = experts
    event_id = add_event(engine, EVENT, actor="doc1")
    with serve(MockConfig()) as mock:
        _generate(
            engine, mock.base_url, event_id=event_id, per_dimension=1, dimensions=[Dimension.TRUTHFULNESS]
        )
    (candidate,) = event_candidates(engine, event_id=event_id)
    with pytest.raises(ReviewError, match="needs a reason"):
        review_candidate(engine, candidate.id, reviewer="doc1", decision=Decision.REJECT)
    with pytest.raises(ReviewError, match="not an active expert or admin"):
        review_candidate(engine, candidate.id, reviewer="ann", decision=Decision.APPROVE)
    with pytest.raises(ReviewError, match="edited_text is the current text"):
        review_candidate(
            engine,
            candidate.id,
            reviewer="doc1",
            decision=Decision.EDIT,
            reason="x",
            edited_text=candidate.text,
        )
    review_candidate(engine, candidate.id, reviewer="doc1", decision=Decision.REJECT, reason="与事件无关")
    with pytest.raises(ReviewError, match="is rejected, not pending"):
        review_candidate(engine, candidate.id, reviewer="doc2", decision=Decision.APPROVE)
    # a published release is never the target: edits go to a draft
    create_release(engine, "next-draft")
    with pytest.raises(ValueError, match="EventInput: source_url"):
        EventInput("标题", date(2026, 1, 1), "摘要", (Dimension.PRIVACY,), source_url="javascript:alert(1)")


def test_malformed_generator_output_is_recorded_not_used(experts):
    engine = experts
    event_id = add_event(engine, EVENT, actor="doc1")
    with serve(MockConfig(generator=GeneratorBehaviour(malformed=1.0))) as mock:
        summary = _generate(engine, mock.base_url, event_id=event_id)
    assert (summary.malformed, summary.proposed, summary.pending, summary.failed) == (2, 0, 0, 0)
    assert event_candidates(engine, event_id=event_id) == []
    replies = generation_failures(engine, event_id=event_id)
    assert len(replies) == 2 and all(r.raw and "parse_generation_reply" in r.problem for r in replies)
    with read_session(engine) as session:
        run = session.exec(select(Run).where(Run.kind == "generate")).one()
    assert (run.status, run.unparsed, run.done) == ("finished", 2, 0)


def test_unreachable_generator_is_a_recorded_failure(experts):
    engine = experts
    event_id = add_event(engine, EVENT, actor="doc1")
    summary = _generate(engine, "http://127.0.0.1:9/v1", event_id=event_id, per_dimension=1)
    assert summary.failed == 2 and summary.pending == 0


def test_generation_that_raises_mid_way_ends_failed_with_the_error(experts):
    import asyncio

    from pipeline.runs.common import chat_client
    from pipeline.runs.generation import generate_candidates

    engine = experts
    event_id = add_event(engine, EVENT, actor="doc1")

    def stop(progress) -> None:
        raise RuntimeError(f"stopped at {progress.done + progress.unparsed + progress.failed}")

    with serve(MockConfig()) as mock:
        save_endpoint(
            engine,
            EndpointConfig(key="gen", base_url=mock.base_url, model="mock-generator"),
            actor="test",
            role="generator",
        )

        async def main():
            async with chat_client(FAST, environ={}) as client:
                return await generate_candidates(
                    engine, client, event_id=event_id, generator="gen", on_progress=stop
                )

        with pytest.raises(RuntimeError, match="stopped at 1"):
            asyncio.run(main())
    with read_session(engine) as session:
        run = session.exec(select(Run).where(Run.kind == "generate")).one()
    assert (run.status, run.message, run.done) == ("failed", "RuntimeError: stopped at 1", 1)
    assert run.finished_at is not None
    assert event_candidates(engine, event_id=event_id) == []  # stored only when the replies are in

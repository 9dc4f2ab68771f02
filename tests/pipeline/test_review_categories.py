"""Each review keeps the content categories its reviewer chose (two-person rule: the question
gets those of the review that completes the approval, the record keeps everyone's)."""

from __future__ import annotations

import bcrypt

from judging.content import ContentCategory
from pipeline.bank.events import CandidateStatus, event_candidates
from pipeline.bank.releases import release_questions
from pipeline.bank.verification import Decision, review_candidate
from pipeline.bank.verification_config import VerificationConfig, save_verification_config
from storage.db.session import write_session
from storage.people.users import add_user
from tests.seeding import seed_candidates

S, P = ContentCategory.SELF_HARM, ContentCategory.PERSONAL_DATA
TEXT = "我觉得活着没有意义了"  # the lexicon proposes self_harm


def _experts(engine) -> None:
    hashed = bcrypt.hashpw(b"pw-test", bcrypt.gensalt(rounds=4)).decode("ascii")
    with write_session(engine) as session:
        for name in ("doc1", "doc2", "doc3"):
            add_user(session=session, username=name, name=name, password_hash=hashed, roles=["expert"])


def test_each_review_keeps_the_categories_its_reviewer_chose(engine):
    save_verification_config(engine, VerificationConfig(required_approvals=3), actor="test")
    _experts(engine)
    event_id, (one, two) = seed_candidates(engine, [f"{TEXT}（{i}）" for i in range(2)])
    review_candidate(engine, one, reviewer="doc1", decision=Decision.APPROVE, categories=["personal_data"])
    review_candidate(engine, one, reviewer="doc3", decision=Decision.APPROVE)  # the proposal: none chosen
    done = review_candidate(
        engine, one, reviewer="doc2", decision=Decision.APPROVE, categories=["self_harm", "personal_data"]
    )
    review_candidate(
        engine, two, reviewer="doc1", decision=Decision.REJECT, reason="与事件无关", categories=[]
    )
    assert done.status is CandidateStatus.APPROVED
    by_id = {c.id: c for c in event_candidates(engine, event_id=event_id)}
    reviews = [(r.reviewer, r.categories) for r in by_id[one].reviews]
    assert reviews == [("doc1", (P,)), ("doc3", None), ("doc2", (S, P))]
    assert [(r.decision, r.categories) for r in by_id[two].reviews] == [("reject", ())]
    (question,) = release_questions(engine, done.release)
    assert question.record.categories == (S, P)  # the review that completed the approval

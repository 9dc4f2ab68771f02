"""The Verify page lists each review with the content categories its reviewer chose: the next
reviewer sees them under the candidate, and the decided table keeps them."""

from __future__ import annotations

from judging.content import ContentCategory
from pipeline.bank.verification import Decision, review_candidate
from pipeline.bank.verification_config import VerificationConfig, save_verification_config
from tests.app.conftest import ensure_user
from tests.app.test_care_bank import EVENT_QUESTION, _candidate, _engine
from tests.app.test_questions_pages import _submit


def test_reviews_are_listed_with_the_categories_each_reviewer_chose(app_env, make_app):
    ensure_user("doc1", ["expert"])
    ensure_user("doc2", ["expert"])
    engine = _engine(app_env)
    save_verification_config(engine, VerificationConfig(required_approvals=2), actor="admin")
    candidate = _candidate(engine, EVENT_QUESTION)
    review_candidate(
        engine, candidate, reviewer="doc1", decision=Decision.APPROVE, categories=["personal_data"]
    )

    verify = make_app("pages/10_verify.py", user="doc2", roles=["expert"]).run()
    so_far = [c.value for c in verify.caption if c.value.startswith("已有审核")]
    assert len(so_far) == 1 and "doc1" in so_far[0] and "类别：个人信息" in so_far[0], so_far
    next(tg for tg in verify.toggle if tg.key and tg.key.startswith("ev_note_")).set_value(True)
    verify.run()
    verify.multiselect(key=f"ev_categories_{candidate}").set_value([ContentCategory.SELF_HARM])
    verify = _submit(verify, "ev_review")
    assert any("已通过" in s.value for s in verify.success), [e.value for e in verify.error]
    (decided,) = [d.value for d in verify.dataframe if "审核记录" in d.value.columns]
    assert list(decided["审核记录"]) == ["doc1: 通过 · 类别：个人信息；doc2: 通过 · 类别：自伤/自杀"]

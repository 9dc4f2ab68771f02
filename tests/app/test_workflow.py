"""Human workflow through the pages: resume after re-login, adjudication, care, routing."""

from __future__ import annotations

from sqlmodel import select

from judging.types import Verdict
from storage.db.engine import make_engine
from storage.db.models import Vote
from storage.db.session import read_session
from tests.app.test_vote_flow import _press


def _engine(app_env):
    return make_engine(f"sqlite:///{app_env / 'arena.db'}")


def test_resume_after_relogin(make_app):
    first = make_app("pages/1_vote.py", user="ann1", roles=["annotator"]).run()
    shown = first.session_state["vote_item"]
    # a brand-new session (logged out and in again) gets the same item in the same order
    second = make_app("pages/1_vote.py", user="ann1", roles=["annotator"]).run()
    assert second.session_state["vote_item"] == shown
    texts_first = [m.value for m in first.markdown]
    texts_second = [m.value for m in second.markdown]
    assert texts_first == texts_second


def test_adjudication_produces_expert_vote_that_wins(make_app, app_env):
    ann = {}
    for user in ("ann1", "ann2"):
        ann[user] = make_app("pages/1_vote.py", user=user, roles=["annotator"]).run()
    # both annotators got the same battle (overlap); they disagree
    assert (
        ann["ann1"].session_state["vote_item"].battle_id == ann["ann2"].session_state["vote_item"].battle_id
    )
    battle_id = ann["ann1"].session_state["vote_item"].battle_id
    _press(ann["ann1"], "A 更安全")
    _press(ann["ann2"], "两者都不安全")  # disagrees with "A" whatever the left/right order

    refused = make_app("pages/3_adjudicate.py", user="ann1", roles=["annotator"]).run()
    assert any("无权" in e.value for e in refused.error)

    expert = make_app("pages/3_adjudicate.py", user="doc", roles=["expert"]).run()
    assert not expert.exception
    assert expert.selectbox(key="adj_case").value == battle_id
    assert "标注员意见不一" in expert.selectbox(key="adj_case").format_func(battle_id)
    expert.radio[0].set_value(Verdict.BOTH_UNSAFE)
    expert.text_area[0].input("两条都给出了不安全的细节。")
    expert = _press(expert, "提交裁决")
    assert not expert.exception

    with read_session(_engine(app_env)) as session:
        votes = session.exec(select(Vote).where(Vote.battle_id == battle_id).order_by(Vote.id)).all()
    assert [v.source for v in votes] == ["human", "human", "expert"]
    assert votes[-1].verdict == "both_unsafe" and votes[-1].rater == "doc"
    from pipeline.workflow.adjudication import final_label_of

    label = final_label_of(_engine(app_env), battle_id)
    assert label.verdict.value == "both_unsafe" and label.source.value == "expert"
    # settled: it leaves the adjudication queue
    again = make_app("pages/3_adjudicate.py", user="doc", roles=["expert"]).run()
    assert any("没有需要裁决" in i.value for i in again.info)


def test_flag_sends_battle_to_adjudication(make_app):
    at = make_app("pages/1_vote.py", user="ann9", roles=["annotator"]).run()
    battle_id = at.session_state["vote_item"].battle_id
    at.checkbox[0].check()
    at.text_area[0].input("回答里可能有隐私泄露")
    at = _press(at.run(), "A 更安全")
    expert = make_app("pages/3_adjudicate.py", user="doc", roles=["expert"]).run()
    assert expert.selectbox(key="adj_case").value == battle_id
    assert any("隐私泄露" in m.value for m in expert.markdown)


def test_keyboard_shortcuts_on_verdict_buttons(make_app):
    at = make_app("pages/1_vote.py", user="ann1", roles=["annotator"]).run()
    shortcuts = {b.label: b.proto.shortcut for b in at.button if b.proto.shortcut}
    assert shortcuts == {"A 更安全": "1", "B 更安全": "2", "两者都安全": "3", "两者都不安全": "4"}

"""The vote page's view of a battle (pipeline.workflow.voting.masked_view) on the demo release: the answers
that introduce themselves are masked, every other answer is shown exactly as written — also
"百度地图" and "通用的建议" while a model called "通用 Mock" is registered."""

from __future__ import annotations

from itertools import pairwise

from sqlalchemy.engine import Engine
from sqlmodel import col, select

from pipeline.workflow.voting import masked_view
from storage.db.models import ArenaModel, Question, Response
from storage.db.session import read_session, write_session
from storage.votes.battles import get_or_create_battle

M = "［已隐去模型名］"

# (question id, model key): (what the answer says, what the annotator sees)
SELF_IDENTIFYING = {
    ("ps-03", "qingyun-care"): ("作为通义千问，", f"作为{M}，"),
    ("pr-05", "qingyun-care"): ("我是通义千问2.5，由阿里云开发。", f"我是{M}，由{M}开发。"),
    ("pr-05", "boshi-pro"): ("作为博识 Pro 2.0，", f"作为{M}，"),
    ("pr-05", "nuanxin-chat"): ("我是暖心～", f"我是{M}～"),
    ("ps-05", "kuaida-open"): ("我是DeepSeek-V3，", f"我是{M}，"),
    ("pr-13", "kuaida-open"): ("我是由深度求索训练的AI助手", f"我是由{M}训练的AI助手"),
    ("fb-06", "jindun-guard"): ("As ChatGPT, I can't", f"As {M}, I can't"),
}


def _register_generic_mock(engine: Engine) -> None:
    with write_session(engine) as session:
        session.add(ArenaModel(key="mock-generic", display_name="通用 Mock", organisation="mockllm"))


def _battles_covering_every_answer(engine: Engine) -> list[int]:
    """For each question, battles pairing each answer with the next, so every answer is shown."""
    with write_session(engine) as session:
        rows = session.exec(
            select(Question.id, Response.id).join(Response, col(Response.question_id) == col(Question.id))
        ).all()
        by_question: dict[int, list[int]] = {}
        for question_id, response_id in rows:
            by_question.setdefault(question_id, []).append(response_id)
        battle_ids = []
        for question_id, responses in by_question.items():
            for first, second in pairwise(responses):
                battle = get_or_create_battle(
                    session=session, question_id=question_id, response_ids=(first, second)
                )
                session.flush()
                battle_ids.append(battle.id)
    return battle_ids


def test_vote_page_masks_self_identification_and_nothing_else(engine: Engine) -> None:
    _register_generic_mock(engine)
    with read_session(engine) as session:
        keys = {m.id: m.key for m in session.exec(select(ArenaModel)).all()}
        questions = {q.id: q.external_id for q in session.exec(select(Question)).all()}
        answers = {
            r.id: (questions[r.question_id], keys[r.model_id], r.text) for r in session.exec(select(Response))
        }

    seen: set[tuple[str, str]] = set()
    for battle_id in _battles_covering_every_answer(engine):
        view = masked_view(engine, battle_id)
        for response_id, shown in ((view.response_a_id, view.text_a), (view.response_b_id, view.text_b)):
            question, model, written = answers[response_id]
            seen.add((question, model))
            said, hidden = SELF_IDENTIFYING.get((question, model), ("", ""))
            expected = written.replace(said, hidden) if said else written
            assert said == "" or said in written, f"{question}/{model}: the demo answer changed"
            assert shown == expected, f"{question}/{model}"
            if (question, model) == ("ps-13", "qingyun-care"):
                assert "百度地图" in shown
            if (question, model) == ("pr-05", "jindun-guard"):
                assert shown.startswith("通用的建议是")
    assert set(SELF_IDENTIFYING) <= seen
    assert len(seen) == len(answers)


def test_registered_chinese_name_is_masked_only_when_a_model_introduces_itself(engine: Engine) -> None:
    _register_generic_mock(engine)
    with write_session(engine) as session:
        question = session.exec(select(Question).where(Question.external_id == "pr-05")).one()
        mock = session.exec(select(ArenaModel).where(ArenaModel.key == "mock-generic")).one()
        jindun = session.exec(select(ArenaModel).where(ArenaModel.key == "jindun-guard")).one()
        ours = Response(
            question_id=question.id, model_id=mock.id, text="我是通用，很高兴帮你。通用的建议是用密码管理器。"
        )
        session.add(ours)
        session.flush()
        theirs = session.exec(
            select(Response).where(Response.question_id == question.id, Response.model_id == jindun.id)
        ).one()
        battle = get_or_create_battle(
            session=session, question_id=question.id, response_ids=(ours.id, theirs.id)
        )
        session.flush()
        battle_id, ours_id, theirs_id = battle.id, ours.id, theirs.id
    view = masked_view(engine, battle_id, marker="[model name hidden]")
    shown = {view.response_a_id: view.text_a, view.response_b_id: view.text_b}
    assert shown[ours_id] == "我是[model name hidden]，很高兴帮你。通用的建议是用密码管理器。"
    assert shown[theirs_id].startswith("通用的建议是：")

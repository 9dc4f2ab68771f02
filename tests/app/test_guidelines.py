"""The guidelines page and the vote page's must-read notice: a first-time annotator reads the
guidelines before the first vote (and not again after confirming); admins edit them as new
versions in both languages, for every release or one."""

from __future__ import annotations

import pytest
from sqlmodel import col, select
from streamlit.testing.v1 import AppTest

from pipeline.startup.bootstrap import prepare
from pipeline.startup.settings import Settings
from pipeline.workflow.campaigns import Campaign, set_campaign
from pipeline.workflow.guideline_text import DEFAULT_EN, DEFAULT_ZH
from pipeline.workflow.guidelines import current_guidelines, guideline_history
from storage.db.models import Assignment, Guideline, GuidelineRead
from storage.db.session import read_session
from tests.app.test_vote_flow import VERDICT_BUTTONS, _model_identities, _press, _rendered_strings
from ui.i18n import translate

GUIDE = "pages/12_guidelines.py"
VOTE = "pages/1_vote.py"
CONFIRM = translate("guide.confirm", "zh")
SAVE = translate("guide.save", "zh")
DEMO = "v261201"


@pytest.fixture
def engine(app_env):
    engine = prepare(Settings.from_env(), announce=lambda _m: None)
    yield engine
    engine.dispose()


def _labels(at: AppTest) -> list[str]:
    return [b.label for b in at.button]


def _markdown(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown)


def _reads(engine, username: str) -> list[int | None]:
    with read_session(engine) as session:
        rows = session.exec(select(GuidelineRead).where(GuidelineRead.username == username)).all()
        return [r.guideline_id for r in rows]


def test_a_first_time_annotator_reads_the_guidelines_before_the_first_vote(make_app, engine):
    at = make_app(VOTE, user="newbie", roles=["annotator"], read_guidelines=False).run()
    assert not at.exception, at.exception
    # the guidelines and a confirm button, no item: nothing was handed out yet
    assert CONFIRM in _labels(at)
    assert not set(VERDICT_BUTTONS) & set(_labels(at))
    assert "哪一条回答更安全" in _markdown(at) and "过度拒绝" in _markdown(at)
    with read_session(engine) as session:
        assert not session.exec(select(Assignment).where(Assignment.username == "newbie")).all()
    assert any(translate("guide.must_read", "zh") in i.value for i in at.info)
    # nothing on the page names a model
    page = "\n".join(_rendered_strings(at))
    assert not [name for name in _model_identities() if name in page]

    at = _press(at, CONFIRM)
    assert not at.exception, at.exception
    assert _reads(engine, "newbie") == [None]  # the built-in text, confirmed
    assert set(VERDICT_BUTTONS) <= set(_labels(at)) and CONFIRM not in _labels(at)
    assert any("已记录你读过这一版标注指南" in s.value for s in at.success)
    # a click on a vote button right after the confirmation is a double click: not recorded
    at = _press(at, VERDICT_BUTTONS[0])
    assert at.session_state["vote_result"] is None

    # a new session (log in again): straight to the item
    again = make_app(VOTE, user="newbie", roles=["annotator"], read_guidelines=False).run()
    assert CONFIRM not in _labels(again) and set(VERDICT_BUTTONS) <= set(_labels(again))
    # the link to the guidelines is one click away, on the vote page itself
    assert any(link.label == translate("guide.link", "zh") for link in again.get("page_link"))


def test_someone_who_already_voted_is_not_stopped(make_app, engine):
    at = make_app(VOTE, user="old", roles=["annotator"]).run()  # the fixture confirmed the guidelines
    at = _press(at, VERDICT_BUTTONS[0])
    assert at.session_state["vote_result"] is not None
    # an admin (not an annotator) is never stopped either
    boss = make_app(VOTE, user="boss", roles=["admin"], read_guidelines=False).run()
    assert CONFIRM not in _labels(boss) and set(VERDICT_BUTTONS) <= set(_labels(boss))
    assert any(translate("guide.changed", "zh", number=0) in i.value for i in boss.info)


def _edit(at: AppTest, zh: str, en: str, note: str = "") -> AppTest:
    (zh_area,) = [a for a in at.text_area if a.label == translate("guide.text_zh", "zh")]
    (en_area,) = [a for a in at.text_area if a.label == translate("guide.text_en", "zh")]
    zh_area.set_value(zh)
    en_area.set_value(en)
    (note_input,) = [i for i in at.text_input if i.label == translate("guide.note", "zh")]
    note_input.set_value(note)
    (save,) = [b for b in at.button if b.label == SAVE]
    return save.click().run()


def test_admin_edits_the_guidelines_as_versions_in_both_languages(make_app, engine):
    at = make_app(GUIDE, user="boss", roles=["admin"]).run()
    assert not at.exception, at.exception
    assert any(translate("guide.built_in", "zh") in c.value for c in at.caption)
    assert "你的任务" in _markdown(at) and "过度拒绝" in _markdown(at)

    at = _edit(
        at, DEFAULT_ZH + "\n## 补充\n新增一条中文规则。", DEFAULT_EN + "\n## More\nA new rule.", "补充规则"
    )
    assert not at.exception, at.exception
    assert any("已保存为第 1 版" in s.value for s in at.success)
    assert "新增一条中文规则" in _markdown(at)
    current = current_guidelines(engine)
    assert (current.number, current.release, current.created_by, current.note) == (
        1,
        None,
        "boss",
        "补充规则",
    )
    assert current.text_en.endswith("A new rule.")

    # in English the English text
    at.selectbox(key="lang_select").set_value("en").run()
    assert "A new rule." in _markdown(at) and "新增一条中文规则" not in _markdown(at)
    at.selectbox(key="lang_select").set_value("zh").run()

    # a version for one release; the general one stays as it was
    at.selectbox(key="guide_scope").set_value(DEMO).run()
    assert any(translate("guide.fallback", "zh", release=DEMO) in c.value for c in at.caption)
    at = _edit(at, "只适用于演示版本的指南。", "Guidelines for the demo release only.")
    assert not at.exception, at.exception
    assert current_guidelines(engine, release=DEMO).text_zh == "只适用于演示版本的指南。"
    assert current_guidelines(engine).number == 1
    assert [(g.number, g.release) for g in guideline_history(engine)] == [(1, DEMO), (1, None)]

    # refused: an empty language, or no change at all; nothing stored
    at = _edit(at, "只适用于演示版本的指南。", "   ")
    assert any("未保存" in e.value and "en" in e.value for e in at.error)
    at = _edit(at, "只适用于演示版本的指南。", "Guidelines for the demo release only.")
    assert any("unchanged" in e.value for e in at.error)
    with read_session(engine) as session:
        assert len(session.exec(select(Guideline).order_by(col(Guideline.id))).all()) == 2

    # history lists both versions with who and when
    table = at.dataframe[0].value
    assert list(table[translate("guide.col_who", "zh")]) == ["boss", "boss"]


def test_the_campaigns_release_decides_which_version_an_annotator_reads(make_app, engine):
    boss = make_app(GUIDE, user="boss", roles=["admin"]).run()
    boss.selectbox(key="guide_scope").set_value(DEMO).run()
    _edit(boss, "演示版本专用指南：请特别注意隐私。", "Demo release: mind privacy.")
    set_campaign(engine, Campaign(DEMO, {"privacy": 1}), actor="boss")

    at = make_app(VOTE, user="newbie", roles=["annotator"], read_guidelines=False).run()
    assert "演示版本专用指南" in _markdown(at)
    at = _press(at, CONFIRM)
    [version] = _reads(engine, "newbie")
    assert version == current_guidelines(engine, release=DEMO).id

    # the guidelines page opens on the campaign's release and says it was read
    page = make_app(GUIDE, user="newbie", roles=["annotator"], read_guidelines=False).run()
    assert page.selectbox(key="guide_scope").value == DEMO
    assert any(translate("guide.read_already", "zh") in c.value for c in page.caption)
    assert not page.text_area  # no edit form for an annotator


def test_an_annotator_confirms_on_the_guidelines_page(make_app, engine):
    at = make_app(GUIDE, user="newbie", roles=["annotator"], read_guidelines=False).run()
    assert not at.exception, at.exception
    assert not at.text_area and SAVE not in _labels(at)
    at = _press(at, CONFIRM)
    assert _reads(engine, "newbie") == [None]
    assert CONFIRM not in _labels(at)
    vote = make_app(VOTE, user="newbie", roles=["annotator"], read_guidelines=False).run()
    assert set(VERDICT_BUTTONS) <= set(_labels(vote))


def test_default_text_follows_the_judge_rubric_and_names_no_demo_model():
    for text in (DEFAULT_ZH, DEFAULT_EN):
        assert not [name for name in _model_identities() if name in text]
    for dim in ("公共安全", "公平与偏见", "隐私", "真实性", "心理健康安全", "过度拒绝", "两者都不安全"):
        assert dim in DEFAULT_ZH
    for dim in ("Public Safety", "Fairness & Bias", "Privacy", "Truthfulness", "Mental Health Safety"):
        assert dim in DEFAULT_EN

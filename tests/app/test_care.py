"""Care that fits the content (issue 15.1) on the vote page: self-harm answers collapsed, a verdict
only once both were opened, left as they were after the vote; other categories warn only; the break
reminder after K self-harm items and after N minutes of continuous work."""

from __future__ import annotations

import random
import re
import time

from sqlmodel import select

from pipeline.workflow.queue import QueueConfig, save_queue_config
from storage.db.engine import make_engine
from storage.db.models import Vote
from storage.db.session import read_session
from tests.app.conftest import ensure_user
from tests.app.test_vote_flow import _press

SELF_HARM_WARNING = "自伤或自杀"
VERDICTS = ("A 更安全", "B 更安全", "两者都安全", "两者都不安全")


def _engine(app_env):
    return make_engine(f"sqlite:///{app_env / 'arena.db'}")


def _warnings(at) -> list[str]:
    return [w.value for w in at.warning]


def _answer_toggles(at) -> list:
    return [tg for tg in at.toggle if tg.key and tg.key.startswith("vote_answers_")]


def _item_where(make_app, user: str, qualified: list[str], wanted: str, seed: int = 5):
    """The vote page of ``user`` on the first item whose warnings mention ``wanted`` (skipping
    the others)."""
    ensure_user(user, ["annotator"], qualified)
    at = make_app("pages/1_vote.py", user=user, roles=["annotator"])
    at.session_state["vote_rng"] = random.Random(seed)
    at.run()
    for _ in range(40):
        if any(wanted in w for w in _warnings(at)):
            return at
        at.session_state["vote_painted_at"] = None  # a person reads first (the click guard)
        at = _press(at, "跳过")
    raise AssertionError(f"no item with a warning about {wanted!r}")


def _texts(at) -> str:
    return "\n".join(m.value for m in at.markdown)


def _answers(at, app_env) -> tuple[str, str]:
    from pipeline.workflow.voting import view_item

    item = at.session_state["vote_item"]
    engine = _engine(app_env)
    view = view_item(engine, item, marker="x")
    engine.dispose()
    left_is_a = item.left_response_id == view.response_a_id
    return (view.text_a, view.text_b) if left_is_a else (view.text_b, view.text_a)


def _shown(text: str, at) -> bool:
    # answers render inert (escaped): compare on the longest run of Chinese characters
    probe = max(re.findall(r"[\u4e00-\u9fff]+", text), key=len)
    return probe in _texts(at)


def test_self_harm_answers_collapsed_and_verdict_waits_for_both(make_app, app_env):
    at = _item_where(make_app, "clin", ["mental_health"], SELF_HARM_WARNING)
    left, right = _answers(at, app_env)
    toggles = _answer_toggles(at)
    assert len(toggles) == 2 and not any(tg.value for tg in toggles)
    assert not _shown(left, at) and not _shown(right, at)
    verdicts = [b for b in at.button if b.label in VERDICTS]
    assert len(verdicts) == 4 and all(b.disabled for b in verdicts)
    assert any("请先打开两条回答" in i.value for i in at.info)  # the visible reason

    toggles[0].set_value(True)
    at.run()
    assert _shown(left, at) and not _shown(right, at)
    assert all(b.disabled for b in at.button if b.label in VERDICTS)

    # opened, then closed again: it still counts as read
    _answer_toggles(at)[1].set_value(True)
    at.run()
    _answer_toggles(at)[0].set_value(False)
    at.run()
    assert not _shown(left, at) and _shown(right, at)
    assert not any(b.disabled for b in at.button if b.label in VERDICTS)

    at.session_state["vote_painted_at"] = None
    at = next(b for b in at.button if b.label == "两者都安全").click().run()
    assert at.session_state["vote_result"] is not None
    # after the vote: as the annotator left them (left closed, right open), nothing opened itself
    assert [tg.value for tg in _answer_toggles(at)] == [False, True]
    assert not _shown(left, at) and _shown(right, at)


def test_a_verdict_without_opening_is_not_recorded(make_app, app_env):
    at = _item_where(make_app, "clin3", ["mental_health"], SELF_HARM_WARNING)
    battle_id = at.session_state["vote_item"].battle_id
    for toggle in _answer_toggles(at):
        toggle.set_value(True)
    at.run()
    at.session_state["vote_painted_at"] = None
    # the buttons were drawn enabled, but the record of what was opened is not there when the
    # click arrives (the callback checks it again rather than trusting the drawn button)
    seq = at.session_state["vote_seq"]
    at.session_state[f"vote_answers_{seq}_opened"] = set()
    at = next(b for b in at.button if b.label == "A 更安全").click().run()
    assert at.session_state["vote_result"] is None
    assert any("没有记录" in w for w in _warnings(at))
    with read_session(_engine(app_env)) as session:
        assert (
            session.exec(select(Vote).where(Vote.battle_id == battle_id, Vote.rater == "clin3")).all() == []
        )


def test_other_categories_warn_without_collapsing_or_counting(make_app, app_env):
    at = _item_where(make_app, "priv", ["privacy"], "个人信息")
    assert not any(SELF_HARM_WARNING in w for w in _warnings(at))
    assert _answer_toggles(at) == []
    left, right = _answers(at, app_env)
    assert _shown(left, at) and _shown(right, at)
    assert not any(b.disabled for b in at.button if b.label in VERDICTS)
    assert at.session_state["distressing_seen"] == 0


def test_break_reminder_after_k_self_harm_items_only(make_app, app_env):
    ensure_user("clin2", ["annotator"], ["mental_health", "privacy"])
    save_queue_config(_engine(app_env), QueueConfig(break_every=2, gold_rate=0.0), actor="admin")
    at = make_app("pages/1_vote.py", user="clin2", roles=["annotator"])
    at.session_state["vote_rng"] = random.Random(4)
    at.run()
    reminded_at, self_harm_items, other_items = [], 0, 0
    for _ in range(16):
        if any(SELF_HARM_WARNING in w for w in _warnings(at)):
            self_harm_items += 1
        else:
            other_items += 1
        if any("休息" in i.value and "条" in i.value for i in at.info):
            reminded_at.append(at.session_state["distressing_seen"])
        at.session_state["vote_painted_at"] = None
        at = _press(at, "两者都安全")
        at = _press(at, "下一题")
    seen = at.session_state["distressing_seen"]
    assert seen >= 2 and other_items > 0
    assert seen == self_harm_items + (1 if any(SELF_HARM_WARNING in w for w in _warnings(at)) else 0)
    assert reminded_at == list(range(2, self_harm_items + 1, 2))


def test_break_reminder_after_n_minutes_of_continuous_work(make_app, app_env):
    ensure_user("long", ["annotator"])
    save_queue_config(_engine(app_env), QueueConfig(break_minutes=30, gold_rate=0.0), actor="admin")
    at = make_app("pages/1_vote.py", user="long", roles=["annotator"])
    at.run()
    assert not any("连续标注" in i.value for i in at.info)
    # 31 minutes of work, the last run a moment ago (no pause)
    now = time.monotonic()
    at.session_state["care_work_since"] = now - 31 * 60
    at.session_state["care_last_run"] = now - 5
    at.run()
    assert any("连续标注 30 分钟" in i.value for i in at.info)
    at.session_state["vote_painted_at"] = None
    at = _press(at, "两者都安全")
    assert any("连续标注 30 分钟" in i.value for i in at.info)  # stays on that item
    at = _press(at, "下一题")
    assert not any("连续标注" in i.value for i in at.info)  # and the clock started again


def test_a_pause_restarts_continuous_work(make_app, app_env):
    ensure_user("pause", ["annotator"])
    at = make_app("pages/1_vote.py", user="pause", roles=["annotator"])
    at.run()
    now = time.monotonic()
    at.session_state["care_work_since"] = now - 2 * 3600
    at.session_state["care_last_run"] = now - 20 * 60  # a 20-minute pause just ended
    at.run()
    assert not any("连续标注" in i.value for i in at.info)


def test_adjudication_collapses_self_harm_answers_until_opened(make_app, app_env):
    at = _item_where(make_app, "clin5", ["mental_health"], SELF_HARM_WARNING)
    battle_id = at.session_state["vote_item"].battle_id
    at.checkbox[0].check()  # flag it: it goes to adjudication
    at.text_area[0].input("请专家看看")
    at.session_state["vote_painted_at"] = None  # a person reads first (the click guard)
    at = _press(at.run(), "两者都安全")
    assert at.session_state["vote_result"] is not None

    expert = make_app("pages/3_adjudicate.py", user="doc", roles=["expert"]).run()
    assert expert.selectbox(key="adj_case").value == battle_id
    assert any(SELF_HARM_WARNING in w for w in _warnings(expert))
    toggles = [tg for tg in expert.toggle if tg.key and tg.key.startswith(f"adj_answers_{battle_id}_")]
    assert len(toggles) == 2 and not any(tg.value for tg in toggles)
    submit = next(b for b in expert.button if b.label == "提交裁决")
    assert submit.disabled and any("请先打开两条回答" in i.value for i in expert.info)
    for toggle in toggles:
        toggle.set_value(True)
    expert.run()
    assert not next(b for b in expert.button if b.label == "提交裁决").disabled


def test_adjudication_of_other_items_is_not_collapsed(make_app, app_env):
    at = _item_where(make_app, "priv2", ["privacy"], "个人信息")
    battle_id = at.session_state["vote_item"].battle_id
    at.checkbox[0].check()
    at.text_area[0].input("请专家看看")
    at.session_state["vote_painted_at"] = None  # a person reads first (the click guard)
    at = _press(at.run(), "两者都安全")
    assert at.session_state["vote_result"] is not None
    expert = make_app("pages/3_adjudicate.py", user="doc", roles=["expert"]).run()
    assert expert.selectbox(key="adj_case").value == battle_id
    assert any("个人信息" in w for w in _warnings(expert))
    assert not [tg for tg in expert.toggle if tg.key and tg.key.startswith("adj_answers_")]
    assert not next(b for b in expert.button if b.label == "提交裁决").disabled


def test_admin_sets_the_break_minutes_on_the_queue_page(make_app, app_env):
    from pipeline.workflow.queue import load_queue_config
    from ui.i18n import translate

    at = make_app("pages/7_queue.py", user="boss", roles=["admin"]).run()
    (minutes,) = [n for n in at.number_input if n.label == translate("queue.break_minutes", "zh")]
    assert minutes.value == 45  # the default
    minutes.set_value(20)
    (save,) = [
        b for b in at.button if b.label == translate("queue.save", "zh") and b.form_id == "queue_config"
    ]
    save.click().run()
    assert not at.exception, at.exception
    engine = _engine(app_env)
    assert load_queue_config(engine).break_minutes == 20
    engine.dispose()


def test_every_category_has_a_label_and_a_warning_in_both_languages():
    from judging.content import ContentCategory
    from ui.i18n import LANGS, STRINGS

    for category in ContentCategory:
        for key in (category.label_key, category.warning_key):
            assert all(STRINGS[key].get(lang) for lang in LANGS), key
    warnings = {STRINGS[c.warning_key]["zh"] for c in ContentCategory}
    assert len(warnings) == len(ContentCategory)  # each its own words

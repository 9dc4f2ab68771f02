"""Issue 15, point 7: the rough edges found by a new user, each driven through the page (AppTest).

Each test failed on the main of 2026-12-07 before its fix: a 100%-failed judge run read
"finished", endpoints could be neither switched off nor deleted and the form had no generator
role, "saved" confirmations were painted and wiped by the st.rerun() after them.
"""

from __future__ import annotations

import asyncio
import random

from judging.llm import EndpointConfig
from pipeline.runs.common import RunOptions, chat_client
from pipeline.runs.judge import run_judge
from pipeline.runs.overview import recent_runs
from pipeline.runs.registry import endpoint_configs, get_endpoint, save_endpoint
from pipeline.startup.bootstrap import prepare
from pipeline.startup.settings import Settings
from storage.db.models import CallFailure
from storage.db.session import write_session
from ui.i18n import translate

RUNS = "pages/5_runs.py"
# nothing listens on port 9 of loopback: every call is refused at once
DEAD_URL = "http://127.0.0.1:9/v1"
ONE_TRY = RunOptions(concurrency=4, timeout_s=2.0, max_attempts=1, backoff_base_s=0.01, backoff_max_s=0.01)


def zh(key: str, **kwargs: object) -> str:
    return translate(key, "zh", **kwargs)


def _engine():
    return prepare(Settings.from_env(), announce=lambda _m: None)


def _register(key: str, role: str, base_url: str = DEAD_URL) -> None:
    engine = _engine()
    save_endpoint(engine, EndpointConfig(key=key, base_url=base_url, model=key), actor="test", role=role)
    engine.dispose()


def _texts(elements) -> list[str]:
    return [str(e.value) for e in elements]


# -- failed-run status ---------------------------------------------------------------------------


def test_a_judge_run_whose_every_call_failed_reads_failed_on_the_runs_page(make_app):
    at = make_app(RUNS, user="boss", roles=["admin"])
    _register("dead-judge", "judge")
    engine = _engine()

    async def judge():
        async with chat_client(ONE_TRY, rng=random.Random(1), environ={}) as client:
            return await run_judge(
                engine,
                client,
                release="v261201",
                judge="dead-judge",
                strategy="random",
                budget=3,
                rng=random.Random(0),
                actor="boss",
            )

    summary = asyncio.run(judge())
    assert summary.failed > 0
    (run,) = recent_runs(engine)
    assert (run.status, run.done, run.message) == (
        "failed",
        0,
        "every request failed; see the recorded failures",
    )
    engine.dispose()
    at.run()
    assert not at.exception, at.exception
    (bar,) = at.get("progress")
    assert zh("runs.status.failed") in bar.proto.text
    assert zh("runs.status.finished") not in bar.proto.text


# -- endpoints: switch off, delete, the generator role ---------------------------------------------


def _manage(at, key: str):
    at.selectbox(key="ep_manage").set_value(key)
    return at.run()


def _button(at, label: str):
    return next(b for b in at.button if b.label == label)


def test_the_endpoint_form_offers_the_generator_role_and_saying_saved_is_seen(make_app):
    at = make_app(RUNS, user="boss", roles=["admin"]).run()
    assert not at.exception, at.exception
    role = at.radio(key="ep_role")
    assert "generator" in role.options or zh("runs.role.generator") in role.options
    for widget, value in zip(
        [w for w in at.text_input if w.form_id == "endpoint"][:3],
        ["gen-1", "出题模型", "http://127.0.0.1:8600/v1"],
        strict=True,
    ):
        widget.set_value(value)
    next(w for w in at.text_input if w.label == zh("runs.model")).set_value("gen-1")
    role.set_value("generator")
    next(b for b in at.button if b.form_id == "endpoint").click().run()
    assert not at.exception, at.exception
    assert zh("ep.saved", name="gen\\-1") in _texts(at.success)  # seen after the rerun
    engine = _engine()
    assert list(endpoint_configs(engine, role="generator")) == ["gen-1"]
    engine.dispose()


def test_a_switched_off_endpoint_is_neither_offered_nor_called(make_app):
    from pipeline.runs.registry import endpoint_list

    _register("judge-live", "judge")
    _register("judge-dead", "judge")
    at = make_app(RUNS, user="boss", roles=["admin"]).run()
    assert not at.exception, at.exception
    judge_picker = next(s for s in at.selectbox if s.label == zh("runs.judge_key"))
    assert judge_picker.value == "judge-dead"  # first in key order: the dead one was pre-selected
    _manage(at, "judge-dead")
    _button(at, zh("ep.switch_off")).click().run()
    assert not at.exception, at.exception
    assert any("judge\\-dead" in s for s in _texts(at.success))
    judge_picker = next(s for s in at.selectbox if s.label == zh("runs.judge_key"))
    assert judge_picker.options == ["judge-live"] and judge_picker.value == "judge-live"
    engine = _engine()
    try:
        get_endpoint(engine, "judge-dead")
    except LookupError as error:
        assert "switched off" in str(error)
    else:
        raise AssertionError("a switched-off judge could still be called")
    # still listed for the admin, who can switch it on again
    assert [(e.config.key, e.enabled) for e in endpoint_list(engine)] == [
        ("judge-dead", False),
        ("judge-live", True),
    ]
    engine.dispose()
    _manage(at, "judge-dead")
    _button(at, zh("ep.switch_on")).click().run()
    judge_picker = next(s for s in at.selectbox if s.label == zh("runs.judge_key"))
    assert judge_picker.options == ["judge-dead", "judge-live"]


def test_delete_removes_an_unused_endpoint_and_switches_off_one_that_runs_refer_to(make_app):
    from pipeline.runs.registry import endpoint_list

    _register("unused", "model")
    _register("used", "judge")
    engine = _engine()
    with write_session(engine) as session:  # a failed call of an earlier run names it
        from pipeline.runs.common import start_run

        run_id = start_run(engine, kind="judge", params={"judge": "used"}, total=1, actor="test")
        session.add(CallFailure(run_id=run_id, endpoint="used", kind="connect", message="refused"))
    engine.dispose()
    at = make_app(RUNS, user="boss", roles=["admin"]).run()
    _manage(at, "unused")
    _button(at, zh("ep.delete")).click().run()
    assert not at.exception, at.exception
    assert zh("ep.deleted", name="unused") in _texts(at.success)
    _manage(at, "used")
    _button(at, zh("ep.delete")).click().run()
    assert zh("ep.kept_disabled", name="used") in _texts(at.warning)
    engine = _engine()
    assert [(e.config.key, e.enabled) for e in endpoint_list(engine)] == [("used", False)]
    engine.dispose()


# -- confirmations stay visible after the rerun that follows them ---------------------------------


def test_saving_a_user_says_saved_after_the_rerun(make_app):
    from tests.app.conftest import ensure_user

    ensure_user("ann1", ["annotator"])
    at = make_app("pages/8_users.py", user="boss", roles=["admin"]).run()
    at.selectbox(key="edit_user").set_value("ann1")
    at.run()
    next(b for b in at.button if b.label == zh("users.save")).click().run()
    assert not at.exception, at.exception
    assert zh("users.saved") in _texts(at.success)


# -- gold marking from the battle view; errors as messages ---------------------------------------


def test_an_admin_marks_the_battle_on_screen_as_gold_without_typing_an_id(make_app):
    from judging.types import Verdict
    from pipeline.workflow.gold import labels
    from tests.app.test_adjudication import _seed

    seeded = _seed()
    at = make_app("pages/3_adjudicate.py", user="boss", roles=["admin"]).run()
    assert not at.exception, at.exception
    assert at.selectbox(key="adj_case").value == seeded.battle_id
    at.radio(key=f"adj_gold_verdict_{seeded.battle_id}").set_value(Verdict.B)
    next(b for b in at.button if b.label == zh("gold.mark")).click().run()
    assert not at.exception, at.exception
    assert zh("gold.marked", battle_id=seeded.battle_id) in _texts(at.success)
    engine = _engine()
    assert labels(engine) == {seeded.battle_id: Verdict.B}
    engine.dispose()
    # the queue page no longer asks for a battle id
    queue = make_app("pages/7_queue.py", user="boss", roles=["admin"]).run()
    assert not [w for w in queue.number_input if w.label == zh("gold.battle_id")]
    # an expert sees the battle but not the gold action
    expert = make_app("pages/3_adjudicate.py", user="exp9", roles=["expert"]).run()
    assert not [b for b in expert.button if b.label == zh("gold.mark")]


def test_a_refused_endpoint_says_so_in_the_page_language(make_app):
    at = make_app(RUNS, user="boss", roles=["admin"]).run()
    fields = {w.label: w for w in at.text_input if w.form_id == "endpoint"}
    fields[zh("runs.key")].set_value("bad one")  # a space is not allowed in a key
    fields[zh("runs.base_url")].set_value("ftp://example")
    fields[zh("runs.model")].set_value("m")
    next(b for b in at.button if b.form_id == "endpoint").click().run()
    assert not at.exception, at.exception
    (error,) = at.error
    assert error.value.startswith(zh("ep.refused", error="")), error.value


# -- sub-dimensions of the imported sets in the page's language -----------------------------------


def _flames_battle() -> int:
    """A Flames-style question (sub-dimension "Mental harm", as the adapter stores it) in a
    draft, two answers, and two annotators who disagree: a case on the adjudication page."""
    from sqlmodel import select

    from judging.types import Source, Verdict
    from pipeline.bank.releases import create_release
    from storage.db.models import ArenaModel, Question, Release, Response
    from storage.votes.battles import get_or_create_battle
    from storage.votes.record import record_vote

    engine = _engine()
    create_release(engine, "flames-draft", actor="test")
    with write_session(engine) as session:
        release = session.exec(select(Release).where(Release.tag == "flames-draft")).one()
        question = Question(
            release_id=release.id,
            external_id="flames/test/1",
            dimension="mental_health",
            sub_dimension="Mental harm",
            text="最近总是睡不着，怎么办？",
        )
        session.add(question)
        session.flush()
        models = session.exec(select(ArenaModel).where(ArenaModel.reference == False).limit(2)).all()  # noqa: E712
        answers = [Response(question_id=question.id, model_id=m.id, text=f"回答 {m.id}") for m in models]
        session.add_all(answers)
        session.flush()
        battle = get_or_create_battle(
            session=session, question_id=question.id, response_ids=(answers[0].id, answers[1].id)
        )
        for rater, verdict in (("ann1", Verdict.A), ("ann2", Verdict.B)):
            record_vote(
                session=session,
                battle_id=battle.id,
                source=Source.HUMAN,
                rater=rater,
                verdict=verdict,
                left_response_id=battle.response_a_id,
                idempotency_key=f"flames|{rater}",
            )
        battle_id = battle.id
    engine.dispose()
    return battle_id


def test_an_imported_english_sub_dimension_shows_in_chinese(make_app):
    battle_id = _flames_battle()
    at = make_app("pages/3_adjudicate.py", user="exp1", roles=["expert"]).run()
    at.selectbox(key="adj_case").set_value(battle_id)
    at.run()
    assert not at.exception, at.exception
    heading = next(m.value for m in at.markdown if zh("vote.sub_dimension") in m.value)
    assert "心理伤害" in heading and "Mental harm" not in heading
    at.selectbox(key="lang_select").set_value("en").run()
    heading = next(m.value for m in at.markdown if "Sub-dimension" in m.value)
    assert "Mental harm" in heading


def test_every_english_category_code_of_the_adapters_has_a_label():
    from judging.questions._adapters import CVALUES_MAPPING, FLAMES_MAPPING, SAFETYBENCH_MAPPING
    from ui.i18n import STRINGS

    codes = [sub for _dim, sub in FLAMES_MAPPING] + list(SAFETYBENCH_MAPPING) + list(CVALUES_MAPPING)
    assert not [code for code in codes if f"subdim.{code}" not in STRINGS]


# -- the language survives a reload and a page opened by URL --------------------------------------

BOARD = "pages/2_leaderboard.py"


def _title(at) -> str:
    return at.title[0].value


def test_english_survives_a_reload_and_a_page_opened_by_url(make_app):
    at = make_app(BOARD, user="ann1", roles=["annotator"]).run()
    assert _title(at) == zh("lb.title")
    at.selectbox(key="lang_select").set_value("en").run()
    assert _title(at) == translate("lb.title", "en")
    assert at.query_params.get("lang") == "en"  # the URL now says so
    # a reload: a new session on the same URL
    reloaded = make_app(BOARD, user="ann1", roles=["annotator"])
    reloaded.query_params["lang"] = "en"
    reloaded.run()
    assert not reloaded.exception, reloaded.exception
    assert _title(reloaded) == translate("lb.title", "en")
    # the page's menu links carry it
    links = [link for link in reloaded.sidebar.get("page_link")]
    assert links and all(link.proto.query_string == "lang=en" for link in links)
    # a page opened by URL without ?lang: the user's saved choice (English since the switch)
    opened = make_app(BOARD, user="ann1", roles=["annotator"]).run()
    assert _title(opened) == translate("lb.title", "en")
    assert all(link.proto.query_string == "lang=en" for link in opened.sidebar.get("page_link"))


def test_chinese_the_default_leaves_urls_and_links_as_they_were(make_app):
    at = make_app("app.py", user="ann3", roles=["annotator"]).run()  # a page without pickers
    assert "lang" not in at.query_params
    assert all(not link.proto.query_string for link in at.sidebar.get("page_link"))
    at.selectbox(key="lang_select").set_value("en").run()
    assert at.query_params.get("lang") == "en"
    at.selectbox(key="lang_select").set_value("zh").run()
    assert "lang" not in at.query_params and _title(at) == zh("app.title")


def test_a_url_asking_for_english_is_followed_before_and_after_login(make_app):
    login = make_app()
    login.query_params["lang"] = "en"
    login.run()
    assert [w.label for w in login.text_input] == ["Username", "Password"]
    page = make_app(BOARD, user="ann2", roles=["annotator"])  # saved language: Chinese
    page.query_params["lang"] = "en"
    page.run()
    assert _title(page) == translate("lb.title", "en")


# -- Streamlit's own widget texts in the page's language ------------------------------------------

STREAMLIT_DEFAULTS = {
    "",
    "Choose an option",
    "Choose options",
    "No options to select",
    "No options to select.",
}


def _unselected_placeholders(at) -> list[tuple[str, str]]:
    """(label, placeholder) of every picker that shows its placeholder: a selectbox with nothing
    selected (no options, or index None) and a multiselect with nothing chosen."""
    shown = [
        (w.label, w.proto.placeholder)
        for w in at.selectbox
        if not w.options or (w.value is None and not w.proto.HasField("default"))
    ]
    shown += [(w.label, w.proto.placeholder) for w in at.multiselect if not w.value]
    return shown


def test_empty_pickers_speak_the_page_language(make_app):
    from ui.auth import MENU

    # a fresh install: no endpoint yet, so the runs page's judge and model pickers are empty
    seen = []
    for page, _key, _roles in MENU:
        at = make_app(page, user="boss", roles=["admin"]).run()
        assert not at.exception, (page, at.exception)
        shown = _unselected_placeholders(at)
        seen += shown
        assert not [(label, ph) for label, ph in shown if ph in STREAMLIT_DEFAULTS], page
    assert seen, "no empty picker was found on any page: the test checks nothing"


# -- experts read a release's questions -----------------------------------------------------------


def test_an_expert_browses_the_questions_of_a_published_release(make_app):
    from pipeline.bank.releases import create_release, release_questions

    engine = _engine()
    create_release(engine, "draft-unseen", actor="test")  # a draft: not for experts
    demo = release_questions(engine, "v261201")
    engine.dispose()
    at = make_app("pages/6_questions.py", user="exp1", roles=["expert"]).run()
    assert not at.exception, at.exception
    picker = at.selectbox(key="qb_browse_release")
    assert picker.options == ["v261201"] and picker.value == "v261201"
    (table,) = [d.value for d in at.dataframe if zh("qb.question_id") in d.value.columns]
    assert len(table) == len(demo)
    assert set(table[zh("vote.question")]) == {q.record.text for q in demo}
    first = demo[0].record
    at.selectbox(key="qb_browse_question").set_value(first.question_id).run()
    assert not at.exception, at.exception
    # nothing to write with: no import, draft or edit tab for an expert
    assert not [w for w in at.text_input if w.key and w.key.startswith("qb_publish")]
    admin = make_app("pages/6_questions.py", user="boss", roles=["admin"]).run()
    assert "draft-unseen" in admin.selectbox(key="qb_browse_release").options


# -- the first-start console message names the menu entry as the menu says it -------------------


def test_the_first_start_message_names_the_users_page_as_the_menu_does(app_env):
    from pipeline.people.users import create_first_admin
    from storage.db.engine import create_schema, make_engine

    engine = make_engine(f"sqlite:///{app_env / 'first.db'}")
    create_schema(engine)
    said: list[str] = []
    assert create_first_admin(engine, announce=said.append, env={})
    engine.dispose()
    (message,) = said
    assert zh("menu.users") in message and translate("menu.users", "en") in message
    assert "管理 →" not in message


def test_no_table_cell_reads_none(make_app):
    # Streamlit writes an empty cell as "None": the admin, with no vote, no gold item and no lock,
    # and the models with no game yet, show "—" instead
    for page in ("pages/8_users.py", BOARD):
        at = make_app(page, user="boss", roles=["admin"]).run()
        assert not at.exception, at.exception
        empty = {(page, col) for d in at.dataframe for col in d.value.columns if d.value[col].isna().any()}
        assert not empty

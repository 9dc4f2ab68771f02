"""Hostile text in every untrusted field, every page, a real browser (Debian's Chromium).

A database is seeded through the project's own functions, before the server starts, with one
payload set (a script tag, an <img> with onerror, a Markdown image and link, a bare URL, a www.
address, an e-mail address and an <angle> autolink) in: a question's text, safe note and
sub-dimension, the answers, a model's display name, the release title, a vote rationale, a flag
reason, a judge's name, users' display names (and a username that looks like a domain), an event's
title, summary and link, a generated candidate question and its note, a malformed generator reply,
an endpoint's names and a run's message. Then an admin opens every page and an annotator votes,
and on each page: no request leaves the app's origin, no script ran (``window.__x``), no link or
image points at the payloads' addresses, and the payload is on screen as literal text.

tests/e2e/test_browser.py::test_hostile_content_renders_inert covers the vote page's answers
against javascript: links and event handlers; this module covers the other fields and pages, and
the autolinks. One more test: an error on a page shows no traceback (``client.showErrorDetails``).
"""

from __future__ import annotations

import random
import re
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
import yaml

from pipeline.startup.settings import PROJECT_ROOT
from tests.e2e.conftest import ADMIN_PASSWORD, Server, copy_demo, login, start_server, stop_server, wait_idle
from tests.e2e.conftest import past_guidelines as shared_past_guidelines
from ui.auth import MENU
from ui.i18n import translate

pytestmark = pytest.mark.e2e

# The payload set: each piece would be live if rendered as Markdown or HTML.
EVIL = "127.0.0.1:9"  # the discard port: nothing answers there, a request would still be seen
PAYLOADS = (
    "<script>window.__x=1</script>",
    f'<img src="http://{EVIL}/x.png" onerror="window.__x=2">',
    f"![t](http://{EVIL}/md.png)",
    f"[点我](http://{EVIL}/link)",
    f"http://{EVIL}/auto",
    "www.example.com",
    "evil@example.com",
    f"<http://{EVIL}/angle>",
)
ONE_LINE = " ".join(PAYLOADS)  # for fields that hold one line (titles, names)
MANY_LINES = "\n".join(PAYLOADS)
ANNOTATOR = "www.example.com"  # a valid username (letters, digits and . _ @ + -) that autolinks
ANNOTATOR_PASSWORD = "ann-pw-hostile-1"
BOSS = "boss"  # an admin whose display name is the payload (the sidebar shows it on every page)
BOSS_PASSWORD = "boss-pw-hostile-1"
PAGES_DIR = PROJECT_ROOT / "pages"
# payload markers each page must show as text (every page also shows the display name); pages
# not listed show their payloads in tables and charts only, which draw text and nothing else
SHOWS: dict[str, tuple[str, ...]] = {
    "pages/1_vote.py": ("问题 <script>", "子维度 <script>"),
    "pages/3_adjudicate.py": ("安全要点 <script>", "标注理由 <script>", "举报 <script>", "评审 <script>"),
    "pages/4_calibration.py": ("安全要点 <script>", "评审理由 <script>"),
    "pages/5_runs.py": ("运行消息 <script>",),
    "pages/9_events.py": ("事件 <script>", "事件摘要 <script>", "生成器 <script>"),
    "pages/10_verify.py": ("候选问题 <script>", "候选要点 <script>", "事件 <script>"),
}
WJ = "\u2060"  # the helper's invisible word joiner, left out when comparing visible text


def _question(qid: str, keys: list[str]) -> dict[str, object]:
    return {
        "id": qid,
        "sub_dimension": "子维度 " + ONE_LINE,
        "question": f"问题 {MANY_LINES}",
        "safe_note": f"安全要点 {MANY_LINES}",
        "sensitive": False,
        "answers": {k: {"grade": 1 + i % 5, "text": f"回答{i} {MANY_LINES}"} for i, k in enumerate(keys)},
    }


def _demo(tmp: Path) -> Path:
    """The demo files with one hostile question set, a hostile model name and release title."""
    demo = copy_demo(tmp)
    for path in (demo / "questions").glob("*.yaml"):
        path.unlink()
    models = yaml.safe_load((demo / "models.yaml").read_text(encoding="utf-8"))
    models["models"][0]["display_name"] = "模型 " + ONE_LINE
    models["models"][1]["organisation"] = "机构 " + ONE_LINE
    (demo / "models.yaml").write_text(yaml.safe_dump(models, allow_unicode=True), encoding="utf-8")
    release = yaml.safe_load((demo / "release.yaml").read_text(encoding="utf-8"))
    release["title"] = "版本 " + ONE_LINE
    (demo / "release.yaml").write_text(yaml.safe_dump(release, allow_unicode=True), encoding="utf-8")
    keys = [m["key"] for m in models["models"]]
    questions = {"synthetic": True, "dimension": "privacy", "questions": [_question("x-01", keys)]}
    (demo / "questions" / "hostile.yaml").write_text(
        yaml.safe_dump(questions, allow_unicode=True), encoding="utf-8"
    )
    return demo


def _seed(data_dir: Path, demo: Path) -> None:
    """Everything else, written through the pipeline (and storage where no pipeline call writes
    it: judge votes, candidates, generator replies) before the server starts."""
    from judging.dimensions import Dimension
    from judging.llm import EndpointConfig
    from judging.types import Source, Verdict
    from pipeline.bank.events import EventInput, add_event
    from pipeline.people.users import create_first_admin, create_user
    from pipeline.runs.common import RunCounters, finish, start_run
    from pipeline.runs.registry import save_endpoint
    from pipeline.startup.bootstrap import init_database
    from pipeline.startup.settings import Settings
    from pipeline.workflow.queue import load_queue_config, next_assignment
    from pipeline.workflow.voting import flag_item, submit_vote
    from storage.bank.candidates import add_candidate, record_generation_reply
    from storage.db.session import write_session
    from storage.votes.record import record_vote

    settings = Settings(database_url=f"sqlite:///{data_dir / 'arena.db'}", data_dir=data_dir, demo_dir=demo)
    engine = init_database(settings, announce=lambda _m: None)
    create_first_admin(engine, announce=lambda _m: None, env={"ARENA_ADMIN_PASSWORD": ADMIN_PASSWORD})
    create_user(
        engine,
        actor="test",
        username=BOSS,
        name="管理员 " + ONE_LINE,
        password=BOSS_PASSWORD,
        roles=["admin", "expert", "annotator"],
    )
    create_user(
        engine,
        actor="test",
        username=ANNOTATOR,
        name="标注员 " + ONE_LINE,
        password=ANNOTATOR_PASSWORD,
        roles=["annotator"],
    )
    # two human votes with a rationale, a flag with a reason, and a judge (named by the payload)
    # that disagrees on the same battles: the adjudication queue and the calibration drill-down
    rng = random.Random(3)
    config = load_queue_config(engine)
    for n in range(2):
        item = next_assignment(engine, username=ANNOTATOR, rng=rng, config=config)
        assert item is not None
        submit_vote(
            engine, item=item, rater=ANNOTATOR, shown_verdict=Verdict.A, rationale=f"标注理由 {MANY_LINES}"
        )
        flag_item(engine, battle_id=item.battle_id, username=ANNOTATOR, reason=f"举报 {MANY_LINES}")
        with write_session(engine) as session:
            record_vote(
                session=session,
                battle_id=item.battle_id,
                source=Source.JUDGE,
                rater="评审 " + ONE_LINE,
                verdict=Verdict.BOTH_UNSAFE,
                left_response_id=item.left_response_id,
                idempotency_key=f"judge-{n}",
                rationale=f"评审理由 {MANY_LINES}",
            )
    event_id = add_event(
        engine,
        EventInput(
            title="事件 " + ONE_LINE,
            event_date=date(2026, 7, 1),
            summary=f"事件摘要 {MANY_LINES}",
            dimensions=(Dimension.PRIVACY,),
            source_url=f"http://{EVIL}/source",
        ),
        actor="test",
    )
    run_id = start_run(engine, kind="collect", params={}, total=1, actor="test")
    with write_session(engine) as session:
        add_candidate(
            session=session,
            event_id=event_id,
            dimension=Dimension.PRIVACY.value,
            text=f"候选问题 {MANY_LINES}",
            reference_note=f"候选要点 {MANY_LINES}",
            generator="生成器 " + ONE_LINE,
            prompt_version="test",
            run_id=run_id,
        )
        record_generation_reply(
            session=session,
            run_id=run_id,
            event_id=event_id,
            dimension=Dimension.PRIVACY.value,
            generator="生成器 " + ONE_LINE,
            raw=f"原始回复 {MANY_LINES}",
            problem=f"问题描述 {MANY_LINES}",
        )
    finish(engine, run_id, RunCounters(failed=1), status="failed", message=f"运行消息 {MANY_LINES}")
    save_endpoint(
        engine,
        EndpointConfig(
            key="evil",
            base_url=f"http://{EVIL}/v1",
            model="模型名 " + ONE_LINE,
            display_name="端点 " + ONE_LINE,
            organisation="机构 " + ONE_LINE,
        ),
        actor="test",
        role="model",
    )
    engine.dispose()


@dataclass
class Watch:
    """What a browser page asked for, beyond the app's own origin."""

    origin: str
    foreign: list[str]

    def record(self, url: str) -> None:
        # data: and blob: URLs are built in the page, never fetched from a network
        if not url.startswith((self.origin + "/", "data:", "blob:")) and url != self.origin:
            self.foreign.append(url)


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[Server]:
    data_dir = tmp_path_factory.mktemp("hostile")
    demo = _demo(data_dir)
    _seed(data_dir, demo)
    srv = start_server(data_dir, demo)
    yield srv
    stop_server(srv)


def _open(browser, server: Server) -> tuple[object, object, Watch]:
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    page = context.new_page()
    watch = Watch(server.url, [])
    page.on("request", lambda request: watch.record(request.url))
    page.on("dialog", lambda dialog: (watch.foreign.append(f"dialog: {dialog.message}"), dialog.dismiss()))
    return context, page, watch


def _text(page) -> str:
    """The app's text, also what sits in a closed expander or an unselected tab (a payload that
    went live as markup would not be there as text)."""
    text = page.evaluate("() => document.querySelector('[data-testid=\"stApp\"]').textContent")
    return str(text).replace(WJ, "")


def assert_inert(page, watch: Watch, where: str, shows: tuple[str, ...] = ()) -> None:
    """Nothing of the payloads went live on this page, and the markers are on screen as text."""
    page.wait_for_timeout(500)  # let a live <img> fire its request, if there were one
    assert not watch.foreign, f"{where}: requests outside the app: {watch.foreign}"
    assert page.evaluate("() => window.__x") is None, f"{where}: a payload script ran"
    links = page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
    live = [h for h in links if EVIL in h or "example.com" in h]
    assert not live, f"{where}: live links {live}"
    images = page.eval_on_selector_all(
        "img[src], image[href], source[src]", "els => els.map(e => e.src || e.href?.baseVal || '')"
    )
    assert not [s for s in images if EVIL in s or "example.com" in s], f"{where}: live images {images}"
    assert page.locator("[onerror], [onclick], [onload]").count() == 0, f"{where}: an event handler attribute"
    text = _text(page)
    missing = [marker for marker in shows if marker not in text]
    assert not missing, f"{where}: {missing} not on screen"
    assert "管理员 <script>" in text or "标注员 <script>" in text, f"{where}: the display name is not shown"


def settle(page) -> None:
    """Wait until the run has finished and the page has stopped growing (charts, tables)."""
    height = -1
    for _ in range(60):
        wait_idle(page)
        now = page.evaluate(
            "() => document.querySelector('[data-testid=\"stMain\"]').scrollHeight"
            " * (document.querySelector('[data-stale=\"true\"]') ? -1 : 1)"
        )
        if now == height and now > 0:
            return
        height = now
        page.wait_for_timeout(500)
    raise AssertionError("the page never settled")


def past_guidelines(page) -> None:
    """A first-time voter confirms the guidelines (waiting for whichever of the confirm button or
    the item comes first, so a slow paint cannot skip the confirmation)."""
    shared_past_guidelines(page)
    settle(page)


def _screenshot(page, path: Path) -> None:
    """The whole page: Streamlit scrolls inside its main block, so the window is made that tall."""
    height = page.evaluate(
        "() => Math.max(...['stMain', 'stSidebarContent']"
        ".map(id => document.querySelector(`[data-testid='${id}']`)?.scrollHeight ?? 0))"
    )
    page.set_viewport_size({"width": 1400, "height": max(1000, min(int(height), 10_000))})
    page.wait_for_timeout(300)
    page.screenshot(path=str(path))
    page.set_viewport_size({"width": 1400, "height": 1000})


def _expand_all(page) -> None:
    """Open every expander, so the screenshot shows what is inside."""
    page.evaluate(
        "() => document.querySelectorAll(\"[data-testid='stExpander'] details:not([open]) > summary\")"
        ".forEach(summary => summary.click())"
    )
    wait_idle(page)


def test_the_menu_lists_every_page():
    assert {path for path, _label, _roles in MENU} >= {f"pages/{p.name}" for p in PAGES_DIR.glob("*.py")}


def test_every_page_renders_hostile_text_inert(server, browser, artifacts):
    context, page, watch = _open(browser, server)
    try:
        login(page, server.url, BOSS, BOSS_PASSWORD)
        wait_idle(page)
        for path, label, _roles in MENU:
            if path != "app.py":
                page.get_by_role("link", name=translate(label, "zh"), exact=True).click()
                page.wait_for_url(f"{server.url}/{re.sub(r'^[0-9]+_', '', Path(path).stem)}")
            settle(page)
            if path == "pages/1_vote.py":
                past_guidelines(page)
            _expand_all(page)
            _screenshot(page, artifacts / f"hostile_{Path(path).stem}.png")
            assert_inert(page, watch, path, SHOWS.get(path, ()))
    finally:
        context.close()


def test_annotator_votes_on_hostile_text_inert(server, browser, artifacts):
    context, page, watch = _open(browser, server)
    try:
        login(page, server.url, ANNOTATOR, ANNOTATOR_PASSWORD)
        page.get_by_role("link", name=translate("menu.vote", "zh"), exact=True).click()
        page.wait_for_url(f"{server.url}/vote")
        settle(page)
        past_guidelines(page)
        page.get_by_role("button", name="A 更安全").wait_for(timeout=60_000)
        _screenshot(page, artifacts / "hostile_vote_annotator.png")
        assert_inert(page, watch, "vote (annotator)", ("子维度 <script>",))
        assert len(re.findall(r"回答\d <script>", _text(page))) == 2  # both answers, as text
        page.wait_for_timeout(1_000)  # a person reads first: the click guard ignores a vote at once
        page.get_by_role("button", name="A 更安全").click()
        page.get_by_text("揭晓").wait_for(timeout=60_000)
        settle(page)
        page.get_by_text(translate("vote.safe_note_title", "zh")).click()  # the safe note
        settle(page)
        _screenshot(page, artifacts / "hostile_vote_reveal.png")
        assert_inert(page, watch, "vote reveal (annotator)", ("安全要点 <script>",))
    finally:
        context.close()


def test_an_error_shows_no_traceback(server, browser, artifacts):
    """``client.showErrorDetails = "none"``: a page whose query fails (a table renamed away
    underneath the running server, then put back) shows a plain notice, no traceback, no SQL."""
    context, page, watch = _open(browser, server)
    database = server.data_dir / "arena.db"
    try:
        login(page, server.url, BOSS, BOSS_PASSWORD)
        wait_idle(page)
        with sqlite3.connect(database, timeout=30) as db:
            db.execute("ALTER TABLE gold_label RENAME TO gold_label_gone")
        try:
            page.get_by_role("link", name=translate("menu.queue", "zh"), exact=True).click()
            page.locator("[data-testid='stException']").first.wait_for(timeout=60_000)
            settle(page)
            _screenshot(page, artifacts / "hostile_error_redacted.png")
            shown = page.locator("[data-testid='stException']").first.inner_text()
        finally:
            with sqlite3.connect(database, timeout=30) as db:
                db.execute("ALTER TABLE gold_label_gone RENAME TO gold_label")
        for leak in (
            "Traceback",
            'File "',
            "gold_label",
            "sqlite",
            "SELECT",
            str(server.data_dir),
            "/pages/",
        ):
            assert leak not in shown, f"the error notice shows {leak!r}: {shown}"
        assert "redacted" in shown  # Streamlit's generic notice
        assert not watch.foreign
    finally:
        context.close()

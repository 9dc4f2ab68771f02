"""The three roles walk the app in Chromium, in both languages: every page a role's menu offers
opens, settles and shows no exception, no traceback and no missing UI string; every page the menu
does not offer is refused when typed as a URL. (The walk a person does before calling a change
done, kept as a test; the screenshots land in tests/e2e/artifacts.)"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from judging.roles import Role
from pipeline.startup.settings import PROJECT_ROOT
from tests.e2e.conftest import (
    ADMIN_PASSWORD,
    Server,
    login,
    open_collapsed_answers,
    past_guidelines,
    start_server,
    stop_server,
    switch_language,
    wait_idle,
)
from ui.auth import MENU
from ui.i18n import translate

pytestmark = pytest.mark.e2e

# the annotator walks first and votes, so the others' pages have votes to show
PEOPLE = {
    Role.ANNOTATOR: ("walk-annotator", "walk-annotator-pw-1"),
    Role.EXPERT: ("walk-expert", "walk-expert-pw-1"),
    Role.ADMIN: ("admin", ADMIN_PASSWORD),
}
VOTES = 3
BROKEN = ("Traceback", "translate: no UI string", 'File "', "KeyError", "sqlalchemy")


def _slug(path: str) -> str:
    return re.sub(r"^[0-9]+_", "", Path(path).stem)


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[Server]:
    import os

    from pipeline.people.users import create_user
    from pipeline.startup.bootstrap import prepare
    from pipeline.startup.settings import Settings

    data_dir = tmp_path_factory.mktemp("walk")
    srv = start_server(data_dir)
    os.environ.setdefault(
        "ARENA_ADMIN_PASSWORD", ADMIN_PASSWORD
    )  # whichever process starts first makes the admin
    engine = prepare(
        Settings(
            database_url=f"sqlite:///{data_dir / 'arena.db'}",
            data_dir=data_dir,
            demo_dir=PROJECT_ROOT / "demo",
        ),
        announce=lambda _m: None,
    )
    for role in (Role.EXPERT, Role.ANNOTATOR):
        username, password = PEOPLE[role]
        create_user(
            engine,
            actor="test",
            username=username,
            name=f"{role.value} walker",
            password=password,
            roles=[role],
        )
    engine.dispose()
    yield srv
    stop_server(srv)


def _settle(page) -> None:
    height = -1
    for _ in range(60):
        wait_idle(page)
        now = page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]')?.scrollHeight ?? 0")
        if now == height and now > 0:
            return
        height = now
        page.wait_for_timeout(400)
    raise AssertionError("the page never settled")


def _check(page, where: str) -> None:
    assert page.locator("[data-testid='stException']").count() == 0, f"{where}: an exception is shown"
    text = page.evaluate("() => document.querySelector('[data-testid=\"stApp\"]').innerText")
    found = [marker for marker in BROKEN if marker in text]
    assert not found, f"{where}: {found} on the page"


def _vote(page, times: int) -> None:
    """Vote as a person does: read (open any collapsed answer), choose, see the reveal, go on."""
    for n in range(times):
        page.get_by_role("button", name="A 更安全").wait_for(timeout=60_000)
        open_collapsed_answers(page)  # a self-harm item: both answers behind switches (ui/care.py)
        wait_idle(page)
        page.wait_for_timeout(1_000)  # the click guard ignores a vote right after the item is painted
        page.get_by_role("button", name=["A 更安全", "B 更安全", "两者都安全"][n % 3]).click()
        page.get_by_text("揭晓").wait_for(timeout=60_000)
        wait_idle(page)
        page.get_by_role("button", name="下一题").click()
        wait_idle(page)


@pytest.mark.parametrize("role", list(PEOPLE), ids=lambda r: r.value)
def test_each_role_walks_its_menu_in_both_languages(server, browser, artifacts, role):
    username, password = PEOPLE[role]
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    page = context.new_page()
    try:
        login(page, server.url, username, password)
        offered = [(path, label) for path, label, roles in MENU if role in roles]
        for lang in ("zh", "en"):
            if lang == "en":
                switch_language(page, "en")
            for path, label in offered:
                if path != "app.py":
                    page.locator("[data-testid='stSidebar']").get_by_role(
                        "link", name=translate(label, lang), exact=True
                    ).click()
                    # the menu links carry a language other than the default (issue 15)
                    carried = "" if lang == "zh" else f"?lang={lang}"
                    page.wait_for_url(f"{server.url}/{_slug(path)}{carried}", timeout=60_000)
                _settle(page)
                if path == "pages/1_vote.py" and lang == "zh":
                    past_guidelines(page)
                    if role is Role.ANNOTATOR:
                        _vote(page, VOTES)
                    _settle(page)
                where = f"{role.value}/{lang}/{_slug(path)}"
                _check(page, where)
                page.screenshot(path=str(artifacts / f"walk_{role.value}_{lang}_{_slug(path)}.png"))
        refused = [path for path, _label, roles in MENU if role not in roles]
        for path in refused:
            page.goto(f"{server.url}/{_slug(path)}")
            _settle(page)
            _check(page, f"{role.value}/typed/{_slug(path)}")
            text = page.evaluate("() => document.querySelector('[data-testid=\"stApp\"]').innerText")
            assert translate("auth.forbidden", "zh") in text or translate("auth.forbidden", "en") in text, (
                f"{role.value} typed {path}: not refused"
            )
    finally:
        context.close()

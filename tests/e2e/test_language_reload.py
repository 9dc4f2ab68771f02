"""Issue 15: the English choice survives a reload and a page opened by URL (Chromium)."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import (
    ADMIN_PASSWORD,
    login,
    start_server,
    stop_server,
    switch_language,
    wait_idle,
)
from ui.i18n import translate

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    srv = start_server(tmp_path_factory.mktemp("e2e_lang"))
    yield srv
    stop_server(srv)


def _board_title(page, lang: str) -> None:
    page.get_by_role("heading", name=translate("lb.title", lang), exact=True).first.wait_for(timeout=60_000)


def test_english_survives_reload_url_open_and_menu_links(server, page, artifacts):
    login(page, server.url, "admin", ADMIN_PASSWORD)
    page.get_by_role("link", name=translate("menu.leaderboard", "zh"), exact=True).click()
    wait_idle(page)
    _board_title(page, "zh")
    switch_language(page, "en")  # drawn in English, then reloaded by the app (a new session)
    _board_title(page, "en")
    assert "lang=en" in page.url

    page.reload()  # a new session on the same URL
    wait_idle(page)
    _board_title(page, "en")
    page.get_by_text(translate("logout", "en")).first.wait_for(timeout=60_000)

    page.goto(f"{server.url}/leaderboard")  # typed without ?lang: the saved choice
    wait_idle(page)
    _board_title(page, "en")

    page.get_by_role("link", name=translate("menu.vote", "en"), exact=True).click()  # a menu link
    wait_idle(page)
    assert "lang=en" in page.url
    page.get_by_text(translate("logout", "en")).first.wait_for(timeout=60_000)
    page.screenshot(path=str(artifacts / "lang_after_reload_and_links.png"), full_page=True)

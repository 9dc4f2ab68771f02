"""The public leaderboard in Chromium: a visitor who is not logged in sees only the login form while
the setting is off, the published boards under it once an admin turns it on, and no page of the
app by URL either way."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pipeline.bank.releases import create_release
from pipeline.publish.public_board import public_release, set_public_leaderboard
from pipeline.startup.bootstrap import prepare
from pipeline.startup.settings import PROJECT_ROOT, Settings
from tests.e2e.conftest import ADMIN_PASSWORD, start_server, stop_server, wait_idle
from tests.seeding import seed_demo_votes

pytestmark = pytest.mark.e2e

RATER = "secret-annotator-zhang"
PAGES = sorted(re.sub(r"^[0-9]+_", "", p.stem) for p in (PROJECT_ROOT / "pages").glob("*.py"))


def _engine(data_dir: Path):
    env = {
        "ARENA_DATA_DIR": str(data_dir),
        "ARENA_ADMIN_PASSWORD": ADMIN_PASSWORD,
        "ARENA_DEMO_DIR": str(PROJECT_ROOT / "demo"),
    }
    return prepare(Settings.from_env(env), announce=lambda _m: None)


def _seed(data_dir: Path) -> None:
    """Votes on the published demo release, by a named annotator, and a draft release."""
    engine = _engine(data_dir)
    seed_demo_votes(engine, rater=RATER)
    create_release(engine, "v261215", title="内部草稿 internal draft", parent="v261201")
    engine.dispose()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("e2e_public")
    _seed(data_dir)
    srv = start_server(data_dir)
    yield srv
    stop_server(srv)


def _anonymous_pages_show_only_the_login_form(page, url: str) -> None:
    for slug in PAGES:
        page.goto(f"{url}/{slug}")
        page.get_by_label("用户名").wait_for(timeout=60_000)
        wait_idle(page)
        assert page.get_by_text("公开排行榜").count() == 0, slug
        assert page.locator("[data-testid='stDataFrame']").count() == 0, slug
        assert page.locator("[data-testid='stSidebar'] a").count() == 0, slug
        assert page.get_by_text(RATER).count() == 0, slug


def test_public_board_off_then_on(server, page, artifacts) -> None:
    # off (the default): the login form and nothing else
    page.goto(server.url)
    page.get_by_label("用户名").wait_for(timeout=60_000)
    wait_idle(page)
    assert page.get_by_text("公开排行榜").count() == 0
    assert page.locator("[data-testid='stDataFrame']").count() == 0
    page.screenshot(path=str(artifacts / "public_board_off.png"), full_page=True)
    _anonymous_pages_show_only_the_login_form(page, server.url)

    engine = _engine(server.data_dir)
    set_public_leaderboard(engine, enabled=True, actor="admin")
    expected = public_release(engine, "v261201").slices[0]
    engine.dispose()

    page.goto(server.url)
    page.get_by_role("heading", name="公开排行榜").wait_for(timeout=60_000)
    wait_idle(page)
    page.locator("[data-testid='stDataFrame']").first.wait_for(timeout=60_000)
    assert page.get_by_label("用户名").count() == 1  # the login form stays
    body = page.locator("body").inner_text()
    assert "v261201" in body and "v261215" not in body and RATER not in body
    assert f"本范围共 {expected.n_votes} 票" in body
    page.screenshot(path=str(artifacts / "public_board_on.png"), full_page=True)
    page.get_by_role("tab", name="隐私").click()
    wait_idle(page)
    _anonymous_pages_show_only_the_login_form(page, server.url)

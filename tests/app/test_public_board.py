"""The public leaderboard (AppTest): off by default; when an admin turns it on, the login screen
shows published releases' boards read-only, and every page in pages/ still shows an anonymous
visitor nothing but the login form."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.bank.releases import create_release
from pipeline.publish.public_board import public_leaderboard_enabled, public_release, set_public_leaderboard
from pipeline.startup.bootstrap import prepare
from pipeline.startup.settings import PROJECT_ROOT, Settings
from tests.seeding import seed_demo_votes

PAGES = sorted(p.name for p in (PROJECT_ROOT / "pages").glob("*.py"))
RATER = "secret-annotator-zhang"  # must never reach the public board
DRAFT = "v261215"


def _seed(*, public: bool) -> None:
    """Votes on the published demo release (every pair of the first question's answers, on 12
    questions), a draft release, and the setting."""
    engine = prepare(Settings.from_env(), announce=lambda _m: None)
    seed_demo_votes(engine, rater=RATER, rationale="内部理由 internal rationale")
    create_release(engine, DRAFT, title="内部草稿 internal draft", parent="v261201")
    if public:
        set_public_leaderboard(engine, enabled=True, actor="admin")
    engine.dispose()


def _texts(at) -> str:
    """Everything the run rendered, as one string."""
    return "\n".join(str(node.value) for node in at.main if hasattr(node, "value")) + "\n".join(
        str(frame.value.to_csv()) for frame in at.dataframe
    )


def test_off_by_default_only_the_login_form(make_app, app_env: Path) -> None:
    _seed(public=False)
    at = make_app().run()
    assert not at.exception
    assert len(at.text_input) == 2  # the login form
    assert not at.dataframe and not at.tabs and not at.selectbox
    assert "公开排行榜" not in _texts(at)


def test_on_shows_published_boards_and_nothing_else(make_app, app_env: Path) -> None:
    _seed(public=True)
    at = make_app().run()
    assert not at.exception
    assert len(at.text_input) == 2  # the login form is still there
    assert [h.value for h in at.header] == ["公开排行榜"]
    assert at.selectbox[0].options == ["v261201 · 演示版本（合成数据）/ Demo release (synthetic)"]  # no draft
    assert len(at.tabs) == 6  # overall + five dimensions
    overall = at.dataframe[0].value
    assert list(overall.columns) == ["名次范围", "模型", "BT 评分", "95% 区间", "票数"]
    # the numbers are the published board's (the report's), row for row
    engine = prepare(Settings.from_env(), announce=lambda _m: None)
    expected = public_release(engine, "v261201").slices[0]
    engine.dispose()
    assert len(overall) == len(expected.rows) == 5
    assert overall["BT 评分"].tolist() == [round(r.rating, 1) for r in expected.rows]
    assert overall["票数"].tolist() == [r.votes for r in expected.rows]
    shown = _texts(at)
    for secret in (RATER, "internal rationale", DRAFT, "internal draft", "qingyun-care"):
        assert secret not in shown  # no rater, rationale, draft, model key
    assert not [n for n in at.sidebar if type(n).__name__ == "PageLink"]  # no menu


@pytest.mark.parametrize("page", PAGES)
def test_every_page_refuses_an_anonymous_visitor_with_the_setting_on(
    make_app, app_env: Path, page: str
) -> None:
    _seed(public=True)
    at = make_app(f"pages/{page}").run()
    assert not at.exception
    assert len(at.text_input) == 2 and at.button[0].label == "登录"  # the login form, nothing more
    assert not at.dataframe and not at.tabs and not at.header and not at.selectbox
    assert [t.value for t in at.title] == ["安全竞技场"]
    assert not [n for n in at.sidebar if type(n).__name__ == "PageLink"]


def test_admin_switches_it_on_from_the_queue_page(make_app, app_env: Path) -> None:
    at = make_app("pages/7_queue.py", user="admin", roles=["admin"]).run()
    assert not at.exception
    toggle = next(w for w in at.toggle if w.key == "pub_setting_enabled")
    assert toggle.value is False  # off by default
    toggle.set_value(True)
    form_button = next(b for b in at.button if b.proto.form_id == "public_board_setting")
    form_button.click().run()
    assert not at.exception
    engine = prepare(Settings.from_env(), announce=lambda _m: None)
    assert public_leaderboard_enabled(engine) is True
    engine.dispose()

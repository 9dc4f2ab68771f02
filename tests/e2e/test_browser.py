"""End to end in Debian's Chromium: log in, vote three times, the leaderboard moves, log out;
roles enforced by URL; model identities absent from the DOM before the vote; hostile model
output rendered as inert text."""

from __future__ import annotations

import re

import pytest
import yaml

from pipeline.startup.settings import PROJECT_ROOT
from tests.e2e.conftest import (
    ADMIN_PASSWORD,
    add_annotator,
    copy_demo,
    login,
    open_collapsed_answers,
    past_guidelines,
    start_server,
    stop_server,
    wait_idle,
)

pytestmark = pytest.mark.e2e


def _identities() -> list[str]:
    data = yaml.safe_load((PROJECT_ROOT / "demo" / "models.yaml").read_text(encoding="utf-8"))
    return [x for m in data["models"] for x in (m["key"], m["display_name"])]


def _votes_in_caption(page) -> int:
    text = page.get_by_text(re.compile(r"本范围共 \d+ 票")).inner_text()
    return int(re.search(r"本范围共 (\d+) 票", text).group(1))


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    srv = start_server(tmp_path_factory.mktemp("e2e"))
    yield srv
    stop_server(srv)


def test_login_vote_three_times_leaderboard_moves_logout(server, page, artifacts):
    page.goto(server.url)
    page.get_by_label("用户名").wait_for()
    page.screenshot(path=str(artifacts / "01_login.png"), full_page=True)
    login(page, server.url, "admin", ADMIN_PASSWORD)
    wait_idle(page)
    page.screenshot(path=str(artifacts / "02_home.png"), full_page=True)

    page.get_by_role("link", name="排行榜").click()
    wait_idle(page)
    before = _votes_in_caption(page)
    page.screenshot(path=str(artifacts / "03_leaderboard_before.png"), full_page=True)

    identities = _identities()
    for n in range(3):
        page.get_by_role("link", name="投票", exact=True).click()
        past_guidelines(page)
        wait_idle(page)
        html = page.content()
        leaked = [name for name in identities if name in html or name in page.url]
        assert not leaked, f"model identity in the DOM or URL before the vote: {leaked}"
        page.screenshot(path=str(artifacts / f"04_vote_{n + 1}_before.png"), full_page=True)
        open_collapsed_answers(page)  # a self-harm item: both answers opened first
        page.wait_for_timeout(1_000)  # a person reads first: the click guard ignores a vote at once
        page.get_by_role("button", name=["A 更安全", "B 更安全", "两者都不安全"][n]).click()
        page.get_by_text("揭晓").wait_for(timeout=60_000)
        # the reveal names the models (wait for the rerun to finish painting it)
        page.wait_for_function(
            "names => names.some(n => document.body.innerText.includes(n))", arg=identities, timeout=60_000
        )
        page.screenshot(path=str(artifacts / f"05_vote_{n + 1}_reveal.png"), full_page=True)
        page.get_by_role("button", name="下一题").click()
        wait_idle(page)

    page.get_by_role("link", name="排行榜").click()
    wait_idle(page)
    page.get_by_text(re.compile(rf"本范围共 {before + 3} 票")).wait_for(timeout=60_000)
    assert _votes_in_caption(page) == before + 3
    page.screenshot(path=str(artifacts / "06_leaderboard_after.png"), full_page=True)

    page.get_by_role("button", name="退出登录").click()
    page.get_by_label("用户名").wait_for(timeout=60_000)
    page.screenshot(path=str(artifacts / "07_logged_out.png"), full_page=True)
    # after logout, typing a page URL reaches nothing but the login form
    page.goto(f"{server.url}/vote")
    page.get_by_label("用户名").wait_for(timeout=60_000)
    wait_idle(page)
    assert page.get_by_role("button", name="A 更安全").count() == 0


def test_unauthenticated_and_annotator_url_access(server, page, artifacts):
    add_annotator(server, "ann", "ann-pw-123", name="标注员")

    for path in ("/users", "/queue", "/leaderboard"):
        page.goto(server.url + path)
        page.get_by_label("用户名").wait_for(timeout=60_000)
        wait_idle(page)
        assert page.get_by_text("用户管理").count() == 0

    login(page, server.url, "ann", "ann-pw-123")
    assert page.get_by_role("link", name="用户管理").count() == 0
    page.goto(f"{server.url}/users")
    page.get_by_text("你的角色无权打开此页面").wait_for(timeout=60_000)
    page.screenshot(path=str(artifacts / "08_annotator_refused.png"), full_page=True)
    assert page.get_by_role("button", name="添加用户").count() == 0


HOSTILE_QUESTION = '<script>window.__xss = "q"</script>请比较 <img src=x onerror="window.__xss=\'q\'"> [点我](javascript:window.__xss=1)'
HOSTILE_ANSWERS = [
    '<script>window.__xss = "a"</script>这是一个回答。',
    '<img src=x onerror="window.__xss=\'img\'"><b id="injected">粗体</b>',
    "[点这里](javascript:window.__xss='link') 以及 <a href=\"javascript:alert(1)\">链接</a>",
    '<iframe src="javascript:window.__xss=1"></iframe><style>body{display:none}</style>',
    '$$\\href{javascript:alert(1)}{x}$$ :smile: **粗** <div onmouseover="window.__xss=1">悬停</div>',
]


def test_hostile_content_renders_inert(tmp_path, browser, artifacts):
    demo = copy_demo(tmp_path)
    for path in (demo / "questions").glob("*.yaml"):
        path.unlink()
    keys = [m["key"] for m in yaml.safe_load((demo / "models.yaml").read_text(encoding="utf-8"))["models"]]
    question = {
        "id": "x-01",
        "sub_dimension": "<i>注入</i>",
        "question": HOSTILE_QUESTION,
        "safe_note": "<script>window.__xss='note'</script>",
        "answers": {
            k: {"grade": 3, "text": HOSTILE_ANSWERS[i % len(HOSTILE_ANSWERS)]} for i, k in enumerate(keys)
        },
    }
    (demo / "questions" / "hostile.yaml").write_text(
        yaml.safe_dump(
            {"synthetic": True, "dimension": "privacy", "questions": [question]}, allow_unicode=True
        ),
        encoding="utf-8",
    )
    srv = start_server(tmp_path, demo)
    try:
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        page = context.new_page()
        dialogs = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        login(page, srv.url, "admin", ADMIN_PASSWORD)
        page.get_by_role("link", name="投票", exact=True).click()
        past_guidelines(page)
        wait_idle(page)
        page.screenshot(path=str(artifacts / "09_hostile_inert.png"), full_page=True)
        for hover in page.get_by_text("悬停").all():
            hover.hover()
        for link in page.get_by_text("点这里").all():
            link.click()
        assert page.evaluate("() => window.__xss") is None
        assert page.locator("img[src='x']").count() == 0
        assert page.locator("#injected").count() == 0
        assert page.locator("iframe[src^='javascript']").count() == 0
        assert page.locator("a[href^='javascript']").count() == 0
        assert page.locator("[onerror], [onmouseover]").count() == 0
        assert not dialogs
        # the markup is shown literally, as text
        assert page.get_by_text("<script>", exact=False).count() >= 1
        open_collapsed_answers(page)  # a self-harm item: both answers opened first
        page.wait_for_timeout(1_000)  # a person reads first: the click guard ignores a vote at once
        page.get_by_role("button", name="A 更安全").click()
        page.get_by_text("揭晓").wait_for(timeout=60_000)
        assert page.evaluate("() => window.__xss") is None
        context.close()
    finally:
        stop_server(srv)

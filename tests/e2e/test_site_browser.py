"""The static site in a real browser (Debian's Chromium driven by Playwright), opened from file://.

The site is written by ``cli.py site`` from a database with two voted releases; the numbers the
browser reads off the overall board must equal ``cli.py ratings --json`` on the votes that
``cli.py export-votes`` writes for the same release. Every request the pages make is recorded:
none may leave file://. A hostile model name must stay text (no dialog, no image request).
The screenshot lands in tests/e2e/artifacts/ (kept by CI).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.publish.site import PAGES
from pipeline.startup.settings import PROJECT_ROOT
from tests.pipeline.test_site import HOSTILE, build_voted_database

pytestmark = pytest.mark.e2e


def _cli(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "cli.py", *args],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("site_e2e")
    _settings, engine = build_voted_database(data_dir)
    engine.dispose()  # type: ignore[attr-defined]
    env = {**os.environ, "ARENA_DATA_DIR": str(data_dir), "ARENA_ADMIN_PASSWORD": "pw"}
    env.pop("DATABASE_URL", None)
    out = data_dir / "site"
    _cli(env, "site", "--release", "v261215", str(out))
    votes = data_dir / "votes.csv"
    _cli(env, "export-votes", str(votes), "--release", "v261215")
    ratings = json.loads(_cli(env, "ratings", str(votes), "--method", "bt", "--json"))
    return out, ratings


def test_site_in_a_browser(written, browser, artifacts):
    out, ratings = written
    context = browser.new_context(viewport={"width": 1300, "height": 900}, locale="zh-CN")
    page = context.new_page()
    requests: list[str] = []
    dialogs: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto((out / "index.html").as_uri())
        assert page.locator("html").get_attribute("lang") == "zh-CN"
        page.get_by_role("heading", name="总体排行榜").wait_for()

        # the numbers of the overall board are those of `cli.py ratings` on the same votes
        board = page.locator("table").nth(2)
        shown = {}
        for row in board.locator("tbody tr").all():
            model = row.get_attribute("data-model")
            shown[model] = (
                row.locator(".rating").inner_text(),
                row.locator(".interval").inner_text(),
            )
        expected = {
            r["model"]: (f"{r['rating']:.1f}", f"[{r['lower']:.1f}, {r['upper']:.1f}]")
            for r in ratings["ratings"]
        }
        assert shown == expected

        # the hostile display name is plain text
        assert HOSTILE in page.locator("body").inner_text()
        assert page.locator("img").count() == 0

        page.screenshot(path=str(artifacts / "site_index.png"), full_page=True)

        # every page, both languages, through the links a reader would follow
        for p in PAGES:
            page.get_by_role("navigation").get_by_role("link", name=p.zh, exact=True).click()
            page.wait_for_load_state()
            assert page.url.endswith(f"/{p.name}.html")
            assert page.locator("h1").inner_text() == p.zh
            page.get_by_role("link", name="English").click()
            page.wait_for_load_state()
            assert page.url.endswith(f"/{p.name}.en.html")
            assert page.locator("html").get_attribute("lang") == "en"
            assert page.locator("h1").inner_text() == p.en
            page.get_by_role("link", name="中文").click()
            page.wait_for_load_state()
        page.get_by_role("navigation").get_by_role("link", name="历史", exact=True).click()
        page.screenshot(path=str(artifacts / "site_history.png"), full_page=True)
        page.get_by_role("navigation").get_by_role("link", name="下载", exact=True).click()
        with page.expect_download() as download:
            page.get_by_role("link", name="leaderboard-v261215.csv").click()
        assert download.value.suggested_filename == "leaderboard-v261215.csv"
        # a LiveSecBench workbook downloads from the same page, as bytes identical to the file written
        link = page.get_by_role("link", name="pk_details").first
        with page.expect_download() as download:
            link.click()
        name = download.value.suggested_filename
        assert "_pk_details_" in name and name.endswith(".xlsx")
        (written_file,) = (out / "data" / "livesecbench").glob(f"*/elo_results/*/{name}")
        assert Path(download.value.path()).read_bytes() == written_file.read_bytes()
    finally:
        context.close()
    assert requests and all(url.startswith("file://") for url in requests), [
        u for u in requests if not u.startswith("file://")
    ]
    assert not dialogs and not errors


def test_nothing_outside_file_is_even_attempted(written, browser):
    """With every non-file request refused by the browser context, each page still renders whole."""
    out, _ratings = written
    context = browser.new_context()
    blocked: list[str] = []

    def refuse(route):
        blocked.append(route.request.url)
        route.abort()

    context.route(lambda url: not url.startswith("file://"), refuse)
    page = context.new_page()
    try:
        for name in [f"{p.name}.html" for p in PAGES] + [f"{p.name}.en.html" for p in PAGES]:
            page.goto((out / name).as_uri())
            assert page.locator("main h1").count() == 1
    finally:
        context.close()
    assert blocked == []

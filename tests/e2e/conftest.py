"""A real browser (Debian's Chromium driven by Playwright) against `streamlit run` on loopback."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from pipeline.startup.settings import PROJECT_ROOT
from tests.suites import unavailable

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
ARTIFACTS = PROJECT_ROOT / "tests" / "e2e" / "artifacts"
ADMIN_PASSWORD = "e2e-admin-pw"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]

try:
    from playwright import sync_api as playwright_api
except ImportError:  # pragma: no cover - depends on the machine
    playwright_api = None  # type: ignore[assignment]

E2E_DIR = Path(__file__).parent


def browser_missing() -> str | None:
    """Why no browser test can run on this machine, or None when one can."""
    if playwright_api is None:
        return "e2e: playwright is not installed (pip install -r requirements-test.txt)"
    if not CHROMIUM.exists():
        return f"e2e: no Chromium at {CHROMIUM} (apt-get install chromium, or set CHROMIUM=/path/to/it)"
    return None


@pytest.hookimpl(tryfirst=True)  # before `-m` selects on the markers
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test in this folder is an e2e test (``-m "not e2e"`` leaves them out)."""
    for item in items:
        if item.path.is_relative_to(E2E_DIR):
            item.add_marker(pytest.mark.e2e)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """A test that needs the browser is skipped, with the reason, before any of its fixtures (the
    Streamlit server) start, or failed when ARENA_REQUIRE_SUITES names e2e. Tests here that need
    no browser still run. (A skip at import time would crash ``pytest tests/e2e``.)"""
    missing = browser_missing()
    if missing is not None and "browser" in getattr(item, "fixturenames", ()):
        unavailable("e2e", missing)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    url: str
    data_dir: Path
    process: subprocess.Popen[bytes]


def start_server(data_dir: Path, demo_dir: Path | None = None) -> Server:
    port = _free_port()
    env = {
        **os.environ,
        "ARENA_DATA_DIR": str(data_dir),
        "ARENA_ADMIN_PASSWORD": ADMIN_PASSWORD,
        "ARENA_LOGIN_SLEEP": "0",
        "ARENA_DEMO_DIR": str(demo_dir or PROJECT_ROOT / "demo"),
        # no file watcher: an edit to the tree during a run must not make the server re-import
        "STREAMLIT_SERVER_FILE_WATCHER_TYPE": "none",
    }
    env.pop("DATABASE_URL", None)
    log = open(data_dir / "server.log", "wb")  # noqa: SIM115 - closed with the process
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "app.py",
            "--server.address",
            "127.0.0.1",
            "--server.port",
            str(port),
            "--server.headless",
            "true",
        ],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/_stcore/health", timeout=2).text == "ok":
                return Server(url, data_dir, process)
        except httpx.HTTPError:
            pass
        if process.poll() is not None:
            break
        time.sleep(0.5)
    process.kill()
    raise RuntimeError(
        f"streamlit did not start: {(data_dir / 'server.log').read_text(errors='replace')[-2000:]}"
    )


def stop_server(server: Server) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.process.kill()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with playwright_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS, headless=True)
        yield b
        b.close()


@pytest.fixture(scope="module")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    pg = context.new_page()
    yield pg
    context.close()


def login(page, url: str, username: str, password: str, *, attempts: int = 3) -> None:
    """Log in through the form. The first page load of a fresh server also renders the cookie
    component, whose first value triggers a rerun; a submit that lands in that rerun can be lost,
    so the form is filled once the app is idle and the login is retried if it did not take."""
    for attempt in range(attempts):
        page.goto(url)
        page.get_by_label("用户名").wait_for(timeout=60_000)
        wait_idle(page)
        page.get_by_label("用户名").fill(username)
        page.get_by_label("密码").fill(password)
        page.get_by_role("button", name="登录").click()
        try:
            page.get_by_text("退出登录").wait_for(timeout=30_000)
            break
        except playwright_api.TimeoutError:
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / f"login_retry_{attempt + 1}.png"), full_page=True)
            if attempt == attempts - 1:
                raise
    # the re-login cookie is written by a browser-side component after the login run; wait for
    # it so that a typed URL (a new session) is recognised
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if any(c["name"] == "safety_arena_auth" for c in page.context.cookies()):
            return
        page.wait_for_timeout(200)
    raise AssertionError("the login cookie was never set")


def wait_idle(page) -> None:
    """Wait until Streamlit has finished the current run."""
    page.wait_for_timeout(300)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60_000
    )


def add_annotator(
    srv: Server,
    username: str,
    password: str,
    *,
    name: str | None = None,
    dimensions: list[str] | None = None,
    guidelines_read: bool = False,
) -> None:
    """An annotator account in the running server's database (qualified for ``dimensions`` when
    given; with ``guidelines_read`` the vote page goes straight to an item)."""
    from pipeline.people.users import create_user, set_qualifications
    from pipeline.startup.bootstrap import prepare
    from pipeline.startup.settings import Settings
    from pipeline.workflow.guidelines import confirm_read, reading_for

    settings = Settings(
        database_url=f"sqlite:///{srv.data_dir / 'arena.db'}",
        data_dir=srv.data_dir,
        demo_dir=PROJECT_ROOT / "demo",
    )
    engine = prepare(settings, announce=lambda _m: None)
    try:
        create_user(
            engine,
            actor="test",
            username=username,
            name=name or username,
            password=password,
            roles=["annotator"],
        )
        if dimensions is not None:
            set_qualifications(engine, actor="test", username=username, dimensions=dimensions)
        if guidelines_read:
            confirm_read(
                engine, username=username, guidelines=reading_for(engine, username=username).guidelines
            )
    finally:
        engine.dispose()


def switch_language(page, lang: str) -> None:  # type: ignore[no-untyped-def]
    """Switch in the sidebar and wait for the reload that follows: the page is drawn in the new
    language, then the app reloads it in the browser (a new session). A test that navigates before
    that reload races it (``Page.reload: net::ERR_ABORTED``), so this waits until the marker set in
    the old document is gone and the new page has finished its run."""
    label = "English" if lang == "en" else "中文"
    page.evaluate("() => { window.__before_switch = true; }")
    page.locator("[data-testid='stSidebar'] [data-testid='stSelectbox']").last.click()
    page.get_by_role("option", name=label).click()
    page.wait_for_function("() => window.__before_switch === undefined", timeout=60_000)
    page.locator("[data-testid='stSidebar'] [data-testid='stPageLink']").first.wait_for(timeout=60_000)
    wait_idle(page)


def copy_demo(tmp: Path) -> Path:
    target = tmp / "demo"
    shutil.copytree(PROJECT_ROOT / "demo", target)
    return target


def past_guidelines(page) -> None:  # type: ignore[no-untyped-def]
    """A first-time voter is shown the guidelines and confirms them before the first item (as a
    person does); then the item's vote buttons are painted."""
    from ui.i18n import translate

    confirm = translate("guide.confirm", "zh")
    page.locator(f"button:has-text('{confirm}'), button:has-text('A 更安全')").first.wait_for(timeout=60_000)
    button = page.get_by_role("button", name=confirm)
    if button.count():
        button.click()
    page.get_by_role("button", name="A 更安全").wait_for(timeout=60_000)


def open_collapsed_answers(page) -> None:  # type: ignore[no-untyped-def]
    """On a self-harm item the answers sit behind switches and the verdicts wait until both were
    opened (ui/care.py): open every closed one, as a person reading them does. The vote buttons
    can be painted before the switches (a loaded machine paints in pieces): a disabled verdict
    with no switch yet waits for them."""
    wait_idle(page)
    switches = answer_switches(page)
    if not switches.count() and page.get_by_role("button", name="A 更安全").first.is_disabled():
        switches.first.wait_for(timeout=30_000)
    for index in range(switches.count()):
        if not switches.nth(index).is_checked():
            switches.nth(index).locator("xpath=ancestor::label").click()  # the input itself is hidden
            playwright_api.expect(switches.nth(index)).to_be_checked(timeout=30_000)
            wait_idle(page)
    if switches.count():  # the verdicts are enabled by the run the last switch started
        _one_enabled_verdict(page)


def _one_enabled_verdict(page, timeout_s: float = 30.0) -> None:  # type: ignore[no-untyped-def]
    """Wait until the page shows one 'A 更安全' button and it is enabled: while the run the last
    switch started paints, the button drawn before it (disabled) can still sit beside the new one
    (CI: a strict-mode violation on two buttons, one disabled)."""
    verdict = page.get_by_role("button", name="A 更安全")
    deadline = time.monotonic() + timeout_s
    while not (verdict.count() == 1 and verdict.is_enabled()):
        if time.monotonic() > deadline:
            states = [verdict.nth(k).is_enabled() for k in range(verdict.count())]
            raise AssertionError(f"no single enabled verdict button after {timeout_s} s: enabled {states}")
        page.wait_for_timeout(200)
    wait_idle(page)


def answer_switches(page):  # type: ignore[no-untyped-def]
    """The switches of collapsed answers (st.toggle: an input with role switch inside a label)."""
    return page.get_by_role("switch", name="展开查看")

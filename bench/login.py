"""How long a login takes, as a user does it: a real ``streamlit run app.py`` server on a fresh
data directory with the default settings (no test-only environment such as
``ARENA_LOGIN_SLEEP=0``), driven by Debian's Chromium through Playwright.

A login is timed from the click on 登录 until the logged-in page shows its sidebar with 退出登录.
The login form is loaded and idle before the click, so the time is the login alone. Two visitors:

- returning: one browser profile for every round (its cache holds the app's scripts, as for
  someone who uses the arena every day); each round opens the page, logs in, logs out;
- first visit: a new browser profile (empty cache) for every round.

A wrong password is timed too (click until the error is shown): it carries the deliberate pause
after a failure (``login_sleep_time``, 0.7 s).

``--root DIR`` times a checkout other than this working tree (a snapshot:
``git archive HEAD | tar -x -C DIR``, so that edits in progress cannot disturb the run);
``--peer-root DIR`` times another checkout the same way (the previous code); rounds alternate
between the two servers so both see the same machine load. The component line times ``pipeline.people.accounts.log_in`` in-process (bcrypt
check plus its two short transactions), labelled as such.

Run: .venv/bin/python bench/login.py [--rounds 7] [--root /tmp/new] [--peer-root /tmp/old]
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
ADMIN_PASSWORD = "bench-admin-pw-1"
TARGET_S = 2.0
SETTLE_MS = 1500
IDLE = "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
SIGNED_IN = (
    "() => (document.querySelector('[data-testid=\"stSidebar\"]') || {innerText: ''})"
    ".innerText.includes('退出登录')"
)


@dataclass
class Server:
    name: str
    url: str
    data_dir: Path
    process: subprocess.Popen[bytes]


@dataclass
class Timings:
    page: list[float] = field(default_factory=list)
    returning: list[float] = field(default_factory=list)
    first_visit: list[float] = field(default_factory=list)
    wrong: list[float] = field(default_factory=list)
    lost: int = 0  # login clicks that did nothing and were repeated


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start(name: str, root: Path) -> Server:
    data_dir = Path(tempfile.mkdtemp(prefix=f"bench-login-{name}-"))
    port = _free_port()
    env = {**os.environ, "ARENA_DATA_DIR": str(data_dir), "ARENA_ADMIN_PASSWORD": ADMIN_PASSWORD}
    for var in ("DATABASE_URL", "ARENA_LOGIN_SLEEP", "ARENA_COOKIE_KEY"):
        env.pop(var, None)
    args = ["--server.address", "127.0.0.1", "--server.port", str(port), "--server.headless", "true"]
    log = open(data_dir / "server.log", "wb")  # noqa: SIM115 - closed with the process
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", *args],
        cwd=root,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/_stcore/health", timeout=2).text == "ok":
                return Server(name, url, data_dir, process)
        except httpx.HTTPError:
            pass
        if process.poll() is not None:
            break
        time.sleep(0.3)
    process.kill()
    raise RuntimeError(f"{name}: streamlit did not start: {(data_dir / 'server.log').read_text()[-2000:]}")


def _stop(server: Server) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.process.kill()
    shutil.rmtree(server.data_dir, ignore_errors=True)


@contextmanager
def _servers(roots: dict[str, Path]) -> Iterator[list[Server]]:
    started: list[Server] = []
    try:
        for name, root in roots.items():
            started.append(_start(name, root))
        yield started
    finally:
        for server in started:
            _stop(server)


def _form(page: Any, url: str) -> float:
    """Open the app and wait until the login form is there and the page has settled; returns the
    time until the form was shown."""
    start = time.perf_counter()
    page.goto(url)
    page.get_by_label("用户名").wait_for(timeout=60_000)
    shown = time.perf_counter() - start
    # A person takes longer than this to type; meanwhile the page's own rerun (the cookie
    # component's first value) ends. Streamlit shows its status widget only on longer runs.
    page.wait_for_timeout(SETTLE_MS)
    page.wait_for_function(IDLE, timeout=60_000)
    return shown


def _submit(page: Any, password: str) -> float:
    page.get_by_label("用户名").fill("admin")
    page.get_by_label("密码").fill(password)
    start = time.perf_counter()
    page.get_by_role("button", name="登录").click()
    return start


def _login(page: Any, url: str, timing: Timings) -> float:
    """Log in and return the time from the click; a click that was lost (it landed in a rerun and
    nothing happened for 30 s) is counted and the login typed again."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    _form(page, url)
    for _ in range(3):
        start = _submit(page, ADMIN_PASSWORD)
        try:
            page.wait_for_function(SIGNED_IN, timeout=30_000)
        except PlaywrightTimeout:
            timing.lost += 1
            continue
        return time.perf_counter() - start
    raise RuntimeError(f"bench/login.py: three logins at {url} were lost")


def _logout(page: Any) -> None:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    page.wait_for_timeout(1500)  # let the re-login cookie be written, as a user would
    for _ in range(3):  # a click that lands while a rerun swaps the page can be lost: click again
        page.wait_for_function(IDLE, timeout=60_000)
        page.get_by_text("退出登录").click()
        try:
            page.get_by_label("用户名").wait_for(timeout=20_000)
            return
        except PlaywrightTimeout:
            continue
    raise RuntimeError("bench/login.py: logging out did not bring the login form back")


def _wrong(page: Any, url: str) -> float:
    _form(page, url)
    start = _submit(page, "not-the-password")
    page.get_by_text("用户名或密码错误").wait_for(timeout=60_000)
    return time.perf_counter() - start


def _time_apps(roots: dict[str, Path], rounds: int) -> dict[str, Timings]:
    from playwright.sync_api import sync_playwright

    results = {name: Timings() for name in roots}
    with _servers(roots) as servers, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS, headless=True)
        profiles = {s.name: browser.new_context(locale="zh-CN") for s in servers}
        for server in servers:  # warm-up: the first page of a fresh server prepares the database
            page = profiles[server.name].new_page()
            _login(page, server.url, Timings())
            _logout(page)
            page.close()
        for _ in range(rounds):
            for server in servers:  # alternate: both apps see the same machine load
                timing = results[server.name]
                page = profiles[server.name].new_page()
                timing.returning.append(_login(page, server.url, timing))
                _logout(page)
                page.close()
                fresh = browser.new_context(locale="zh-CN")
                page = fresh.new_page()
                timing.page.append(_form(page, server.url))
                timing.wrong.append(_wrong(page, server.url))
                timing.first_visit.append(_login(page, server.url, timing))
                fresh.close()
        browser.close()
    return results


def _time_log_in(rounds: int) -> list[float]:
    """The server-side component: one ``log_in`` call (bcrypt cost 12, two short transactions)."""
    from pipeline.people.accounts import LoginOutcome, log_in
    from pipeline.people.users import create_user
    from pipeline.startup.bootstrap import prepare
    from pipeline.startup.settings import Settings

    data_dir = Path(tempfile.mkdtemp(prefix="bench-login-component-"))
    try:
        engine = prepare(Settings.from_env({"ARENA_DATA_DIR": str(data_dir)}), announce=lambda _m: None)
        create_user(
            engine, actor="bench", username="bench", name="", password=ADMIN_PASSWORD, roles=["annotator"]
        )
        times = []
        for _ in range(rounds):
            start = time.perf_counter()
            attempt = log_in(engine, username="bench", password=ADMIN_PASSWORD, now=datetime.now(UTC))
            times.append(time.perf_counter() - start)
            assert attempt.outcome is LoginOutcome.OK, attempt
        engine.dispose()
        return times
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


def _median(values: list[float]) -> str:
    return f"{statistics.median(values):.2f} s" if values else "-"


def _row(label: str, ours: list[float], peer: list[float], target: str) -> str:
    ratio = f"{statistics.median(peer) / statistics.median(ours):.1f}x" if ours and peer else "-"
    return f"| {label} | {_median(ours)} | {_median(peer)} | {ratio} | {target} |"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--root", type=Path, default=PROJECT_ROOT, help="the checkout to time (ours)")
    parser.add_argument("--peer-root", type=Path, help="another checkout to time the same way")
    args = parser.parse_args()
    if not CHROMIUM.exists():
        sys.exit(f"bench/login.py: no Chromium at {CHROMIUM} (apt-get install chromium)")
    roots = {"ours": args.root.resolve()}
    if args.peer_root is not None:
        roots["peer"] = args.peer_root.resolve()
    results = _time_apps(roots, args.rounds)
    component = _time_log_in(args.rounds)
    ours, peer = results["ours"], results.get("peer", Timings())
    peer_root = args.peer_root is not None
    show: Callable[[list[float]], str] = lambda xs: " ".join(f"{x:.2f}" for x in xs)  # noqa: E731
    for name, timing in results.items():
        print(f"{name:5} open the app: {show(timing.page)}")
        print(f"{name:5} returning: {show(timing.returning)}")
        print(f"{name:5} first visit: {show(timing.first_visit)}")
        print(f"{name:5} wrong password: {show(timing.wrong)}")
    print(f"ours  log_in(): {show(component)}")
    load = os.getloadavg()
    print(f"\nmachine: {os.cpu_count()} cores, load average {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f}\n")
    print(f"| measure (median of {args.rounds}; Chromium + streamlit run) | ours | peer | ratio | target |")
    print("|---|---|---|---|---|")
    print(_row("open the app (empty cache): until the login form is shown", ours.page, peer.page, "-"))
    print(_row("login, returning user: click to signed-in page", ours.returning, peer.returning, "< 2 s"))
    print(
        _row(
            "login, first visit (empty cache): click to signed-in page",
            ours.first_visit,
            peer.first_visit,
            "< 2 s",
        )
    )
    print(_row("wrong password: click to the error", ours.wrong, peer.wrong, "-"))
    print(_row("component: log_in() in-process (bcrypt 12 + audit)", component, [], "-"))
    print(
        f"| login clicks lost in a rerun and repeated | {ours.lost} | {peer.lost if peer_root else '-'} | - | 0 |"
    )
    if statistics.median(ours.returning) >= TARGET_S:
        sys.exit(
            f"returning-user login median {statistics.median(ours.returning):.2f} s is not under {TARGET_S:.0f} s"
        )


if __name__ == "__main__":
    main()

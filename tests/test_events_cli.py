"""The live-release commands as processes on a real database file, against the mock server: the
README's walkthrough end to end (events import → generate with the mock generator → verify two →
release cycle → report and site), generation resumed after malformed replies, and bad input
refused with a clear message and nothing written."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from mockllm import GeneratorBehaviour, MockConfig, serve
from pipeline.startup.settings import PROJECT_ROOT, Settings

DEMO = PROJECT_ROOT / "demo"


def run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ARENA_DATA_DIR": str(tmp_path), "ARENA_ADMIN_PASSWORD": "x-admin-pw"}
    env.pop("DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "cli.py", *args],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def ok(tmp_path: Path, *args: str) -> str:
    done = run(tmp_path, *args)
    assert done.returncode == 0, f"{args}: {done.stderr}"
    return done.stdout


def count(tmp_path: Path, table: str) -> int:
    with sqlite3.connect(tmp_path / "arena.db") as conn:
        return conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]


def register_mock(
    tmp_path: Path, base_url: str, files: tuple[str, ...] = ("endpoints.mock.yaml", "generator.mock.yaml")
) -> None:
    """The demo's endpoint files, pointed at this test's mock server."""
    for name in files:
        text = (
            (DEMO / name)
            .read_text(encoding="utf-8")
            .replace("http://127.0.0.1:${MOCKLLM_PORT:-8600}/v1", base_url)
        )
        (tmp_path / name).write_text(text, encoding="utf-8")
        ok(tmp_path, "endpoints", "import", str(tmp_path / name))


def approve(tmp_path: Path, dimension: str, n: int) -> list[int]:
    """Two experts' work on the Verify page, done through the same pipeline function."""
    from pipeline.bank.verification import Decision, review_candidate, review_queue
    from pipeline.startup.bootstrap import prepare

    engine = prepare(Settings.from_env({"ARENA_DATA_DIR": str(tmp_path)}), announce=lambda _m: None)
    try:
        chosen = [c for c in review_queue(engine, reviewer="admin") if c.dimension == dimension][:n]
        for c in chosen:
            outcome = review_candidate(engine, c.id, reviewer="admin", decision=Decision.APPROVE)
            assert outcome.release == "demo-next"
        return [c.id for c in chosen]
    finally:
        engine.dispose()


def test_the_readme_walkthrough_end_to_end(tmp_path):
    ok(tmp_path, "init")
    with serve(MockConfig()) as mock:
        register_mock(tmp_path, mock.base_url)
        imported = ok(tmp_path, "events", "import", "demo/events.feed.xml")
        assert imported.startswith("imported 6 of 6 events from file:events.feed.xml")
        assert "→ fairness (proposed by 年龄歧视:年龄歧视" in imported
        ok(tmp_path, "release", "create", "demo-next", "--from", "v261201")
        generated = ok(
            tmp_path, "generate", "--events", "new", "--per-dimension", "2", "--generator", "mock-generator"
        )
        assert "16 candidates entered the verification queue" in generated
        listing = ok(tmp_path, "events", "list").splitlines()
        assert listing[0] == "id\tdate\tpending\tapproved\trejected\tduplicate\tstale\tsource\ttitle"
        assert listing[1].startswith("1\t2026-11-30\t4\t0\t0\t0\t0\tfile:events.feed.xml\t")
        assert "nothing to generate" in ok(
            tmp_path, "generate", "--events", "new", "--per-dimension", "2", "--generator", "mock-generator"
        )
        assert len(approve(tmp_path, "fairness", 2)) == 2
        out = tmp_path / "reports"
        cycle = ok(
            tmp_path,
            "release", "cycle", "--draft", "demo-next", "--tag", "v261215", "--target", "fairness=2",
            "--out", str(out), "--budget", "40",
        )  # fmt: skip
    steps = [line.split(":", 1)[0] for line in cycle.splitlines()]
    assert steps == ["check", "publish", "collect", "judge", "report", "site"], cycle
    assert "publish: done — demo-next → v261215, 67 questions" in cycle
    assert f"collect: done — 6 models; {67 * 6} new answers stored" in cycle
    assert (out / "report-v261215.md").is_file() and (out / "leaderboard-v261215.csv").is_file()
    site = next(line for line in cycle.splitlines() if line.startswith("site:"))
    assert site == "site: skipped — not available yet" or (out / "site-v261215" / "index.html").is_file()
    assert "v261215\tpublished\t67 questions (65 anchors" in ok(tmp_path, "release", "list")


def test_generation_resumes_what_is_missing(tmp_path):
    ok(tmp_path, "init")
    ok(tmp_path, "events", "import", "demo/events.feed.xml")
    with serve(MockConfig(generator=GeneratorBehaviour(malformed=1.0))) as broken:
        register_mock(tmp_path, broken.base_url, ("generator.mock.yaml",))
        first = run(
            tmp_path, "generate", "--events", "1,3", "--per-dimension", "2", "--generator", "mock-generator"
        )
    assert first.returncode == 0 and "0 candidates entered the verification queue" in first.stdout
    assert "3 replies were malformed; run the same command again" in first.stderr
    with serve(MockConfig()) as mock:
        register_mock(tmp_path, mock.base_url, ("generator.mock.yaml",))
        second = ok(
            tmp_path, "generate", "--events", "1,3", "--per-dimension", "2", "--generator", "mock-generator"
        )
        assert "6 candidates entered the verification queue" in second
        third = ok(
            tmp_path, "generate", "--events", "1,3", "--per-dimension", "2", "--generator", "mock-generator"
        )
        assert "event 1: every dimension has candidates already" in third and "nothing to generate" in third
    assert count(tmp_path, "candidate_question") == 6


BAD_FILES = [
    ("bad.xml", "<rss><channel><item><title>x</title>", "not a well-formed RSS or Atom feed"),
    (
        "nodate.jsonl",
        '{"title": "有日期", "date": "2026-11-01"}\n{"title": "没有日期", "summary": "x"}\n',
        "nodate.jsonl, line 2 (没有日期): field date: missing",
    ),
]


def test_bad_input_is_refused_and_writes_nothing(tmp_path):
    ok(tmp_path, "init")
    for name, content, message in BAD_FILES:
        (tmp_path / name).write_text(content, encoding="utf-8")
        refused = run(tmp_path, "events", "import", str(tmp_path / name))
        assert refused.returncode == 2 and message in refused.stderr, refused.stderr
    refused = run(tmp_path, "events", "import", "https://example.org/feed.xml")
    assert refused.returncode == 2 and "not a configured feed, so it is not fetched" in refused.stderr
    ok(tmp_path, "events", "feeds", "add", "local", "http://127.0.0.1:9/feed.xml")
    assert ok(tmp_path, "events", "feeds", "list") == "local\thttp://127.0.0.1:9/feed.xml\n"
    offline = run(tmp_path, "events", "import", "local", "--timeout", "3")
    assert offline.returncode == 2 and "cannot connect" in offline.stderr and "offline" in offline.stderr
    assert count(tmp_path, "event") == 0
    unknown = run(tmp_path, "generate", "--events", "7", "--generator", "x")
    assert unknown.returncode == 2 and "no events with ids [7]" in unknown.stderr
    ok(tmp_path, "release", "create", "d1", "--from", "v261201")
    before = ok(tmp_path, "release", "list")
    short = run(tmp_path, "release", "cycle", "--draft", "d1", "--tag", "v261215")
    assert short.returncode == 2
    assert (
        "the cycle stopped at step check: draft d1 is not ready (5 problem(s)); it was not changed"
        in short.stderr
    )
    assert "public_safety: 0 new question(s), target 13 (13 short)" in short.stderr
    assert "to go on: fix the cause and run the same command again" in short.stderr
    assert ok(tmp_path, "release", "list") == before

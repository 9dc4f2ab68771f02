"""A judge run counts the verdicts whose harm-tag lines were missing or malformed (kept, with no
tags recorded; ``judging/judge/_tags.py``) and ``cli.py judge`` prints them."""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import random
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
from sqlmodel import select

from judging.judge import format_marker
from judging.llm import ChatClient, ClientSettings
from judging.types import Verdict
from pipeline.runs.judge import run_judge
from pipeline.runs.registry import import_registry
from pipeline.startup.settings import PROJECT_ROOT
from storage.db.models import Vote
from storage.db.session import read_session
from tests.pipeline.test_runs import _registry

# one reply in three of each kind: tag lines as asked, none at all, an unknown tag key
REPLIES = (
    f"标签A：无\n标签B：harmful\n{format_marker(Verdict.A)}",
    f"回答A更安全。\n{format_marker(Verdict.A)}",
    f"标签A：not_a_tag\n标签B：无\n{format_marker(Verdict.A)}",
)
BUDGET = 6  # battles: 12 calls, 4 of each reply


def _body(reply: str) -> bytes:
    choice = {"message": {"role": "assistant", "content": reply}, "finish_reason": "stop"}
    return json.dumps({"choices": [choice]}).encode()


def test_run_judge_counts_verdicts_with_missing_and_malformed_tag_lines(engine, tmp_path):
    import_registry(engine, _registry(tmp_path, "http://judge.invalid/v1"))
    replies = itertools.cycle(REPLIES)

    async def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=_body(next(replies)), headers={"content-type": "application/json"})

    async def main():
        async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as http:
            client = ChatClient(http, ClientSettings(max_concurrency=4), rng=random.Random(1), environ={})
            return await run_judge(
                engine, client, release="v261201", judge="mock-judge", budget=BUDGET, rng=random.Random(0)
            )

    summary = asyncio.run(main())
    assert (summary.votes, summary.unparsed, summary.failed) == (12, 0, 0)
    assert (summary.tags_missing, summary.tags_invalid) == (4, 4)
    with read_session(engine) as session:
        votes = session.exec(select(Vote).where(Vote.source == "judge")).all()
    tagged = [v for v in votes if v.tags_a != "[]" or v.tags_b != "[]"]
    assert len(votes) == 12 and len(tagged) == 4  # the others keep their verdicts, with no tags


@contextmanager
def _judge_server(latency_s: float = 0.0) -> Iterator[str]:
    """A loopback judge endpoint giving the replies above in turn, each after ``latency_s`` (slow
    enough, when given, to kill a run in the middle); its base URL."""
    replies, lock = itertools.cycle(REPLIES), threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("content-length", 0)))
            time.sleep(latency_s)
            with lock:
                body = _body(next(replies))
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    finally:
        server.shutdown()
        server.server_close()


def test_cli_judge_prints_the_verdicts_kept_without_tags(tmp_path):
    env = {**os.environ, "ARENA_DATA_DIR": str(tmp_path), "ARENA_ADMIN_PASSWORD": "pw-tags"}
    env.pop("DATABASE_URL", None)

    def cli(*args: str) -> str:
        done = subprocess.run(
            [sys.executable, "cli.py", *args], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    with _judge_server() as base_url:
        cli("endpoints", "import", str(_registry(tmp_path, base_url)))
        out = cli("judge", "--release", "v261201", "--judge", "mock-judge", "--budget", str(BUDGET))
    summary, line = out.strip().splitlines()[-2:]
    numbers = json.loads(summary)
    assert (numbers["votes"], numbers["tags_missing"], numbers["tags_invalid"]) == (12, 4, 4)
    assert line == (
        "harm tags: 4 verdicts without tag lines, 4 with malformed tag lines; "
        "their verdicts count, no tags were recorded for them"
    )

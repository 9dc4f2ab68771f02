"""The HTTP server: endpoints, the request log over HTTP and on disk, concurrency, the CLI."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

import mockllm
from judging.llm import make_http_client
from mockllm import MockConfig, read_request_log

DEMO = Path(__file__).parent / "fixtures" / "demo"
ROOT = Path(__file__).parents[2]


def chat(model: str, text: str) -> dict[str, object]:
    return {"model": model, "messages": [{"role": "user", "content": text}]}


def test_openai_endpoints_and_the_log_endpoint() -> None:
    with mockllm.serve(MockConfig(demo_dir=DEMO)) as mock, httpx.Client(base_url=mock.root_url) as http:
        models = http.get("/v1/models").json()
        assert models["object"] == "list" and {"qingyun-care", "mock-judge"} <= {
            m["id"] for m in models["data"]
        }
        reply = http.post("/v1/chat/completions", json=chat("qingyun-care", "你好"))
        assert reply.status_code == 200 and reply.headers["content-type"] == "application/json"
        assert reply.json()["choices"][0]["message"]["role"] == "assistant"
        assert http.post("/v1/chat/completions", content=b"{").status_code == 400
        assert http.get("/nope").status_code == 404
        assert http.get("/_health").json() == {"status": "ok"}
        lines = http.get("/_log").text.splitlines()
    assert [json.loads(line)["kind"] for line in lines] == ["models", "generic", "bad_request"]


def test_64_concurrent_requests_with_200ms_latency_overlap() -> None:
    async def go(base_url: str) -> float:
        async with make_http_client(64, base_url=base_url, timeout=10) as http:
            started = time.perf_counter()
            replies = await asyncio.gather(
                *(http.post("/chat/completions", json=chat("m", f"问题{i}")) for i in range(128))
            )
            assert all(r.status_code == 200 for r in replies)
            return time.perf_counter() - started

    with mockllm.serve(MockConfig(latency_ms=200)) as mock:
        elapsed = asyncio.run(go(mock.base_url))
        assert len(mock.chat_log()) == 128
    # Two waves of 64 at 200 ms each (0.4 s); serial handling would take 25.6 s. The bound is loose
    # because client and server share one interpreter here; bench/pipeline.py measures throughput.
    assert elapsed < 3.0


def test_shutdown_does_not_wait_for_hanging_requests() -> None:
    with mockllm.serve(MockConfig(fault_script=(mockllm.Fault.TIMEOUT,), hang_s=60)) as mock:
        with httpx.Client(base_url=mock.base_url, timeout=0.2) as http, pytest.raises(httpx.TimeoutException):
            http.post("/chat/completions", json=chat("m", "x"))
        started = time.perf_counter()
    assert time.perf_counter() - started < 2


def test_cli_starts_on_a_free_port_and_writes_the_request_log(tmp_path: Path) -> None:
    log_file = tmp_path / "requests.jsonl"
    command = [
        sys.executable,
        "-m",
        "mockllm",
        "--port",
        "0",
        "--demo-dir",
        str(DEMO),
        "--request-log",
        str(log_file),
    ]
    command += ["--fault-script", "500", "--judge-models", "judge-1,judge-2", "--seed", "3"]
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert line.startswith("mockllm listening on http://127.0.0.1:")
        base_url = line.split()[-1]
        with httpx.Client(base_url=base_url) as http:
            assert {"judge-1", "judge-2"} <= {m["id"] for m in http.get("/models").json()["data"]}
            assert http.post("/chat/completions", json=chat("qingyun-care", "你好")).status_code == 500
            assert http.post("/chat/completions", json=chat("qingyun-care", "你好")).status_code == 200
    finally:
        process.terminate()
        process.wait(timeout=5)
    entries = read_request_log(log_file)
    assert [(e.path, e.status) for e in entries] == [
        ("/v1/models", 200),
        ("/v1/chat/completions", 500),
        ("/v1/chat/completions", 200),
    ]


def test_cli_rejects_an_unknown_fault() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mockllm", "--fault-script", "418"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2 and "unknown fault" in result.stderr

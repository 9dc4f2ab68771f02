"""The HTTP server: endpoints, the request log over HTTP and on disk, concurrency, the CLI."""

from __future__ import annotations

import asyncio
import contextlib
import json
import subprocess
import sys
import threading
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


def test_64_concurrent_requests_are_all_in_the_server_at_once() -> None:
    # Every request is held for a minute before its reply; a server that handled them one at a
    # time would have logged one. Throughput against latency is a bench figure (bench/pipeline.py).
    async def send(base_url: str) -> None:
        async with make_http_client(64, base_url=base_url, timeout=120) as http:
            await asyncio.gather(
                *(http.post("/chat/completions", json=chat("m", f"问题{i}")) for i in range(64)),
                return_exceptions=True,  # the server drops them unanswered when it stops
            )

    with mockllm.serve(MockConfig(latency_ms=60_000)) as mock:
        client = threading.Thread(target=asyncio.run, args=(send(mock.base_url),), daemon=True)
        client.start()
        deadline = time.monotonic() + 30  # a guard against hanging, not a speed target
        while len(mock.chat_log()) < 64 and time.monotonic() < deadline:
            time.sleep(0.05)
        held = len(mock.chat_log())
    client.join(timeout=30)
    assert held == 64
    assert not client.is_alive()  # stopping the server ended every held request


def test_shutdown_does_not_wait_for_hanging_requests() -> None:
    serving = contextlib.ExitStack()
    mock = serving.enter_context(
        mockllm.serve(MockConfig(fault_script=(mockllm.Fault.TIMEOUT,), hang_s=3600))
    )
    with httpx.Client(base_url=mock.base_url, timeout=0.2) as http, pytest.raises(httpx.TimeoutException):
        http.post("/chat/completions", json=chat("m", "x"))
    # the request now hangs in the server for an hour; leaving `serve` must not wait for it
    closing = threading.Thread(target=serving.close, daemon=True)
    closing.start()
    closing.join(timeout=30)  # a guard against hanging, not a speed target
    assert not closing.is_alive()


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

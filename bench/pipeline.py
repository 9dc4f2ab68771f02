"""Benchmark: the LLM client against mockllm — throughput and the client's own CPU per request.

    python -m bench.pipeline [--requests 2000] [--concurrency 64] [--latency-ms 200]

Starts ``python -m mockllm`` in its own process (its CPU is reported apart from ours) and sends
the workload through ``judging.llm.ChatClient`` (retries, rate limiter, typed results). With
concurrency C and latency L the ideal throughput is C / L (64 / 0.2 s = 320 req/s).

Peers for the client's CPU: a bare ``httpx`` loop on the same transport (the least a client can
do: the ratio is the cost of ChatClient's own machinery), and a bare loop on httpx's stock
connection pool, whose cost grows with the square of the pool size (why ``make_http_client``
shards the pool). Exit status 1 if the throughput target is missed or a request failed.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx

from judging.llm import (
    ChatClient,
    ChatMessage,
    ChatRequest,
    ChatSuccess,
    ClientSettings,
    EndpointConfig,
    make_http_client,
)

ROOT = Path(__file__).resolve().parents[1]
THROUGHPUT_TARGET = 0.90
CPU_RATIO_TARGET = 1.5  # our own target: ChatClient may cost at most 1.5x a bare loop
STOCK_POOL_REQUESTS = 300  # the stock pool is slow enough that a sample will do


@dataclass(frozen=True, slots=True)
class RunStats:
    requests: int
    wall_s: float
    cpu_s: float
    failed: int
    latencies_s: tuple[float, ...]

    @property
    def throughput(self) -> float:
        return self.requests / self.wall_s

    @property
    def cpu_ms(self) -> float:
        return 1000 * self.cpu_s / self.requests


def process_cpu_s(pid: int) -> float | None:
    """User + system CPU seconds of another process (Linux /proc; None elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def start_mock(latency_ms: float) -> tuple[subprocess.Popen[str], str]:
    command = [sys.executable, "-m", "mockllm", "--port", "0", "--latency-ms", str(latency_ms)]
    command += ["--demo-dir", str(ROOT / "demo")]
    process = subprocess.Popen(
        command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    if not line.startswith("mockllm listening on "):
        process.kill()
        raise SystemExit(f"bench: mockllm did not start (got {line!r})")
    return process, line.split()[-1]


def prompts(n: int) -> Iterator[str]:
    for i in range(n):
        yield f"请简要介绍第{i}条安全常识。"


async def run_ours(http: httpx.AsyncClient, base_url: str, n: int, concurrency: int) -> RunStats:
    endpoint = EndpointConfig(key="bench", base_url=base_url, model="mock-generic")
    client = ChatClient(
        http, ClientSettings(max_concurrency=concurrency, timeout_s=30), rng=random.Random(0), environ={}
    )
    requests = (ChatRequest(endpoint, (ChatMessage.user(p),), tag=i) for i, p in enumerate(prompts(n)))
    latencies: list[float] = []
    failed = 0
    wall, cpu = time.perf_counter(), time.process_time()
    async for done in client.complete_many(requests):
        if isinstance(done.result, ChatSuccess):
            latencies.append(done.result.latency_s)
        else:
            failed += 1
    return RunStats(n, time.perf_counter() - wall, time.process_time() - cpu, failed, tuple(latencies))


async def run_bare(http: httpx.AsyncClient, base_url: str, n: int, concurrency: int) -> RunStats:
    slots = asyncio.Semaphore(concurrency)
    latencies: list[float] = []

    async def one(prompt: str) -> bool:
        async with slots:
            sent = time.perf_counter()
            body = {"model": "mock-generic", "messages": [{"role": "user", "content": prompt}]}
            response = await http.post(f"{base_url}/chat/completions", json=body, timeout=30)
            content = response.json()["choices"][0]["message"]["content"]
            latencies.append(time.perf_counter() - sent)
            return response.status_code == 200 and isinstance(content, str)

    wall, cpu = time.perf_counter(), time.process_time()
    results = await asyncio.gather(*(one(p) for p in prompts(n)))
    ok = sum(results)
    return RunStats(n, time.perf_counter() - wall, time.process_time() - cpu, n - ok, tuple(latencies))


async def measure(base_url: str, n: int, concurrency: int) -> tuple[RunStats, RunStats, RunStats]:
    async with make_http_client(concurrency) as http:
        await run_bare(http, base_url, concurrency, concurrency)  # open the connections
        ours = await run_ours(http, base_url, n, concurrency)
        bare = await run_bare(http, base_url, n, concurrency)
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(limits=limits) as stock_http:
        await run_bare(stock_http, base_url, concurrency, concurrency)
        stock = await run_bare(stock_http, base_url, min(n, STOCK_POOL_REQUESTS), concurrency)
    return ours, bare, stock


def ms(values: Sequence[float], q: int) -> str:
    return f"{1000 * statistics.quantiles(values, n=100)[q - 1]:.0f}" if len(values) > 1 else "-"


def table(rows: list[tuple[str, str, str, str, str]]) -> str:
    header = ("measure", "ours", "peer(ideal)", "ratio", "target")
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(5)]
    lines = [
        " | ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in [header, *rows]
    ]
    lines.insert(1, "-+-".join("-" * w for w in widths))
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--latency-ms", type=float, default=200.0)
    args = parser.parse_args(argv)
    n, c = args.requests, args.concurrency
    ideal = c / (args.latency_ms / 1000)

    process, base_url = start_mock(args.latency_ms)
    try:
        server_before = process_cpu_s(process.pid)
        ours, bare, stock = asyncio.run(measure(base_url, n, c))
        server_after = process_cpu_s(process.pid)
    finally:
        process.terminate()
        process.wait(timeout=10)
    served = n + bare.requests + stock.requests + 3 * c
    server_ms = (
        f"{1000 * (server_after - server_before) / served:.3f}"
        if server_before is not None and server_after is not None
        else "n/a"
    )

    rows = [
        ("throughput (req/s)", f"{ours.throughput:.1f}", f"{ideal:.1f}", f"{ours.throughput / ideal:.3f}", f">= {THROUGHPUT_TARGET:.2f}"),
        ("client CPU per request (ms)", f"{ours.cpu_ms:.3f}", f"{bare.cpu_ms:.3f} bare loop", f"{ours.cpu_ms / bare.cpu_ms:.2f}", f"<= {CPU_RATIO_TARGET} (ours)"),
        ("  vs stock httpx pool (ms)", f"{ours.cpu_ms:.3f}", f"{stock.cpu_ms:.3f} stock pool", f"{ours.cpu_ms / stock.cpu_ms:.2f}", "-"),
        ("bare loop throughput (req/s)", f"{bare.throughput:.1f}", f"{ideal:.1f}", f"{bare.throughput / ideal:.3f}", "-"),
        ("wall time (s)", f"{ours.wall_s:.2f}", f"{n / ideal:.2f}", f"{(n / ideal) / ours.wall_s:.3f}", "-"),
        ("latency p50 / p95 (ms)", f"{ms(ours.latencies_s, 50)} / {ms(ours.latencies_s, 95)}", f"{args.latency_ms:.0f}", "-", "-"),
        ("mock server CPU per request (ms)", server_ms, "-", "-", "-"),
        ("failed requests", str(ours.failed), "0", "-", "0"),
    ]  # fmt: skip
    print(
        f"bench/pipeline: {n} requests, concurrency {c}, mock latency {args.latency_ms:g} ms, {os.cpu_count()} CPUs"
    )
    print(table(rows))
    ok = ours.throughput / ideal >= THROUGHPUT_TARGET and ours.failed == 0
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

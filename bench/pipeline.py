"""Benchmark: ``cli.py judge`` and ``cli.py collect`` as whole runs against mockllm, and the LLM
client on its own.

    python -m bench.pipeline [--requests 6000] [--concurrency 64] [--latency-ms 200] [--repeats 3]
                             [--client-requests 2000] [--client-only]

Starts ``python -m mockllm`` in its own process. With concurrency C and latency L the ideal
throughput, the line rate, is C / L (64 / 0.2 s = 320 req/s).

Headline (a whole run, as a user starts it): a real SQLite database (WAL) is prepared once —
``cli.py endpoints import`` of the mock registry, then a synthetic release of ``--requests / 4``
questions answered by five bench models — and copied for every repeat. Then ``python cli.py
judge --budget <requests / 2> --concurrency C`` and ``python cli.py collect --models <four
models> --concurrency C`` run as processes, one after the other; each is timed from the process
start to its exit (interpreter start, imports, database, planning and writes included), and the
requests the mock served in that time are read from its request log (``GET /_log``). Fraction of
line rate = served / wall time / (C / L); medians over ``--repeats``. The process start-up (the
interpreter, imports, the database check: about 1.5 s of CPU) is a fixed cost, so at exactly
2,000 requests (6.25 s at line rate) it alone caps the fraction near 0.8: the default of 6,000
requests leaves room for it; the start-up is printed apart. Beside it, labelled, the same runs
timed from the first to the last request the mock saw (the pipeline without process start-up),
and the client on its own (``judging.llm.ChatClient``, no database, in-process).

Peers for the client's CPU: a bare ``httpx`` loop on the same transport (the least a client can
do: the ratio is the cost of ChatClient's own machinery), and a bare loop on httpx's stock
connection pool, whose cost grows with the square of the pool size (why ``make_http_client``
shards the pool). Exit status 1 if a throughput target is missed, a process failed or a request
failed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx
import yaml

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


# -- whole runs: the CLI processes with their database ------------------------------------------

RELEASE = "v991230"
BENCH_MODELS = ("bench-a", "bench-b", "bench-c", "bench-d", "bench-e")  # answered the bench release
COLLECT_MODELS = ("mock-generic", "qingyun-care", "jindun-guard", "kuaida-open")  # asked by collect
DIMENSIONS = ("public_safety", "fairness", "privacy", "truthfulness", "mental_health")


@dataclass(frozen=True, slots=True)
class WholeRun:
    served: int  # chat requests the mock served while the process ran
    wall_s: float  # process start to exit
    span_s: float  # first to last request the mock saw
    startup_s: float  # process start to the first request the mock saw
    tail_s: float  # last request the mock saw to process exit
    returncode: int

    def fraction(self, ideal: float) -> float:
        return self.served / self.wall_s / ideal

    def span_fraction(self, ideal: float) -> float:
        return self.served / self.span_s / ideal if self.span_s > 0 else 0.0


def cli_env(data_dir: Path) -> dict[str, str]:
    env = {**os.environ, "ARENA_DATA_DIR": str(data_dir), "ARENA_ADMIN_PASSWORD": "bench-pipeline-pw"}
    env.pop("DATABASE_URL", None)
    return env


def prepare_template(root: Path, base_url: str, n_questions: int) -> Path:
    """A data folder with a migrated SQLite database (WAL), the mock registry imported and the
    bench release (``n_questions`` questions, each answered by the five bench models)."""
    from sqlalchemy import text

    from storage.bank.synthetic import NewAnswer, NewModel, NewQuestion, insert_synthetic_release
    from storage.db.engine import make_engine
    from storage.db.session import write_session

    data = root / "template"
    data.mkdir(mode=0o700)
    registry = yaml.safe_load((ROOT / "demo" / "endpoints.mock.yaml").read_text(encoding="utf-8"))
    registry["defaults"] = {"base_url": base_url}
    (root / "endpoints.yaml").write_text(yaml.safe_dump(registry, allow_unicode=True), encoding="utf-8")
    subprocess.run(
        [sys.executable, "cli.py", "endpoints", "import", str(root / "endpoints.yaml")],
        cwd=ROOT, env=cli_env(data), check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    models = [NewModel(k, k, "bench", "基准模型", "bench model") for k in BENCH_MODELS]
    questions = [
        NewQuestion(
            f"bench-{i}",
            DIMENSIONS[i % len(DIMENSIONS)],
            "bench",
            f"基准问题{i}：请说明在第{i}种情形下应当如何安全地处理。",
            "基准参考说明。",
            None,
            {k: NewAnswer(f"{k} 对基准问题{i}的回答：应当遵守安全规范，第{j}条。", 1 + (i + j) % 5)
             for j, k in enumerate(BENCH_MODELS)},
        )
        for i in range(n_questions)
    ]  # fmt: skip
    engine = make_engine(f"sqlite:///{data / 'arena.db'}")
    with write_session(engine) as session:
        insert_synthetic_release(
            session=session, tag=RELEASE, title="bench", notes="", models=models, questions=questions
        )
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        connection.execute(text("SELECT 1"))
    engine.dispose()
    return data


def mock_log(root_url: str) -> list[dict[str, object]]:
    with urllib.request.urlopen(f"{root_url}/_log", timeout=60) as response:
        lines = response.read().decode("utf-8").splitlines()
    return [entry for entry in map(json.loads, lines) if entry["path"] == "/v1/chat/completions"]


def whole_run(command: Sequence[str], data: Path, root_url: str) -> WholeRun:
    """Run one CLI process on ``data``; what the mock served while it ran."""
    seen = len(mock_log(root_url))
    started, epoch = time.perf_counter(), time.time()
    done = subprocess.run(
        [sys.executable, "cli.py", *command], cwd=ROOT, env=cli_env(data), capture_output=True, text=True,
        timeout=1800,
    )  # fmt: skip
    wall = time.perf_counter() - started
    if done.returncode:
        print(f"bench: cli.py {command[0]} exited {done.returncode}: {done.stderr[-2000:]}", file=sys.stderr)
    entries = mock_log(root_url)[seen:]
    times = [float(e["time"]) for e in entries]  # type: ignore[arg-type]
    if not times:
        return WholeRun(0, wall, 0.0, wall, 0.0, done.returncode)
    first, last = min(times), max(times)
    return WholeRun(len(entries), wall, last - first, first - epoch, epoch + wall - last, done.returncode)


def measure_whole(
    root: Path, template: Path, root_url: str, *, requests: int, concurrency: int, repeat: int
) -> tuple[WholeRun, WholeRun]:
    """``cli.py judge`` then ``cli.py collect`` on a fresh copy of the template database."""
    data = root / f"run-{repeat}"
    shutil.copytree(template, data)
    c = str(concurrency)
    judge = whole_run(
        ["judge", "--release", RELEASE, "--judge", "mock-judge", "--budget", str(requests // 2),
         "--concurrency", c, "--timeout", "60"],
        data, root_url,
    )  # fmt: skip
    collect = whole_run(
        ["collect", "--release", RELEASE, "--models", ",".join(COLLECT_MODELS), "--concurrency", c,
         "--timeout", "60"],
        data, root_url,
    )  # fmt: skip
    shutil.rmtree(data, ignore_errors=True)
    return judge, collect


# -- the summary --------------------------------------------------------------------------------


def ms(values: Sequence[float], q: int) -> str:
    return f"{1000 * statistics.quantiles(values, n=100)[q - 1]:.0f}" if len(values) > 1 else "-"


def table(rows: list[tuple[str, str, str, str, str]]) -> str:
    header = ("measure", "ours", "peer", "ratio", "target")
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(5)]
    lines = [
        " | ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in [header, *rows]
    ]
    lines.insert(1, "-+-".join("-" * w for w in widths))
    return "\n".join(lines)


def whole_rows(name: str, runs: Sequence[WholeRun], ideal: float) -> list[tuple[str, str, str, str, str]]:
    fraction = statistics.median(r.fraction(ideal) for r in runs)
    span = statistics.median(r.span_fraction(ideal) for r in runs)
    served = statistics.median(r.served for r in runs)
    wall = statistics.median(r.wall_s for r in runs)
    per_run = ", ".join(f"{r.fraction(ideal):.3f}" for r in runs)
    return [
        (f"cli.py {name}, whole process (req/s)", f"{fraction * ideal:.1f}", f"{ideal:.1f} line rate",
         f"{fraction:.3f}", f">= {THROUGHPUT_TARGET:.2f}"),
        (f"  {name} runs (fraction each)", per_run, "-", "-", "-"),
        (f"  {name} requests served / wall (s)", f"{served:.0f} / {wall:.2f}", f"{served / ideal:.2f} s ideal", "-", "-"),
        (f"  {name} first..last request (label: no start-up)", f"{span * ideal:.1f}", f"{ideal:.1f}", f"{span:.3f}", "-"),
        (f"  {name} start-up / wind-down (s)", f"{statistics.median(r.startup_s for r in runs):.2f} / "
         f"{statistics.median(r.tail_s for r in runs):.2f}", "-", "-", "-"),
    ]  # fmt: skip


def client_rows(
    ours: RunStats, bare: RunStats, stock: RunStats, ideal: float, server_ms: str
) -> list[tuple[str, str, str, str, str]]:
    return [
        ("client only, no database (req/s)", f"{ours.throughput:.1f}", f"{ideal:.1f} line rate", f"{ours.throughput / ideal:.3f}", "-"),
        ("  client CPU per request (ms)", f"{ours.cpu_ms:.3f}", f"{bare.cpu_ms:.3f} bare loop", f"{ours.cpu_ms / bare.cpu_ms:.2f}", f"<= {CPU_RATIO_TARGET} (ours)"),
        ("  vs stock httpx pool (ms)", f"{ours.cpu_ms:.3f}", f"{stock.cpu_ms:.3f} stock pool", f"{ours.cpu_ms / stock.cpu_ms:.2f}", "-"),
        ("  bare loop throughput (req/s)", f"{bare.throughput:.1f}", f"{ideal:.1f}", f"{bare.throughput / ideal:.3f}", "-"),
        ("  latency p50 / p95 (ms)", f"{ms(ours.latencies_s, 50)} / {ms(ours.latencies_s, 95)}", "-", "-", "-"),
        ("  mock server CPU per request (ms)", server_ms, "-", "-", "-"),
        ("  failed requests", str(ours.failed), "0", "-", "0"),
    ]  # fmt: skip


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--requests",
        type=int,
        default=6000,
        help="requests per whole run (>= 2,000; start-up is amortised over them)",
    )
    parser.add_argument("--client-requests", type=int, default=2000, help="requests of the client-only run")
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--latency-ms", type=float, default=200.0)
    parser.add_argument("--repeats", type=int, default=3, help="whole runs of each command (median)")
    parser.add_argument("--client-only", action="store_true", help="skip the whole runs")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    n, c = args.requests, args.concurrency
    ideal = c / (args.latency_ms / 1000)
    judges: list[WholeRun] = []
    collects: list[WholeRun] = []
    process, base_url = start_mock(args.latency_ms)
    root_url = base_url.removesuffix("/v1")
    try:
        with tempfile.TemporaryDirectory(prefix="bench-pipeline-") as tmp:
            if not args.client_only:
                template = prepare_template(Path(tmp), base_url, -(-n // len(COLLECT_MODELS)))
                for repeat in range(args.repeats):
                    judge, collect = measure_whole(
                        Path(tmp), template, root_url, requests=n, concurrency=c, repeat=repeat
                    )
                    judges.append(judge)
                    collects.append(collect)
            server_before = process_cpu_s(process.pid)
            ours, bare, stock = asyncio.run(measure(base_url, args.client_requests, c))
            server_after = process_cpu_s(process.pid)
    finally:
        process.terminate()
        process.wait(timeout=10)
    served = args.client_requests + bare.requests + stock.requests + 3 * c
    server_ms = (
        f"{1000 * (server_after - server_before) / served:.3f}"
        if server_before is not None and server_after is not None
        else "n/a"
    )
    rows = []
    if judges:
        rows += whole_rows("judge", judges, ideal) + whole_rows("collect", collects, ideal)
    rows += client_rows(ours, bare, stock, ideal, server_ms)
    load = " ".join(f"{v:.2f}" for v in os.getloadavg())
    print(
        f"bench/pipeline: {n} requests per run, concurrency {c}, mock latency {args.latency_ms:g} ms, "
        f"{args.repeats if judges else 0} whole runs each (medians), {os.cpu_count()} CPUs, load average {load}"
    )
    print(table(rows))
    ok = ours.failed == 0
    for runs in (judges, collects):
        if runs:
            ok &= statistics.median(r.fraction(ideal) for r in runs) >= THROUGHPUT_TARGET
            ok &= all(r.returncode == 0 and r.served >= n for r in runs)
    if args.client_only:
        ok &= ours.throughput / ideal >= THROUGHPUT_TARGET
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

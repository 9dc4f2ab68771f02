"""`make mock PORT=…` serves on that port and the demo's mock endpoint files follow it (issue 15).

The Makefile is read with `make -n` (nothing installed or started by make itself); the commands
it prints are then run as a person's shell would run them.
"""

from __future__ import annotations

import os
import shlex
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from judging.llm import RegistryError
from pipeline.runs.env_refs import expand_env_refs
from pipeline.startup.settings import PROJECT_ROOT

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")


def _mock_commands(*args: str) -> list[str]:
    out = subprocess.run(
        ["make", "-n", "mock", *args], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True
    ).stdout
    return [line for line in out.splitlines() if "cli.py endpoints import" in line or "-m mockllm" in line]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_make_mock_uses_8600_unless_a_port_is_given():
    default = _mock_commands()
    assert "--port 8600" in default[-1]
    chosen = _mock_commands("PORT=8712")
    assert "--port 8712" in chosen[-1] and "8600" not in chosen[-1]
    imports = [line for line in chosen if "endpoints import" in line]
    assert len(imports) == 2 and all(line.startswith("MOCKLLM_PORT=8712 ") for line in imports)


def test_env_references_fill_from_the_environment_or_their_default():
    data = {"defaults": {"base_url": "http://127.0.0.1:${MOCKLLM_PORT:-8600}/v1"}, "models": [{"key": "$5"}]}
    assert expand_env_refs(data, source="f.yaml", environ={})["defaults"]["base_url"] == (
        "http://127.0.0.1:8600/v1"
    )
    filled = expand_env_refs(data, source="f.yaml", environ={"MOCKLLM_PORT": "8712"})
    assert filled["defaults"]["base_url"] == "http://127.0.0.1:8712/v1"
    assert filled["models"] == [{"key": "$5"}]  # any other $ is kept
    assert data["defaults"]["base_url"].endswith("${MOCKLLM_PORT:-8600}/v1")  # input unchanged
    with pytest.raises(RegistryError, match="NEEDED_VAR is not set"):
        expand_env_refs({"base_url": "${NEEDED_VAR}"}, source="f.yaml", environ={})


def test_make_mock_on_another_port_registers_endpoints_that_reach_it(tmp_path: Path):
    port = _free_port()
    env = {**os.environ, "ARENA_DATA_DIR": str(tmp_path), "ARENA_ADMIN_PASSWORD": "mock-port-admin-1"}
    env.pop("DATABASE_URL", None)
    *imports, serve = _mock_commands(f"PORT={port}")
    for line in imports:  # MOCKLLM_PORT=N .venv/bin/python cli.py endpoints import FILE
        assignment, _python, *rest = shlex.split(line)
        name, value = assignment.split("=", 1)
        subprocess.run(
            [sys.executable, *rest],
            cwd=PROJECT_ROOT,
            env={**env, name: value},
            check=True,
            capture_output=True,
        )
    server = subprocess.Popen(
        [sys.executable, *shlex.split(serve)[1:]],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        from pipeline.runs.registry import endpoint_configs
        from storage.db.engine import make_engine

        engine = make_engine(f"sqlite:///{tmp_path / 'arena.db'}")
        urls = {c.base_url for c in endpoint_configs(engine).values()}
        engine.dispose()
        assert urls == {f"http://127.0.0.1:{port}/v1"}
        deadline = time.monotonic() + 30
        while True:
            try:
                models = httpx.get(f"http://127.0.0.1:{port}/v1/models", timeout=2).json()
                break
            except httpx.HTTPError:
                assert time.monotonic() < deadline, "the mock server did not start"
                time.sleep(0.3)
        assert any(m["id"] == "mock-generic" for m in models["data"])
        collected = subprocess.run(
            [sys.executable, "cli.py", "collect", "--release", "v261201", "--models", "mock-generic"],
            cwd=PROJECT_ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert collected.returncode == 0, collected.stderr
    finally:
        server.terminate()
        server.wait(timeout=15)

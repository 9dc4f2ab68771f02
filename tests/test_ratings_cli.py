"""`cli.py ratings`: a votes file rated without a database; bad input names line and field."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys

import pytest

from pipeline.settings import PROJECT_ROOT


def _run(*args: str, tmp_path=None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ARENA_DATA_DIR": str(tmp_path or "/nonexistent-never-created")}
    return subprocess.run(
        [sys.executable, "cli.py", "ratings", *args],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_bt_json_matches_a_worked_example(tmp_path):
    # Two models, A wins 3 of 4: the BT MLE gives p = 3/4, so the rating gap is
    # 400 * log10(3) = 190.85 Elo; centred on 1000: A = 1095.4, B = 904.6. The small ridge that
    # keeps fits finite shrinks this by about 0.6 Elo on only four votes.
    path = tmp_path / "votes.csv"
    path.write_text("model_a,model_b,winner\n" + "A,B,model_a\n" * 3 + "A,B,model_b\n", encoding="utf-8")
    out = _run(str(path), "--method", "bt", "--json", tmp_path=tmp_path)
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["method"] == "bt"
    ratings = {r["model"]: r for r in data["ratings"]}
    gap = 400 * math.log10(3)
    assert ratings["A"]["rating"] == pytest.approx(1000 + gap / 2, abs=1.0)
    assert ratings["B"]["rating"] == pytest.approx(1000 - gap / 2, abs=1.0)
    assert set(ratings["A"]) >= {"model", "rating", "lower", "upper", "rank", "votes"}
    assert (
        ratings["A"]["votes"] == 4 and ratings["A"]["lower"] < ratings["A"]["rating"] < ratings["A"]["upper"]
    )
    assert not (tmp_path / "arena.db").exists()  # no database touched


def test_elo_and_trueskill_and_arena_tie_bothbad(tmp_path):
    path = tmp_path / "votes.jsonl"
    path.write_text(
        '{"model_a": "x", "model_b": "y", "winner": "model_a"}\n'
        '{"model_a": "x", "model_b": "y", "winner": "tie (bothbad)"}\n',
        encoding="utf-8",
    )
    elo = json.loads(_run(str(path), "--method", "elo", "--json").stdout)
    # first vote: x = 1516, y = 1484; then a draw: E_x = 1/(1+10^(-32/400)) = 0.54592,
    # x = 1516 + 32 * (0.5 - 0.54592) = 1514.53
    x = next(r for r in elo["ratings"] if r["model"] == "x")
    assert x["rating"] == pytest.approx(1516 + 32 * (0.5 - 1 / (1 + 10 ** (-32 / 400))), abs=1e-6)
    ts = json.loads(_run(str(path), "--method", "trueskill", "--json").stdout)
    assert ts["ratings"][0]["model"] == "x"
    text = _run(str(path), "--method", "bt", "--bootstrap", "200")
    assert text.returncode == 0 and "x" in text.stdout


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("model_a,model_b,winner\nA,B,model_a\nA,B,maybe\n", "line 3"),
        ("model_a,winner\nA,model_a\n", "model_b"),
        ("model_a,model_b,winner\nA,A,model_a\n", "line 2"),
    ],
)
def test_bad_input_names_line_and_field(tmp_path, content, message):
    path = tmp_path / "bad.csv"
    path.write_text(content, encoding="utf-8")
    out = _run(str(path))
    assert out.returncode == 2
    assert message in out.stderr, out.stderr


def test_one_model_only(tmp_path):
    path = tmp_path / "one.csv"
    path.write_text("model_a,model_b,winner\n", encoding="utf-8")
    out = _run(str(path))
    assert out.returncode == 2 and "error" in out.stderr

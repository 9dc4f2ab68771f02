"""`cli.py ratings`: a votes file rated without a database; bad input names line and field."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys

import numpy as np
import pytest

from pipeline.startup.settings import PROJECT_ROOT


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
    # 400 * log10(3) = 190.85 Elo; centred on 1000: A = 1095.4, B = 904.6. The tiny ridge that
    # keeps fits finite shrinks this by less than 0.01 Elo, even on only four votes.
    path = tmp_path / "votes.csv"
    path.write_text("model_a,model_b,winner\n" + "A,B,model_a\n" * 3 + "A,B,model_b\n", encoding="utf-8")
    out = _run(str(path), "--method", "bt", "--json", tmp_path=tmp_path)
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["method"] == "bt" and data["tie_model"] == "half" and data["tie_parameter"] is None
    assert data["interval"] == "95% sandwich interval (clustered by battle)" and data["battles"] == 4
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
    # K=32 (LiveSecBench's) worked by hand; the default K is bench/elo_k.py's choice
    elo = json.loads(_run(str(path), "--method", "elo", "--elo-k", "32", "--json").stdout)
    # first vote: x = 1516, y = 1484; then a draw: E_x = 1/(1+10^(-32/400)) = 0.54592,
    # x = 1516 + 32 * (0.5 - 0.54592) = 1514.53
    x = next(r for r in elo["ratings"] if r["model"] == "x")
    assert x["rating"] == pytest.approx(1516 + 32 * (0.5 - 1 / (1 + 10 ** (-32 / 400))), abs=1e-6)
    ts = json.loads(_run(str(path), "--method", "trueskill", "--json").stdout)
    assert ts["ratings"][0]["model"] == "x"
    # TrueSkill's band is mu +- 3 sigma, never sold as a 95% interval
    assert ts["interval"].startswith("mu ± 3 sigma") and ts["tie_model"] is None
    ts_text = _run(str(path), "--method", "trueskill").stdout
    assert "mu ± 3 sigma" in ts_text and "95%" not in ts_text
    assert "95%" not in _run(str(path), "--method", "elo").stdout
    text = _run(str(path), "--method", "bt", "--bootstrap", "200")
    assert (
        text.returncode == 0
        and "x" in text.stdout
        and "95% bootstrap interval (battles resampled)" in text.stdout
    )


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


def _votes_file(path, *, copies: int, with_question: bool) -> None:
    # 3 models, 300 battles of one vote each (seeded); every vote written ``copies`` times, the
    # copies sharing the question id when ``with_question``
    rng = np.random.default_rng(9)
    strength = {"A": 0.6, "B": 0.0, "C": -0.5}
    lines = ["model_a,model_b,winner,question_id"]
    for k in range(300):
        a, b = rng.choice(list(strength), size=2, replace=False)
        p = 1 / (1 + math.exp(strength[b] - strength[a]))
        u = rng.random()
        winner = "tie" if u < 0.1 else "model_a" if u < 0.1 + 0.9 * p else "model_b"
        question = f"q{k}" if with_question else ""
        lines += [f"{a},{b},{winner},{question}"] * copies
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _widths(path, *extra: str) -> dict[str, float]:
    out = _run(str(path), "--bootstrap", "200", "--json", *extra)
    assert out.returncode == 0, out.stderr
    return {r["model"]: r["upper"] - r["lower"] for r in json.loads(out.stdout)["ratings"]}


def test_duplicated_votes_of_one_battle_do_not_narrow_the_bootstrap(tmp_path):
    # The same votes once, twice on the same question (one battle each: the copies add nothing),
    # and twice without a question id (each copy its own battle: the widths shrink by ~1/sqrt 2).
    _votes_file(tmp_path / "once.csv", copies=1, with_question=True)
    _votes_file(tmp_path / "twice.csv", copies=2, with_question=True)
    _votes_file(tmp_path / "loose.csv", copies=2, with_question=False)
    once, twice, loose = (_widths(tmp_path / f"{n}.csv") for n in ("once", "twice", "loose"))
    for model, width in once.items():
        assert twice[model] == pytest.approx(width, rel=0.02)
        assert loose[model] / width == pytest.approx(1 / math.sqrt(2), abs=0.12)
    both = json.loads(_run(str(tmp_path / "twice.csv"), "--json").stdout)
    assert both["battles"] == 300


def test_davidson_tie_model_is_named(tmp_path):
    _votes_file(tmp_path / "votes.csv", copies=1, with_question=True)
    out = _run(str(tmp_path / "votes.csv"), "--tie-model", "davidson", "--json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["tie_model"] == "davidson" and 0 < data["tie_parameter"] < 1
    # raw strengths: the decisive-vote scale is wider than the half-win one
    half = json.loads(_run(str(tmp_path / "votes.csv"), "--json").stdout)
    spread = {
        d["tie_model"]: max(r["rating"] for r in d["ratings"]) - min(r["rating"] for r in d["ratings"])
        for d in (data, half)
    }
    assert spread["davidson"] > spread["half"]
    text = _run(str(tmp_path / "votes.csv"), "--tie-model", "davidson").stdout
    assert "ties: davidson (nu = " in text
    bad = _run(str(tmp_path / "votes.csv"), "--tie-model", "rao")
    assert bad.returncode == 2 and "unknown tie model" in bad.stderr


def test_gold_votes_are_left_out_with_a_note(tmp_path):
    from pipeline.workflow.gold import SAFE_KEY, UNSAFE_KEY

    path = tmp_path / "votes.csv"
    path.write_text(
        "model_a,model_b,winner,question_id\n"
        "A,B,model_a,q1\nB,A,model_a,q2\nA,B,model_a,q3\n"
        f"{SAFE_KEY},{UNSAFE_KEY},model_a,g1\n{UNSAFE_KEY},{SAFE_KEY},model_b,g1\n",
        encoding="utf-8",
    )
    out = _run(str(path), "--json")
    assert out.returncode == 0, out.stderr
    assert "left out 2 votes on gold items" in out.stderr
    data = json.loads(out.stdout)
    assert {r["model"] for r in data["ratings"]} == {"A", "B"} and data["battles"] == 3


# -- bounded input: size, nesting bombs, identical rows, the Arena format (issues 14 and 16) -------

ROWS = (
    "model_a,model_b,winner,rater,question_id,tstamp\n"
    "A,B,model_a,ann,q1,1\nB,A,model_a,ann,q2,2\nA,B,model_b,bob,q3,3\nA,B,model_a,ann,q1,1\n"
)


def test_a_file_over_max_bytes_is_refused_with_the_flag_and_the_variable(tmp_path):
    path = tmp_path / "votes.csv"
    path.write_text(ROWS, encoding="utf-8")
    size = path.stat().st_size
    out = _run(str(path), "--max-bytes", "100")
    assert out.returncode == 2 and out.stdout == ""
    assert f"the file is {size} bytes, over the limit of 100 bytes (--max-bytes to raise it)" in out.stderr
    assert "Traceback" not in out.stderr
    env = {**os.environ, "ARENA_VOTES_MAX_BYTES": "100"}
    by_env = subprocess.run(
        [sys.executable, "cli.py", "ratings", str(path)],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert by_env.returncode == 2 and "over the limit of 100 bytes" in by_env.stderr
    assert _run(str(path), "--max-bytes", str(size)).returncode == 0


@pytest.mark.parametrize("suffix", ["jsonl", "json"])
def test_a_nesting_bomb_is_a_message_not_a_traceback(tmp_path, suffix):
    path = tmp_path / f"bomb.{suffix}"
    path.write_text(
        '{"model_a": "A", "model_b": "B", "winner": "tie"}\n' + "[" * 100_000 + "\n", encoding="utf-8"
    )
    out = _run(str(path))
    assert out.returncode == 2 and "Traceback" not in out.stderr and "RecursionError" not in out.stderr
    assert f"{path}, line 2: nested too deeply" in out.stderr


def test_identical_rows_count_once_unless_kept(tmp_path):
    path = tmp_path / "votes.csv"
    path.write_text(ROWS, encoding="utf-8")
    once = _run(str(path), "--json")
    assert once.returncode == 0, once.stderr
    assert "1 duplicate row (line 5) counted once; --keep-duplicates to keep them" in once.stderr
    votes = {r["model"]: r["votes"] for r in json.loads(once.stdout)["ratings"]}
    assert votes == {"A": 3, "B": 3}
    kept = _run(str(path), "--json", "--keep-duplicates")
    assert "1 duplicate row (line 5) kept as separate votes" in kept.stderr
    assert {r["model"]: r["votes"] for r in json.loads(kept.stdout)["ratings"]} == {"A": 4, "B": 4}


def test_an_arena_json_list_rates_like_the_same_votes_in_csv(tmp_path):
    battles = [
        {
            "model_a": a,
            "model_b": b,
            "winner": w,
            "judge": f"r{k % 3}",
            "question_id": f"q{k}",
            "turn": 1,
            "anony": True,
        }
        for k, (a, b, w) in enumerate(
            [
                ("A", "B", "model_a"),
                ("B", "C", "tie (bothbad)"),
                ("C", "A", "model_b"),
                ("A", "C", "tie"),
                ("B", "A", "model_b"),
            ]
        )
    ]
    arena = tmp_path / "battles.json"
    arena.write_text(json.dumps(battles, indent=2), encoding="utf-8")
    csv_path = tmp_path / "votes.csv"
    csv_path.write_text(
        "model_a,model_b,winner,rater,question_id\n"
        + "".join(
            f"{b['model_a']},{b['model_b']},{b['winner']},{b['judge']},{b['question_id']}\n" for b in battles
        ),
        encoding="utf-8",
    )
    from_arena = _run(str(arena), "--json")
    assert from_arena.returncode == 0, from_arena.stderr
    assert json.loads(from_arena.stdout) == json.loads(_run(str(csv_path), "--json").stdout)

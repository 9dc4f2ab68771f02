"""``cli.py calibrate VOTES_FILE [--json]`` on files, without a database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from judging.interchange import ArenaVote, write_interchange
from judging.types import Side, Source
from pipeline.startup.settings import PROJECT_ROOT

H, J = Source.HUMAN, Source.JUDGE


def run(*args: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ARENA_DATA_DIR": str(data_dir)}
    env.pop("DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "cli.py", "calibrate", *args],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def votes_with_order() -> list[ArenaVote]:
    """The hand-worked example of tests/judging/test_calibration_judge.py, plus a second judge.

    Judge J: agreement with ties 3/7, without ties 2/2, Cohen's kappa 1/8 over 7 human votes.
    Its five verdicts with a known order: q1 A (m1 first), q1 B (m2 first: m1 wins, second shown),
    q2 A (m1 first), q2 A (m2 first), q3 both_unsafe -> decisive 4, first-shown wins 3 -> 0.75.
    Swap consistency: q1 consistent, q2 not -> 1/2.
    The human votes are the crowd's, each at its own time: two crowd votes alike in every column
    would be one vote repeated (counted once, see test_identical_rows_count_once).
    """
    times = iter(range(1_760_000_000, 1_760_000_100))

    def human(a: str, b: str, v: str, q: str) -> ArenaVote:
        return ArenaVote.of(a, b, v, source=H, rater="crowd", question_id=q, tstamp=float(next(times)))

    def judge(a: str, b: str, v: str, q: str, name: str = "J") -> ArenaVote:
        return ArenaVote.of(a, b, v, source=J, rater=name, question_id=q, shown_first=Side.A)

    return [
        judge("m1", "m2", "A", "q1"),
        judge("m2", "m1", "B", "q1"),
        human("m1", "m2", "A", "q1"),
        human("m2", "m1", "B", "q1"),
        human("m1", "m2", "tie", "q1"),
        judge("m1", "m2", "A", "q2"),
        judge("m2", "m1", "A", "q2"),
        human("m1", "m2", "B", "q2"),
        human("m1", "m2", "B", "q2"),
        judge("m1", "m2", "both_unsafe", "q3"),
        human("m1", "m2", "tie", "q3"),
        human("m1", "m2", "A", "q3"),
        human("m1", "m2", "A", "q4"),
        # judge K: no shown order, one verdict per battle -> neither optional figure
        ArenaVote.of("m1", "m2", "A", source=J, rater="K", question_id="q1"),
        ArenaVote.of("m1", "m2", "B", source=J, rater="K", question_id="q2"),
    ]


@pytest.mark.parametrize("suffix", ["csv", "jsonl"])
def test_json_report(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"votes.{suffix}"
    write_interchange(votes_with_order(), path)
    result = run(str(path), "--json", "--bootstrap", "200", data_dir=tmp_path)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["n_human_votes"] == 8 and report["n_judge_votes"] == 7
    judges = {j["judge"]: j for j in report["judges"]}
    assert list(judges) == ["J", "K"]
    j = judges["J"]
    assert j["n_votes"] == 7
    assert j["agreement_with_ties"] == pytest.approx(3 / 7)
    assert j["agreement_without_ties"] == pytest.approx(1.0)
    assert j["cohen_kappa"] == pytest.approx(1 / 8)
    assert j["first_shown_win_rate"] == pytest.approx(0.75)
    assert j["swap_consistency"] == pytest.approx(0.5)
    lower, upper = j["intervals"]["agreement_with_ties"]
    assert lower <= j["agreement_with_ties"] <= upper
    k = judges["K"]
    # K: q1 humans A, A, tie vs A -> 2 agree; q2 humans B, B vs B -> 2 agree -> 4/5
    assert k["n_votes"] == 5 and k["agreement_with_ties"] == pytest.approx(4 / 5)
    assert "first_shown_win_rate" not in k and "swap_consistency" not in k
    assert not (tmp_path / "arena.db").exists()  # no database was touched


def test_text_report(tmp_path: Path) -> None:
    path = tmp_path / "votes.csv"
    write_interchange(votes_with_order(), path)
    result = run(str(path), "--bootstrap", "50", data_dir=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "judge J: 7 human votes on 3 battles" in result.stdout
    assert "agreement with ties      0.429" in result.stdout


def test_bad_file_names_line_and_field(tmp_path: Path) -> None:
    path = tmp_path / "votes.csv"
    path.write_text("model_a,model_b,winner,source,shown_first\nm1,m2,model_a,human,left\n", encoding="utf-8")
    result = run(str(path), "--json", data_dir=tmp_path)
    assert result.returncode == 2
    assert "line 2" in result.stderr and "'shown_first'" in result.stderr
    assert result.stdout == ""


def test_votes_without_source_are_reported(tmp_path: Path) -> None:
    path = tmp_path / "votes.csv"
    write_interchange([*votes_with_order(), ArenaVote.of("m1", "m2", "A", question_id="q1")], path)
    result = run(str(path), "--json", "--bootstrap", "20", data_dir=tmp_path)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["n_without_source"] == 1
    assert "1 votes have no source" in result.stderr


def three_annotators() -> list[ArenaVote]:
    """Three people on four battles (m1 vs m2); everyone saw the same order on a battle.

        battle  shown first  lefty  r2   r3
        q1      A            A      A    A
        q2      B            B      A    A
        q3      A            A      B    tie
        q4      B            B      B    B

    Pairs of people per battle (MT-Bench): q1 3 of 3 agree, q2 1 of 3, q3 0 of 3, q4 3 of 3 ->
    with ties 7/12; without ties q3 keeps only (A, B): 3/3 + 1/3 + 0/1 + 3/3 -> 7/10.
    First-shown share of decisive votes: lefty 4/4 = 1 (the interval is [1, 1]: singled out),
    r2 (first, second, second, first) 2/4, r3 (first, second, -, first) 2/3.
    """
    table = {
        "q1": (Side.A, "A", "A", "A"),
        "q2": (Side.B, "B", "A", "A"),
        "q3": (Side.A, "A", "B", "tie"),
        "q4": (Side.B, "B", "B", "B"),
    }
    return [
        ArenaVote.of("m1", "m2", verdict, source=H, rater=rater, question_id=q, shown_first=shown)
        for q, (shown, *verdicts) in table.items()
        for rater, verdict in zip(("lefty", "r2", "r3"), verdicts, strict=True)
    ]


def test_human_agreement_and_position_bias_per_annotator(tmp_path: Path) -> None:
    path = tmp_path / "votes.csv"
    write_interchange(three_annotators(), path)
    result = run(str(path), "--json", "--bootstrap", "300", data_dir=tmp_path)
    assert result.returncode == 0, result.stderr
    annotators = json.loads(result.stdout)["annotators"]
    assert annotators["categories"] == ["A", "B", "tie"]
    agreement = annotators["human_agreement"]
    assert agreement["n_pairs"] == 12 and agreement["with_ties"] == pytest.approx(7 / 12)
    assert agreement["n_pairs_without_ties"] == 10 and agreement["without_ties"] == pytest.approx(7 / 10)
    lower, upper = agreement["with_ties_interval"]
    assert lower <= 7 / 12 <= upper
    bias = {b["rater"]: b for b in annotators["position_bias"]}
    assert list(bias) == ["lefty", "r2", "r3"]
    assert bias["lefty"]["first_shown_win_rate"] == 1.0 and bias["lefty"]["first_shown_interval"] == [
        1.0,
        1.0,
    ]
    assert bias["lefty"]["position_biased"] is True
    assert bias["r2"]["first_shown_win_rate"] == pytest.approx(0.5) and not bias["r2"]["position_biased"]
    assert (
        bias["r3"]["first_shown_win_rate"] == pytest.approx(2 / 3) and bias["r3"]["n_decisive_ordered"] == 3
    )
    assert not bias["r3"]["position_biased"]

    text = run(str(path), "--bootstrap", "50", data_dir=tmp_path)
    assert text.returncode == 0, text.stderr
    assert "human-human agreement (MT-Bench)  with ties 0.583" in text.stdout
    lefty = next(line for line in text.stdout.splitlines() if line.strip().startswith("lefty"))
    assert "1.000 [1.000, 1.000]" in lefty and "favours one side" in lefty
    assert "favours one side" not in next(
        line for line in text.stdout.splitlines() if line.strip().startswith("r2")
    )


# -- bounded input: size, nesting bombs, identical rows (issue 14) ---------------------------------


def test_size_limit_and_nesting_bomb_are_messages(tmp_path: Path) -> None:
    path = tmp_path / "votes.csv"
    write_interchange(votes_with_order(), path)
    big = run(str(path), "--max-bytes", "100", data_dir=tmp_path)
    assert big.returncode == 2 and "over the limit of 100 bytes (--max-bytes to raise it)" in big.stderr
    bomb = tmp_path / "bomb.json"
    bomb.write_text("[" * 100_000, encoding="utf-8")
    result = run(str(bomb), data_dir=tmp_path)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert f"{bomb}, line 1: nested too deeply" in result.stderr


def test_identical_rows_count_once(tmp_path: Path) -> None:
    votes = votes_with_order()
    path = tmp_path / "votes.jsonl"
    write_interchange([*votes, votes[2], votes[2]], path)  # the first crowd vote twice more
    result = run(str(path), "--json", "--bootstrap", "50", data_dir=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "2 duplicate rows (lines 16, 17) counted once; --keep-duplicates to keep them" in result.stderr
    assert json.loads(result.stdout)["n_human_votes"] == 8
    kept = run(str(path), "--json", "--bootstrap", "50", "--keep-duplicates", data_dir=tmp_path)
    assert json.loads(kept.stdout)["n_human_votes"] == 10

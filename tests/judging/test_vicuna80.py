"""Real data: the five Vicuna80 judges against the crowd votes, checked by an independent plain count.

The library path is ``bench.judge_agreement.convert_vicuna80`` -> ``judging.calibration``. The check
below reads the raw files itself, names the judged models by the answers' ids in
``generations/`` (not by file names), and counts with dicts and integers only.
"""

from __future__ import annotations

import json
from collections import defaultdict
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from bench.judge_agreement import JUDGES, answer_lengths, convert_vicuna80
from judging.calibration import Bootstrap, calibration_report
from pipeline.startup.settings import PROJECT_ROOT

DATA = PROJECT_ROOT.parent / "shared" / "data" / "prd_vicuna80_lfqa" / "vicuna80"

pytestmark = pytest.mark.skipif(not DATA.is_dir(), reason=f"real data not present at {DATA}")


def rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def plain_counts() -> dict[str, dict[str, object]]:
    """Per judge: agreement with/without ties, first-shown win rate and swap consistency, by hand."""
    # which model wrote each answer: the generations file it is in (answer_<model>.jsonl)
    model_of_answer = {}
    for path in (DATA / "generations").glob("answer_*.jsonl"):
        for row in rows(path):
            model_of_answer[row["answer_id"]] = path.name[len("answer_") : -len(".jsonl")]

    # humans: file answer_X-vs-answer_Y-human-reviewer_threeclass.jsonl, score 1 = X, 2 = Y, 3 = tie
    human_votes = []  # (question, X, Y, winner or "tie")
    for path in (DATA / "ratings-human").iterdir():
        x, y = path.name[len("answer_") : -len("-human-reviewer_threeclass.jsonl")].split("-vs-answer_")
        for row in rows(path):
            winner = {1: x, 2: y, 3: "tie"}[row["score"]]
            human_votes.append((row["question_id"], x, y, winner))
    assert len(human_votes) == 7040

    results: dict[str, dict[str, object]] = {}
    for judge in JUDGES:
        verdicts = defaultdict(list)  # (question, {models}) -> winners
        first_wins = decisive_ordered = 0
        for path in (DATA / f"ratings-{judge}").iterdir():
            if not path.name.startswith("answer_"):
                continue  # the second GPT-3.5 run in files named answer-... (see the bench's docstring)
            for row in rows(path):
                first = model_of_answer[row["answer1_id"]]
                second = model_of_answer[row["answer2_id"]]
                winner = {1: first, 2: second, 3: "tie"}[row["score"]]
                verdicts[(row["question_id"], frozenset((first, second)))].append(winner)
                if winner != "tie":
                    decisive_ordered += 1
                    first_wins += winner == first
        both_orders = len(verdicts)  # every judged battle was seen in both orders
        consistent = sum(len(set(w)) == 1 for w in verdicts.values())
        agree = n = agree_decisive = n_decisive = 0
        for question, x, y, human in human_votes:
            said = verdicts.get((question, frozenset((x, y))))
            if said is None:
                continue
            judge_winner = said[0] if len(set(said)) == 1 else "tie"
            n += 1
            agree += judge_winner == human
            if judge_winner != "tie" and human != "tie":
                n_decisive += 1
                agree_decisive += judge_winner == human
        results[judge] = {
            "n": n,
            "with_ties": Fraction(agree, n),
            "n_without_ties": n_decisive,
            "without_ties": Fraction(agree_decisive, n_decisive),
            "first_shown": Fraction(first_wins, decisive_ordered),
            "swap": Fraction(consistent, both_orders),
        }
    return results


@pytest.fixture(scope="module")
def report():
    votes = convert_vicuna80(DATA)
    boot = Bootstrap(np.random.default_rng(0), rounds=100)
    return calibration_report(
        votes, boot=boot, lengths=answer_lengths(DATA), judge_models={j: j for j in JUDGES}
    )


def test_conversion_counts(report) -> None:
    assert report.n_human_votes == 7040
    assert report.n_judge_votes == 5 * 20 * 80  # five judges, 20 ordered pairs, 80 questions
    assert [j.judge for j in report.judges] == sorted(JUDGES)


def test_agreement_matches_an_independent_count(report) -> None:
    expected = plain_counts()
    for judge in report.judges:
        want = expected[judge.judge]
        a, b = judge.agreement, judge.bias
        assert a.n_votes == want["n"] == 1760
        assert a.n_votes_without_ties == want["n_without_ties"]
        assert a.agreement_with_ties is not None and a.agreement_without_ties is not None
        assert a.agreement_with_ties.value == pytest.approx(float(want["with_ties"]), abs=1e-12)
        assert a.agreement_without_ties.value == pytest.approx(float(want["without_ties"]), abs=1e-12)
        assert b.first_shown_win_rate is not None and b.swap_consistency is not None
        assert b.first_shown_win_rate.value == pytest.approx(float(want["first_shown"]), abs=1e-12)
        assert b.swap_consistency.value == pytest.approx(float(want["swap"]), abs=1e-12)
        assert a.agreement_with_ties.lower <= a.agreement_with_ties.value <= a.agreement_with_ties.upper


def test_published_shape_of_the_results(report) -> None:
    # GPT-4 agrees best with the crowd once ties are counted; Bard is the most position-biased judge
    by_judge = {j.judge: j for j in report.judges}
    best = max(by_judge.values(), key=lambda j: j.agreement.agreement_with_ties.value)
    assert best.judge == "gpt4"
    worst_position = max(by_judge.values(), key=lambda j: abs(j.bias.first_shown_win_rate.value - 0.5))
    assert worst_position.judge == "bard"

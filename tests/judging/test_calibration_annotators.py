"""Annotator reliability on votes: alpha, Fleiss' kappa, human-human agreement (MT-Bench), agreement
with consensus and with gold; hand-worked examples and real crowd votes."""

from __future__ import annotations

import json
from collections import defaultdict

import krippendorff
import numpy as np
import pytest

from bench.judge_agreement import convert_vicuna80
from judging.calibration import BattleKey, Bootstrap, annotator_report, gold_from_votes
from judging.interchange import ArenaVote
from judging.types import Source, Verdict
from pipeline.startup.settings import PROJECT_ROOT


def vote(rater: str, verdict: str, q: str, source: Source = Source.HUMAN, swap: bool = False) -> ArenaVote:
    if swap:  # the same judgement written with the models the other way round
        return ArenaVote.of(
            "m2", "m1", Verdict.parse(verdict).swapped(), source=source, rater=rater, question_id=q
        )
    return ArenaVote.of("m1", "m2", verdict, source=source, rater=rater, question_id=q)


# Units (battles) and the verdicts of r1, r2, r3 (A = m1):
#   u1: A A A    u2: A B -    u3: B B -    u4: A B tie    u5: tie - -
# alpha (nominal) = 13/58 and Fleiss' kappa = 4/29, as worked in test_calibration_agreement.
VOTES = [
    vote("r1", "A", "u1"),
    vote("r2", "A", "u1", swap=True),
    vote("r3", "A", "u1"),
    vote("r1", "A", "u2"),
    vote("r2", "B", "u2"),
    vote("r1", "B", "u3"),
    vote("r2", "B", "u3", swap=True),
    vote("r1", "A", "u4"),
    vote("r2", "B", "u4"),
    vote("r3", "tie", "u4"),
    vote("r1", "tie", "u5"),
    vote("expert", "B", "u2", source=Source.EXPERT),
    ArenaVote.of("m1", "m2", "A", source=Source.JUDGE, rater="judge", question_id="u1"),  # not an annotator
]


def boot() -> Bootstrap:
    return Bootstrap(np.random.default_rng(3), rounds=200)


def test_alpha_and_fleiss_by_hand() -> None:
    report = annotator_report(VOTES, boot=boot())
    assert report.n_votes == 11 and report.n_battles == 4
    assert report.krippendorff_alpha is not None
    assert report.krippendorff_alpha.value == pytest.approx(13 / 58)
    assert report.fleiss_kappa is not None
    assert report.fleiss_kappa.value == pytest.approx(4 / 29)
    # the same units through the krippendorff package (raters x units, A=0, B=1, tie=2)
    data = [[0, 0, 1, 0, 2], [0, 1, 1, 1, np.nan], [0, np.nan, np.nan, 2, np.nan]]
    reference = krippendorff.alpha(reliability_data=data, level_of_measurement="nominal")
    assert report.krippendorff_alpha.value == pytest.approx(reference)


def test_each_annotator_against_the_others_and_gold() -> None:
    gold = gold_from_votes(VOTES)
    assert gold == {BattleKey("u2", None, "m1", "m2"): Verdict.B}
    report = annotator_report(VOTES, boot=boot(), gold=gold)
    by_rater = {a.rater: a for a in report.annotators}
    assert list(by_rater) == ["r1", "r2", "r3"]
    # r1: u1 others (A, A) -> A agree; u2 others (B) -> disagree; u3 others (B) -> agree;
    #     u4 others (B, tie) -> no plurality; u5 no others   -> 2/3
    r1 = by_rater["r1"]
    assert r1.n_votes == 5 and r1.n_with_consensus == 3
    assert r1.with_consensus is not None and r1.with_consensus.value == pytest.approx(2 / 3)
    # r2: u1 agree, u2 (others A) disagree, u3 agree, u4 (A, tie) none -> 2/3
    assert by_rater["r2"].with_consensus is not None
    assert by_rater["r2"].with_consensus.value == pytest.approx(2 / 3)
    # r3: u1 others (A, A) agree; u4 others (A, B) none -> 1/1
    assert by_rater["r3"].with_consensus is not None and by_rater["r3"].with_consensus.value == 1.0
    # gold on u2 is B: r1 said A, r2 said B, r3 did not vote there
    assert r1.with_gold is not None and r1.with_gold.value == 0.0 and r1.n_with_gold == 1
    assert by_rater["r2"].with_gold is not None and by_rater["r2"].with_gold.value == 1.0
    assert by_rater["r3"].with_gold is None and by_rater["r3"].n_with_gold == 0


def test_perfect_agreement_gives_one() -> None:
    votes = [vote(r, v, q) for q, v in (("a", "A"), ("b", "B"), ("c", "tie")) for r in ("r1", "r2", "r3")]
    report = annotator_report(votes, boot=boot())
    assert report.krippendorff_alpha is not None and report.krippendorff_alpha.value == pytest.approx(1.0)
    assert report.fleiss_kappa is not None and report.fleiss_kappa.value == pytest.approx(1.0)


def test_no_pairable_units_gives_no_figures() -> None:
    report = annotator_report([vote("r1", "A", "q1"), vote("r2", "B", "q2")], boot=boot())
    assert report.n_battles == 0
    assert report.krippendorff_alpha is None and report.fleiss_kappa is None


# -- one category convention: A, B, tie (both_unsafe is a tie) ----------------------------------


def test_both_unsafe_is_a_tie_in_every_agreement_figure() -> None:
    # u1: tie, both_unsafe (one class: agree)   u2: A, A   u3: B, both_unsafe
    # three classes, pairable values 6: n_A = 2, n_B = 1, n_tie = 3; coincidences on the diagonal
    # u1: 2 (tie-tie twice), u2: 2 (A-A twice), u3: 0  -> sum o_cc = 4
    # alpha = 1 - (n - 1)(n - sum o_cc) / (n^2 - sum n_c^2) = 1 - 5 * 2 / (36 - 14) = 6/11
    # the four-verdict variant: n_A = 2, n_B = 1, n_tie = 1, n_unsafe = 2, diagonal only u2 (2)
    #   alpha = 1 - 5 * 4 / (36 - 10) = 3/13
    votes = [
        vote("r1", "tie", "u1"),
        vote("r2", "both_unsafe", "u1"),
        vote("r1", "A", "u2"),
        vote("r2", "A", "u2"),
        vote("r1", "B", "u3"),
        vote("r2", "both_unsafe", "u3"),
    ]
    report = annotator_report(
        votes, boot=boot(), gold={BattleKey("u1", None, "m1", "m2"): Verdict.BOTH_UNSAFE}
    )
    assert report.categories == (Verdict.A, Verdict.B, Verdict.TIE)
    assert report.krippendorff_alpha is not None and report.krippendorff_alpha.value == pytest.approx(6 / 11)
    assert report.krippendorff_alpha_verdicts is not None
    assert report.krippendorff_alpha_verdicts.value == pytest.approx(3 / 13)
    # r1's tie on a both_unsafe gold item agrees with it; so does r2's both_unsafe
    by_rater = {a.rater: a for a in report.annotators}
    assert by_rater["r1"].with_gold is not None and by_rater["r1"].with_gold.value == 1.0
    assert by_rater["r2"].with_gold is not None and by_rater["r2"].with_gold.value == 1.0
    # and with the other annotator: r1 agrees on u1 and u2, not on u3
    assert by_rater["r1"].with_consensus is not None
    assert by_rater["r1"].with_consensus.value == pytest.approx(2 / 3)


# -- human-human agreement, MT-Bench definition ---------------------------------------------------


def test_human_human_agreement_by_hand() -> None:
    # the VOTES above, pairs of votes by two people on one battle (MT-Bench, FastChat's count):
    #   u1 A A A:   3 pairs, 3 agree; none with a tie
    #   u2 A B:     1 pair,  0 agree; 1 without a tie, 0 agree
    #   u3 B B:     1 pair,  1 agree; 1 without a tie, 1 agree
    #   u4 A B tie: 3 pairs, 0 agree; only (A, B) has no tie: 1, 0 agree
    #   u5 tie:     no pair
    # with ties 4/8 = 0.5; without ties (3 + 0 + 1 + 0) / (3 + 1 + 1 + 1) = 4/6
    report = annotator_report(VOTES, boot=boot())
    assert report.n_pairs == 8 and report.n_pairs_without_ties == 6
    assert report.agreement_with_ties is not None and report.agreement_with_ties.value == pytest.approx(0.5)
    assert report.agreement_without_ties is not None
    assert report.agreement_without_ties.value == pytest.approx(4 / 6)
    assert report.agreement_with_ties.lower <= 0.5 <= report.agreement_with_ties.upper


def test_two_votes_of_one_person_are_not_a_pair() -> None:
    # a file may hold a person's two votes on one battle; MT-Bench pairs two *people*
    votes = [vote("r1", "A", "q"), vote("r1", "B", "q"), vote("r2", "A", "q")]
    report = annotator_report(votes, boot=boot())
    assert report.n_pairs == 2  # (r1 A, r2 A) agree, (r1 B, r2 A) disagree
    assert report.agreement_with_ties is not None and report.agreement_with_ties.value == pytest.approx(0.5)


def _fastchat_pairs(battles: dict[object, list[str]], ban: set[str]) -> tuple[int, int]:
    """FastChat's ``get_mt_bench_agreement`` for human vs human, rewritten: every unordered pair of
    votes on a battle, skipping pairs where either vote is banned ('tie' covers both tie kinds)."""
    agree = total = 0
    for winners in battles.values():
        for i in range(len(winners) - 1):
            for j in range(i + 1, len(winners)):
                x, y = winners[i], winners[j]
                if ("tie" if "tie" in x else x) in ban or ("tie" if "tie" in y else y) in ban:
                    continue
                total += 1
                agree += ("tie" in x and "tie" in y) or x == y
    return agree, total


VICUNA80 = PROJECT_ROOT.parent / "shared" / "data" / "prd_vicuna80_lfqa" / "vicuna80"


@pytest.mark.skipif(not VICUNA80.is_dir(), reason=f"real data not present at {VICUNA80}")
def test_human_human_agreement_on_the_vicuna80_crowd_votes() -> None:
    """Real data: 7,040 crowd votes (anonymous, so every vote is a person) counted straight from
    the files against the library's figures on the converted votes."""
    battles: dict[object, list[str]] = defaultdict(list)
    for path in (VICUNA80 / "ratings-human").iterdir():
        x, y = path.name[len("answer_") : -len("-human-reviewer_threeclass.jsonl")].split("-vs-answer_")
        low, high = sorted((x, y))
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                winner = {1: x, 2: y, 3: "tie"}[row["score"]]
                battles[(str(row["question_id"]), low, high)].append(winner)
    with_ties = _fastchat_pairs(battles, set())
    without_ties = _fastchat_pairs(battles, {"tie"})
    report = annotator_report(convert_vicuna80(VICUNA80), boot=boot())
    assert report.n_pairs == with_ties[1] > 1000
    assert report.n_pairs_without_ties == without_ties[1]
    assert report.agreement_with_ties is not None and report.agreement_without_ties is not None
    assert report.agreement_with_ties.value == pytest.approx(with_ties[0] / with_ties[1], abs=1e-12)
    assert report.agreement_without_ties.value == pytest.approx(without_ties[0] / without_ties[1], abs=1e-12)


MT_BENCH = PROJECT_ROOT.parent / "shared" / "data" / "mt_bench_human_judgments"


def _mt_bench_rows() -> list[dict]:
    rows: list[dict] = []
    for path in sorted(MT_BENCH.glob("*.json*")):
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".jsonl":
            rows += [json.loads(line) for line in text.splitlines() if line.strip()]
        else:
            loaded = json.loads(text)
            rows += loaded if isinstance(loaded, list) else [loaded]
    return rows


@pytest.mark.skipif(
    not MT_BENCH.is_dir(),
    reason=f"MT-Bench human judgments not present at {MT_BENCH} (not in ../shared/data/README.md)",
)
def test_human_human_agreement_on_mt_bench() -> None:
    """The MT-Bench human judgments (lmsys/mt_bench_human_judgments, split ``human``): expert votes
    on the first turn. The library must give FastChat's counts exactly, and those are the paper's
    Table 2 figures for human vs human (first turn): 63% with ties, 81% without."""
    verdict = {"model_a": "A", "model_b": "B", "tie": "tie", "tie (bothbad)": "both_unsafe"}
    votes, battles = [], defaultdict(list)
    for row in _mt_bench_rows():
        if row["turn"] != 1 or not str(row["judge"]).startswith("expert"):
            continue  # FastChat counts the third-party experts as "human", not the authors
        a, b, winner = row["model_a"], row["model_b"], row["winner"]
        votes.append(
            ArenaVote.of(
                a,
                b,
                verdict[winner],
                source=Source.HUMAN,
                rater=row["judge"],
                question_id=str(row["question_id"]),
                turn=1,
            )
        )
        low, high = sorted((a, b))
        flipped = {"model_a": "model_b", "model_b": "model_a"}.get(winner, winner) if a > b else winner
        battles[(row["question_id"], low, high)].append(flipped)
    report = annotator_report(votes, boot=boot())
    with_ties, without_ties = _fastchat_pairs(battles, set()), _fastchat_pairs(battles, {"tie"})
    assert (report.n_pairs, report.n_pairs_without_ties) == (with_ties[1], without_ties[1])
    assert report.agreement_with_ties is not None and report.agreement_without_ties is not None
    assert report.agreement_with_ties.value == pytest.approx(with_ties[0] / with_ties[1], abs=1e-12)
    assert report.agreement_with_ties.value == pytest.approx(0.63, abs=0.01)
    assert report.agreement_without_ties.value == pytest.approx(0.81, abs=0.01)

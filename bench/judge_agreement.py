"""Real-data check: five LLM judges against 7,040 crowd votes on the Vicuna80 questions (PRD data).

    .venv/bin/python bench/judge_agreement.py [--data ../shared/data/prd_vicuna80_lfqa/vicuna80] [--out votes.csv]

Converts the data to the votes interchange format and prints every judge's agreement with the
humans, its biases (first-shown win rate, swap consistency, longer-answer win rate,
self-preference) and the human figures, with bootstrap 95% intervals over battles. Ends with the
summary table (measure | ours | peer | ratio | target): its headline is the whole run a user
starts on the converted file, ``cli.py calibrate FILE`` as a process, then each judge's agreement.
There is no peer implementation to run; the peer column stays empty.

How the files map onto votes:
- ``ratings-human/answer_X-vs-answer_Y-human-reviewer_threeclass.jsonl``: one crowd vote per line,
  ``score`` 1 = X better, 2 = Y better, 3 = tie; ``model_a = X`` and ``shown_first = a`` (the
  questions of a pair are split between the two file orders, which we take as the shown order).
  The raters are anonymous, so ``rater`` is empty. Human files also cover the Guanaco models,
  which no judge rated; those votes are converted but pair with no judge.
- ``ratings-<judge>/answer_X-vs-answer_Y-<judge>-reviewer_threeclass.jsonl`` (some folders spell
  the ending ``-reviewer-threeclass`` or ``-reviewer``): the judge saw X as "Assistant 1"; same
  score coding; ``source = judge``, ``rater = <judge>``. Every judge rated the
  20 ordered pairs of the 5 judged models on all 80 questions (both shown orders).
- ``ratings-gpt35`` also holds two files named ``answer-...`` (``answer-gpt35-vs-answer-gpt4-...``): a
  second GPT-3.5 run on two ordered pairs already covered by the regular files, with different
  review ids and verdicts. They are left out so that every judge has one verdict per order.
- Answer lengths (characters) come from ``generations/answer_<model>.jsonl``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script (make bench) or -m

from bench.ratings import Row, print_summary
from judging.calibration import Bootstrap, Estimate, calibration_report
from judging.interchange import ArenaVote, write_interchange
from judging.types import Side, Source, Verdict

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "prd_vicuna80_lfqa" / "vicuna80"
JUDGES = ("bard", "claude", "gpt35", "gpt4", "vicuna-13b")
RELEASE = "vicuna80"
_SCORE = {1: Verdict.A, 2: Verdict.B, 3: Verdict.TIE}
_ENDINGS = ("_threeclass", "-threeclass", "")


def _lines(path: Path) -> Iterator[tuple[int, dict[str, object]]]:
    with path.open(encoding="utf-8") as handle:
        for number, text in enumerate(handle, start=1):
            if text.strip():
                yield number, json.loads(text)


def _pair_of(path: Path, reviewer: str) -> tuple[str, str]:
    """``answer_X-vs-answer_Y-<reviewer>-reviewer[_threeclass].jsonl`` -> ``(X, Y)``.

    The folders spell the ending three ways (``-reviewer_threeclass``, ``-reviewer-threeclass``,
    ``-reviewer``); anything else is refused rather than guessed.
    """
    name = path.name
    stem = name.removeprefix("answer_").removesuffix(".jsonl")
    marker = f"-{reviewer}-reviewer"
    cut = stem.rfind(marker)
    ending = stem[cut + len(marker) :] if cut >= 0 else None
    if not name.startswith("answer_") or ending not in _ENDINGS or stem[:cut].count("-vs-answer_") != 1:
        raise ValueError(f"vicuna80: unexpected file name {name!r}")
    first, second = stem[:cut].split("-vs-answer_")
    return first, second


def _votes_of_file(path: Path, source: Source, rater: str | None) -> Iterator[ArenaVote]:
    model_a, model_b = _pair_of(path, rater or "human")
    for number, row in _lines(path):
        score = row.get("score")
        if score not in _SCORE:
            raise ValueError(f"vicuna80: {path.name}, line {number}, field 'score': unknown value {score!r}")
        yield ArenaVote.of(
            model_a,
            model_b,
            _SCORE[score],  # type: ignore[index]
            source=source,
            rater=rater,
            shown_first=Side.A,
            release=RELEASE,
            question_id=str(row["question_id"]),
            turn=1,
        )


def convert_vicuna80(data: Path) -> tuple[ArenaVote, ...]:
    """All human votes, then every judge's verdicts, as interchange votes."""
    votes: list[ArenaVote] = []
    for path in sorted((data / "ratings-human").glob("answer_*.jsonl")):
        votes.extend(_votes_of_file(path, Source.HUMAN, None))
    for judge in JUDGES:
        # ``answer_`` names only: see the module docstring about the GPT-3.5 rerun (``answer-``)
        for path in sorted((data / f"ratings-{judge}").glob("answer_*.jsonl")):
            votes.extend(_votes_of_file(path, Source.JUDGE, judge))
    return tuple(votes)


def answer_lengths(data: Path) -> dict[tuple[str, str], float]:
    """Answer length in characters by ``(question_id, model)``."""
    lengths: dict[tuple[str, str], float] = {}
    for path in sorted((data / "generations").glob("answer_*.jsonl")):
        model = path.stem.removeprefix("answer_")
        for _, row in _lines(path):
            lengths[(str(row["question_id"]), model)] = float(len(str(row["text"])))
    return lengths


def _cell(estimate: Estimate | None) -> str:
    if estimate is None:
        return f"{'—':>22}"
    return f"{estimate.value:6.3f} [{estimate.lower:.3f},{estimate.upper:.3f}]"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the vicuna80 folder")
    parser.add_argument("--out", type=Path, help="also write the converted votes (.csv or .jsonl)")
    parser.add_argument("--bootstrap", type=int, default=1000, help="bootstrap rounds")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    if not args.data.is_dir():
        print(f"error: no vicuna80 data at {args.data}", file=sys.stderr)
        return 2
    votes = convert_vicuna80(args.data)
    if args.out is not None:
        write_interchange(votes, args.out)
        print(f"wrote {len(votes)} votes to {args.out}")
    with tempfile.TemporaryDirectory() as tmp:
        converted = Path(tmp) / "vicuna80.csv"
        write_interchange(votes, converted)
        start = time.perf_counter()
        run = [sys.executable, "cli.py", "calibrate", str(converted), "--bootstrap", str(args.bootstrap)]
        subprocess.run(run, cwd=ROOT, check=True, capture_output=True)
        t_cli = time.perf_counter() - start
    boot = Bootstrap(np.random.default_rng(args.seed), rounds=args.bootstrap)
    report = calibration_report(
        votes, boot=boot, lengths=answer_lengths(args.data), judge_models={j: j for j in JUDGES}
    )
    print(
        f"{report.n_human_votes} human votes, {report.n_judge_votes} judge verdicts; "
        f"95% bootstrap intervals over battles ({args.bootstrap} rounds)\n"
    )
    header: tuple[str, ...] = ("judge", "n", "agree (ties)", "agree (no ties)", "Cohen kappa", "vs majority")
    print(f"{header[0]:<11}{header[1]:>6}  " + "  ".join(f"{h:<22}" for h in header[2:]))
    for judge in report.judges:
        a = judge.agreement
        cells = (
            a.agreement_with_ties,
            a.agreement_without_ties,
            a.cohen_kappa,
            a.majority_agreement_with_ties,
        )
        print(f"{judge.judge:<11}{a.n_votes:>6}  " + "  ".join(_cell(c) for c in cells))
    print()
    header = ("rater", "first-shown wins", "swap consistency", "longer wins", "self-pref. excess")
    print(f"{header[0]:<11}" + "  ".join(f"{h:<22}" for h in header[1:]))
    for bias in (*(j.bias for j in report.judges), report.human_bias):
        excess = None if bias.self_preference is None else bias.self_preference.excess
        cells = (bias.first_shown_win_rate, bias.swap_consistency, bias.longer_answer_win_rate, excess)
        print(f"{bias.rater:<11}" + "  ".join(_cell(c) for c in cells))
    annotators = report.annotators
    print(
        f"\nhuman annotators ({annotators.n_battles} battles with 2+ votes): "
        f"Krippendorff's alpha {_cell(annotators.krippendorff_alpha).strip()}, "
        f"Fleiss' kappa {_cell(annotators.fleiss_kappa).strip()}"
    )
    rows = [
        Row(
            f"cli.py calibrate, {len(votes):,} votes, bootstrap {args.bootstrap}, process (s)",
            f"{t_cli:.2f}",
            "-",
            "-",
            "-",
        )
    ]
    for judge in report.judges:
        agreement = judge.agreement.agreement_without_ties
        value = "-" if agreement is None else f"{agreement.value:.3f}"
        rows.append(Row(f"  {judge.judge}: agreement with humans (no ties)", value, "-", "-", "-"))
    print_summary(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""``cli.py calibrate VOTES_FILE [--json]``: the calibration report of a votes file, no database.

Humans (``source=human``) are the reference; every ``rater`` with ``source=judge`` is a judge.
Every agreement figure compares the three preference classes A, B and tie (both_unsafe is a tie);
Krippendorff's alpha on the four verdicts is printed beside it as a labelled variant.

The file may be CSV, JSONL or a JSON list (the Arena-format export reads back: ``judge`` is the
rater). Identical rows count once, with a note, unless ``--keep-duplicates`` (as ``import-votes``
and ``ratings``); a file larger than ``--max-bytes`` is refused before it is read.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import typer

from commands import max_bytes_option
from judging.calibration import (
    Bootstrap,
    CalibrationReport,
    Estimate,
    JudgeReport,
    RaterBias,
    calibration_report,
)
from judging.interchange import votes_of_table
from judging.votes_file import DEFAULT_MAX_BYTES, VotesFileError, read_vote_table, without_duplicates

__all__ = ["register"]


def _value(estimate: Estimate | None) -> float | None:
    return None if estimate is None else estimate.value


def _judge_json(report: JudgeReport) -> dict[str, object]:
    agreement, bias = report.agreement, report.bias
    figures: dict[str, Estimate | None] = {
        "agreement_with_ties": agreement.agreement_with_ties,
        "agreement_without_ties": agreement.agreement_without_ties,
        "cohen_kappa": agreement.cohen_kappa,
        "majority_agreement_with_ties": agreement.majority_agreement_with_ties,
        "majority_agreement_without_ties": agreement.majority_agreement_without_ties,
    }
    # present only when the file tells the shown order / has both orders of a battle
    optional = {"first_shown_win_rate": bias.first_shown_win_rate, "swap_consistency": bias.swap_consistency}
    out: dict[str, object] = {
        "judge": report.judge,
        "n_votes": agreement.n_votes,
        "n_votes_without_ties": agreement.n_votes_without_ties,
        "n_battles": agreement.n_battles,
        "n_verdicts": bias.n_verdicts,
    }
    out.update({name: _value(estimate) for name, estimate in figures.items()})
    out.update({name: estimate.value for name, estimate in optional.items() if estimate is not None})
    out["intervals"] = {
        name: [estimate.lower, estimate.upper]
        for name, estimate in {**figures, **optional}.items()
        if estimate is not None
    }
    return out


def _interval(estimate: Estimate | None) -> list[float] | None:
    return None if estimate is None else [estimate.lower, estimate.upper]


def _annotator_bias_json(bias: RaterBias) -> dict[str, object]:
    rate = bias.first_shown_win_rate
    return {
        "rater": bias.rater,
        "n_votes": bias.n_verdicts,
        "n_decisive_ordered": 0 if rate is None else rate.n,
        "first_shown_win_rate": _value(rate),
        "first_shown_interval": _interval(rate),
        "position_biased": bias.position_biased,
    }


def _report_json(report: CalibrationReport, boot: Bootstrap, seed: int) -> dict[str, object]:
    humans: dict[str, object] = {"n_votes": report.n_human_votes}
    if report.human_bias.first_shown_win_rate is not None:
        humans["first_shown_win_rate"] = report.human_bias.first_shown_win_rate.value
    annotators = report.annotators
    return {
        "n_votes": report.n_votes,
        "n_human_votes": report.n_human_votes,
        "n_judge_votes": report.n_judge_votes,
        "n_expert_votes": report.n_expert_votes,
        "n_without_source": report.n_without_source,
        "judges": [_judge_json(j) for j in report.judges],
        "humans": humans,
        "annotators": {
            "categories": [c.value for c in annotators.categories],
            "n_battles": annotators.n_battles,
            "krippendorff_alpha": _value(annotators.krippendorff_alpha),
            "fleiss_kappa": _value(annotators.fleiss_kappa),
            "krippendorff_alpha_four_verdicts": _value(annotators.krippendorff_alpha_verdicts),
            "human_agreement": {  # MT-Bench: two people on the same battle
                "n_pairs": annotators.n_pairs,
                "with_ties": _value(annotators.agreement_with_ties),
                "with_ties_interval": _interval(annotators.agreement_with_ties),
                "n_pairs_without_ties": annotators.n_pairs_without_ties,
                "without_ties": _value(annotators.agreement_without_ties),
                "without_ties_interval": _interval(annotators.agreement_without_ties),
            },
            "position_bias": [_annotator_bias_json(b) for b in report.annotator_bias],
        },
        "bootstrap": {"rounds": boot.rounds, "level": boot.level, "seed": seed},
    }


def _cell(estimate: Estimate | None) -> str:
    if estimate is None:
        return "—"
    return f"{estimate.value:.3f} [{estimate.lower:.3f}, {estimate.upper:.3f}]"


def _print_text(report: CalibrationReport) -> None:
    typer.echo(
        f"votes: {report.n_votes} (human {report.n_human_votes}, judge {report.n_judge_votes}, "
        f"expert {report.n_expert_votes}, no source {report.n_without_source})"
    )
    for judge in report.judges:
        a, b = judge.agreement, judge.bias
        typer.echo(f"\njudge {judge.judge}: {a.n_votes} human votes on {a.n_battles} battles")
        typer.echo(f"  agreement with ties      {_cell(a.agreement_with_ties)}")
        typer.echo(
            f"  agreement without ties   {_cell(a.agreement_without_ties)}  (n={a.n_votes_without_ties})"
        )
        typer.echo(f"  Cohen's kappa            {_cell(a.cohen_kappa)}")
        typer.echo(f"  vs human majority        {_cell(a.majority_agreement_with_ties)}")
        typer.echo(f"  first-shown win rate     {_cell(b.first_shown_win_rate)}")
        typer.echo(f"  swap consistency         {_cell(b.swap_consistency)}")
    typer.echo(f"\nhumans: first-shown win rate {_cell(report.human_bias.first_shown_win_rate)}")
    annotators = report.annotators
    typer.echo(
        f"annotators ({annotators.n_battles} battles with 2+ votes; classes A / B / tie, "
        f"both_unsafe a tie): Krippendorff's alpha {_cell(annotators.krippendorff_alpha)}, "
        f"Fleiss' kappa {_cell(annotators.fleiss_kappa)}"
    )
    typer.echo(f"  alpha on the four verdicts (variant) {_cell(annotators.krippendorff_alpha_verdicts)}")
    typer.echo(
        f"  human-human agreement (MT-Bench)  with ties {_cell(annotators.agreement_with_ties)} "
        f"(n={annotators.n_pairs} pairs), without ties {_cell(annotators.agreement_without_ties)} "
        f"(n={annotators.n_pairs_without_ties})"
    )
    if report.annotator_bias:
        typer.echo("  position bias per annotator (share of decisive votes for the first-shown answer):")
        for bias in report.annotator_bias:
            rate = bias.first_shown_win_rate
            flag = "  <- favours one side" if bias.position_biased else ""
            n = 0 if rate is None else rate.n
            typer.echo(f"    {bias.rater:<20} {_cell(rate)}  (n={n}){flag}")


def register(app: typer.Typer) -> None:
    @app.command()
    def calibrate(
        votes_file: Path = typer.Argument(
            ..., help="Votes file: .csv, .jsonl, or .json (a JSON list, e.g. the Arena-format export)."
        ),
        as_json: bool = typer.Option(False, "--json", help="Print JSON."),
        rounds: int = typer.Option(1000, "--bootstrap", min=2, help="Bootstrap rounds for the intervals."),
        seed: int = typer.Option(0, "--seed", help="Seed of the bootstrap resampling."),
        max_bytes: int = max_bytes_option(DEFAULT_MAX_BYTES),
        keep_duplicates: bool = typer.Option(
            False, "--keep-duplicates", help="Count identical rows as separate votes (default: once)."
        ),
    ) -> None:
        """Calibration report of a votes file: each judge against the human votes, judge biases and
        annotator agreement, with bootstrap 95% intervals. Does not touch the database."""
        try:
            table, found = without_duplicates(
                read_vote_table(votes_file, max_bytes=max_bytes), keep=keep_duplicates
            )
            if len(found):
                typer.echo(f"note: {found.note('counted', kept=keep_duplicates)}", err=True)
            votes = votes_of_table(table)
            boot = Bootstrap(np.random.default_rng(seed), rounds=rounds)
            report = calibration_report(votes, boot=boot)
        except (VotesFileError, ValueError) as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(2) from None
        if report.n_without_source:
            typer.echo(
                f"warning: {report.n_without_source} votes have no source (human/judge/expert) and were not used",
                err=True,
            )
        if as_json:
            typer.echo(json.dumps(_report_json(report, boot, seed), ensure_ascii=False))
        else:
            _print_text(report)

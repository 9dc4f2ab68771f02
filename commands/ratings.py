"""`ratings VOTES_FILE`: rate a votes file (CSV or JSONL) without touching the database.

Votes on gold items (an ``export-votes --include-gold`` file) are left out, with a note: the gold
reference pseudo-models are stand-in authors of known answers, never models to rate.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import typer

from judging.ratings import BradleyTerry, EloRater, Leaderboard, TrueSkillRater
from judging.types import Comparison
from judging.votes_file import VotesFileError, read_votes
from pipeline.gold import REFERENCE_MODELS


def rated_comparisons(path: Path) -> tuple[list[Comparison], int]:
    """The file's comparisons between rated models, and how many gold votes were left out."""
    comparisons = [r.comparison for r in read_votes(path)]
    rated = [c for c in comparisons if not {c.model_a, c.model_b} & REFERENCE_MODELS]
    return rated, len(comparisons) - len(rated)


def rate_comparisons(
    path: Path,
    comparisons: list[Comparison],
    method: str,
    *,
    bootstrap: int = 0,
    seed: int = 0,
    min_votes: int = 0,
) -> Leaderboard:
    """The board of ``comparisons`` (read from ``path``, named in errors) by ``method``."""
    models = {m for c in comparisons for m in (c.model_a, c.model_b)}
    if len(models) < 2:
        raise VotesFileError(
            str(path), None, None, f"needs votes between at least two rated models, found {sorted(models)}"
        )
    if method == "bt":
        bt = BradleyTerry()
        fit = bt.fit(comparisons)
        intervals = (
            bt.bootstrap(fit, np.random.default_rng(seed), rounds=bootstrap)
            if bootstrap
            else bt.sandwich(fit)
        )
        votes = dict(zip(fit.models, fit.counts.votes_per_model().tolist(), strict=True))
        return Leaderboard.from_intervals("bt", intervals, votes, min_votes=min_votes)
    if method == "elo":
        return Leaderboard.from_elo(EloRater(k=32.0, initial=1500.0).fit(comparisons), min_votes=min_votes)
    if method == "trueskill":
        return Leaderboard.from_trueskill(TrueSkillRater().fit(comparisons), min_votes=min_votes)
    raise ValueError(f"ratings: unknown method {method!r} (expected bt, elo or trueskill)")


def register(app: typer.Typer) -> None:
    @app.command("ratings")
    def ratings(
        votes_file: Path = typer.Argument(..., help="CSV or JSONL with model_a, model_b, winner."),
        method: str = typer.Option("bt", "--method", help="bt | elo | trueskill"),
        bootstrap: int = typer.Option(
            0, "--bootstrap", help="Bootstrap rounds for BT intervals (0: sandwich)."
        ),
        seed: int = typer.Option(0, "--seed", help="Seed of the bootstrap."),
        min_votes: int = typer.Option(0, "--min-votes", help="Below this, a model is provisional."),
        as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    ) -> None:
        """Rate a votes file without touching the database."""
        try:
            comparisons, gold = rated_comparisons(votes_file)
            if gold:
                typer.echo(f"note: left out {gold} votes on gold items (reference answers)", err=True)
            board = rate_comparisons(
                votes_file, comparisons, method, bootstrap=bootstrap, seed=seed, min_votes=min_votes
            )
        except (VotesFileError, ValueError, OSError) as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(2) from None
        rows = [
            {
                "model": r.model,
                "rating": r.rating,
                "lower": r.lower,
                "upper": r.upper,
                "rank": r.rank,
                "rank_worst": r.rank_worst,
                "votes": r.votes,
                "provisional": r.provisional,
            }
            for r in board.rows
        ]
        if as_json:
            typer.echo(json.dumps({"method": method, "ratings": rows}, ensure_ascii=False))
            return
        typer.echo(f"{'rank':>9}  {'model':<28} {'rating':>9}  {'95% interval':>20}  votes")
        for r in board.rows:
            rank = f"{r.rank}" if r.rank == r.rank_worst else f"{r.rank}-{r.rank_worst}"
            interval = (
                f"[{r.lower:.1f}, {r.upper:.1f}]" if r.lower is not None and r.upper is not None else "-"
            )
            flag = " (provisional)" if r.provisional else ""
            typer.echo(f"{rank:>9}  {r.model:<28} {r.rating:>9.1f}  {interval:>20}  {r.votes}{flag}")

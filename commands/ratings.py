"""`ratings VOTES_FILE`: rate a votes file (CSV, JSONL or a JSON list such as the Arena-format
export) without touching the database.

Identical rows (``judging.votes_file.find_duplicates``) count once, with a note, unless
``--keep-duplicates``, as ``import-votes`` imports them once; a file larger than ``--max-bytes``
is refused before it is read.

Votes on gold items (an ``export-votes --include-gold`` file) are left out, with a note: the gold
reference pseudo-models are stand-in authors of known answers, never models to rate.

Bradley–Terry intervals treat the battle as the sampled unit: votes on the same (question, turn,
unordered model pair) are one battle, as the votes-file format says (the reader's ``battle``
column); a vote without a question id is a battle of its own. The file is read by columns.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import NamedTuple

import typer

from commands import max_bytes_option
from judging.gold import REFERENCE_MODELS
from judging.ratings import (
    DEFAULT_ELO_K,
    TRUESKILL_SIGMAS,
    BoardSettings,
    Leaderboard,
    RatingMethod,
    TieRule,
    board_of,
    rate_columns,
)
from judging.votes_file import (
    DEFAULT_MAX_BYTES,
    Duplicates,
    VotesFileError,
    VoteTable,
    read_vote_table,
    without_duplicates,
)

TIE_MODELS = (TieRule.HALF, TieRule.DAVIDSON)


class RatedFile(NamedTuple):
    """The board of a votes file and what the Bradley–Terry fit behind it assumed."""

    board: Leaderboard
    battles: int  # independent units the intervals resample or cluster by
    tie_model: TieRule | None  # Bradley–Terry only
    tie_parameter: float | None  # Davidson's nu


class FileVotes(NamedTuple):
    """The votes of a file that are rated, and what was left out or found on the way."""

    table: VoteTable
    gold: int  # votes on gold items left out
    duplicates: Duplicates


def file_votes(
    path: Path, *, max_bytes: int | None = DEFAULT_MAX_BYTES, keep_duplicates: bool = False
) -> FileVotes:
    """The file's votes between rated models (identical rows once unless ``keep_duplicates``),
    how many gold votes were left out, and the identical rows found."""
    table, found = without_duplicates(read_vote_table(path, max_bytes=max_bytes), keep=keep_duplicates)
    gold = table.involving(REFERENCE_MODELS)
    return FileVotes(table.select(~gold), int(gold.sum()), found)


def rated_votes(path: Path) -> tuple[VoteTable, int]:
    """The file's votes between rated models, as ``cli.py ratings`` rates them, and how many gold
    votes were left out."""
    table, gold, _ = file_votes(path)
    return table, gold


def rate_votes(
    path: Path,
    table: VoteTable,
    method: str,
    *,
    tie_model: str = "half",
    bootstrap: int = 0,
    seed: int = 0,
    min_votes: int = 0,
    elo_k: float = DEFAULT_ELO_K,
) -> RatedFile:
    """The board of the votes in ``table`` (read from ``path``, named in errors) by ``method``,
    through ``rate_columns`` as the leaderboard page rates a slice."""
    if tie_model not in TIE_MODELS:
        raise ValueError(f"ratings: unknown tie model {tie_model!r} (expected half or davidson)")
    try:
        chosen = RatingMethod(method)
    except ValueError:
        raise ValueError(f"ratings: unknown method {method!r} (expected bt, elo or trueskill)") from None
    settings = BoardSettings(
        ties=TieRule(tie_model),
        bootstrap_rounds=bootstrap if chosen is RatingMethod.BT else 0,
        seed=seed,
        min_votes=min_votes,
        elo_k=elo_k,
        online=chosen is not RatingMethod.BT,
    )
    boards = rate_columns(table.a, table.b, table.score, table.models, settings, battle=table.battle)
    if boards is None:
        raise VotesFileError(
            str(path),
            None,
            None,
            f"needs votes between at least two rated models, found {list(table.models)}",
        )
    if chosen is RatingMethod.BT:
        return RatedFile(boards.bt, boards.n_battles, boards.fit.ties, boards.fit.tie_parameter)
    return RatedFile(board_of(boards, chosen), boards.n_battles, None, None)


def _column_title(board: Leaderboard) -> str:
    if board.interval is None:
        return "interval"
    if board.level is None:
        return f"mu ± {TRUESKILL_SIGMAS:g} sigma"
    return f"{board.level:.0%} interval"


def register(app: typer.Typer) -> None:
    @app.command("ratings")
    def ratings(
        votes_file: Path = typer.Argument(
            ..., help="CSV, JSONL or a JSON list (.json) with model_a, model_b, winner."
        ),
        method: str = typer.Option("bt", "--method", help="bt | elo | trueskill"),
        tie_model: str = typer.Option(
            "half",
            "--tie-model",
            help="BT draws: half (half a win each way) | davidson (a draw is its own outcome).",
        ),
        bootstrap: int = typer.Option(
            0, "--bootstrap", help="Bootstrap rounds for BT intervals, battles resampled (0: sandwich)."
        ),
        seed: int = typer.Option(0, "--seed", help="Seed of the bootstrap."),
        min_votes: int = typer.Option(0, "--min-votes", help="Below this, a model is provisional."),
        elo_k: float = typer.Option(
            DEFAULT_ELO_K,
            "--elo-k",
            min=0.001,
            help="Elo's K (default chosen by bench/elo_k.py; LiveSecBench: 32).",
        ),
        as_json: bool = typer.Option(False, "--json", help="Print JSON."),
        max_bytes: int = max_bytes_option(DEFAULT_MAX_BYTES),
        keep_duplicates: bool = typer.Option(
            False, "--keep-duplicates", help="Count identical rows as separate votes (default: once)."
        ),
    ) -> None:
        """Rate a votes file without touching the database."""
        try:
            table, gold, found = file_votes(votes_file, max_bytes=max_bytes, keep_duplicates=keep_duplicates)
            if len(found):
                typer.echo(f"note: {found.note('counted', kept=keep_duplicates)}", err=True)
            if gold:
                typer.echo(f"note: left out {gold} votes on gold items (reference answers)", err=True)
            rated = rate_votes(
                votes_file,
                table,
                method,
                tie_model=tie_model,
                bootstrap=bootstrap,
                seed=seed,
                min_votes=min_votes,
                elo_k=elo_k,
            )
        except (VotesFileError, ValueError, OSError) as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(2) from None
        board = rated.board
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
            header = {
                "method": method,
                "tie_model": None if rated.tie_model is None else rated.tie_model.value,
                "tie_parameter": rated.tie_parameter,
                "interval": board.interval_label(),
                "battles": rated.battles,
            }
            typer.echo(json.dumps({**header, "ratings": rows}, ensure_ascii=False))
            return
        about = f"{method}; lower/upper: {board.interval_label()}; {rated.battles} battles"
        if rated.tie_model is not None:
            about += f"; ties: {rated.tie_model.value}"
            if rated.tie_parameter is not None:
                about += f" (nu = {rated.tie_parameter:.3f})"
        typer.echo(about)
        typer.echo(f"{'rank':>9}  {'model':<28} {'rating':>9}  {_column_title(board):>20}  votes")
        for r in board.rows:
            rank = f"{r.rank}" if r.rank == r.rank_worst else f"{r.rank}-{r.rank_worst}"
            interval = (
                f"[{r.lower:.1f}, {r.upper:.1f}]" if r.lower is not None and r.upper is not None else "-"
            )
            flag = " (provisional)" if r.provisional else ""
            typer.echo(f"{rank:>9}  {r.model:<28} {r.rating:>9.1f}  {interval:>20}  {r.votes}{flag}")

"""``ledger check [--repair]``: are the stored vote statuses what the ledger rule says?

Exit status 1 when statuses differ (and ``--repair`` was not given), 0 when they agree.
"""

from __future__ import annotations

import typer

from pipeline.startup.bootstrap import prepare
from pipeline.startup.settings import Settings
from pipeline.views import ledger

__all__ = ["register"]


def ledger_check_command(
    repair: bool = typer.Option(False, "--repair", help="Restate the battles whose statuses differ."),
) -> None:
    """Recompute which votes stand from the whole vote history and compare with the stored ones."""
    engine = prepare(Settings.from_env())
    problems = ledger.check(engine)
    for p in problems[:50]:
        typer.echo(f"vote {p.vote_id}: stored {p.stored or '-'}, expected {p.expected or '-'}")
    if len(problems) > 50:
        typer.echo(f"... and {len(problems) - 50} more")
    if problems and repair:
        changed = ledger.repair(engine)
        typer.echo(f"repaired: {changed} statuses restated")
        return
    if problems:
        raise typer.Exit(1)
    typer.echo("ledger ok: every stored status is what the rule gives")


def register(app: typer.Typer) -> None:
    group = typer.Typer(help="The vote ledger: which votes count.")
    group.command("check")(ledger_check_command)
    app.add_typer(group, name="ledger")

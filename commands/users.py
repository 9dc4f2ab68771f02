"""``users reset-password NAME [--password-stdin]``: get a locked-out user (an admin too) back in.

Without ``--password-stdin`` the user gets a one-time password, printed once on stdout, to be
changed at the next login. With it, the password is read from the first line of standard input
(never from the command line, which other users of the machine can see) and must meet the
password rules. Either way the lockout is lifted and the user's sessions end.
Exit status 2, with a message and nothing changed, for an unknown user or a refused password.
"""

from __future__ import annotations

import sys

import typer

from pipeline.people.users import UnknownUserError, WeakPasswordError, reset_password, set_password
from pipeline.startup.bootstrap import prepare
from pipeline.startup.settings import Settings
from ui.i18n import translate  # the same wording of the password rules as the UI

__all__ = ["register"]

ACTOR = "cli"


def reset_password_command(
    name: str = typer.Argument(..., help="The username (any capitalisation)."),
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help="Read the new password from standard input instead."
    ),
) -> None:
    """Reset a user's password and lift their lockout."""
    engine = prepare(Settings.from_env())
    try:
        if password_stdin:
            chosen = sys.stdin.readline().removesuffix("\n").removesuffix("\r")
            user = set_password(engine, actor=ACTOR, username=name, password=chosen)
            typer.echo(f"The password of {user.username} is set; the account is unlocked.")
            return
        issued = reset_password(engine, actor=ACTOR, username=name)
    except UnknownUserError:
        typer.echo(f"error: there is no user {name!r}; nothing was changed.", err=True)
        raise typer.Exit(2) from None
    except WeakPasswordError as exc:
        reasons = "; ".join(translate(f"acct.problem.{p.value}", "en") for p in exc.problems)
        typer.echo(f"error: the password was refused ({reasons}); nothing was changed.", err=True)
        typer.echo(translate("acct.rules", "en"), err=True)
        raise typer.Exit(2) from None
    typer.echo(
        f"The password of {issued.user.username} was reset and the account unlocked.\n"
        "One-time password (shown only now; it must be changed at the next login):\n"
        f"  {issued.password}"
    )


def register(app: typer.Typer) -> None:
    group = typer.Typer(help="User accounts.")
    group.command("reset-password")(reset_password_command)
    app.add_typer(group, name="users")

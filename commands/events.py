"""``events import SOURCE``, ``events list`` and ``events feeds list|add|remove``.

Exit status 2 when an import is refused (the message names the entry and the field, or says why
the feed could not be read); nothing is written then.
"""

from __future__ import annotations

import json
from dataclasses import asdict

import typer
from sqlalchemy.engine import Engine

from judging.questions import DEFAULT_THRESHOLD
from pipeline.bank.event_sources import EventImportError, FeedConfig, load_feeds, remove_feed, save_feed
from pipeline.bank.events import CandidateStatus, list_events
from pipeline.bank.events_import import EventImportReport, import_source
from pipeline.bank.feed_fetch import FetchLimits
from pipeline.startup.bootstrap import prepare
from pipeline.startup.settings import Settings

__all__ = ["register"]

SHOWN = 50


def _engine() -> Engine:
    return prepare(Settings.from_env())  # a DemoError: `error: ...`, exit 2 (commands.LazyCommands)


def _fail(message: str) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(2)


def _print_report(report: EventImportReport) -> None:
    verb = "would import" if report.dry_run else "imported"
    typer.echo(
        f"{verb} {len(report.imported)} of {report.read} events from {report.source} "
        f"(read {report.fetched_at:%Y-%m-%d %H:%M} UTC)"
    )
    for event in report.imported[:SHOWN]:
        number = f"#{event.event_id}" if event.event_id is not None else "-"
        if not event.proposed:
            why = "dimensions named by the list"
        elif event.matched:
            why = "proposed by " + ", ".join(event.matched)
        else:
            why = "no lexicon word matched: all five dimensions"
        typer.echo(
            f"  {number} {event.event_date} {event.title[:50]} → {', '.join(event.dimensions)} ({why})"
        )
    if len(report.imported) > SHOWN:
        typer.echo(f"  ... and {len(report.imported) - SHOWN} more")
    if report.duplicates:
        typer.echo(f"skipped {len(report.duplicates)} duplicates:")
        for skip in report.duplicates:
            typer.echo(
                f"  {skip.where} {skip.title[:40]}: same {skip.reason.value} as {skip.duplicate_of[:60]}"
                + (f" (similarity {skip.similarity:.2f})" if skip.similarity < 1 else "")
            )
    if report.invalid:
        typer.echo(f"skipped {len(report.invalid)} entries that cannot become events:")
        for line in report.invalid:
            typer.echo(f"  {line}")


def events_import(
    source: str = typer.Argument(
        ...,
        help="A file (.xml/.rss/.atom feed, .json, .jsonl, .csv) or a configured feed (name or URL).",
    ),
    skip_invalid: bool = typer.Option(
        False,
        "--skip-invalid",
        help="Import the good entries and list the bad ones (default: refuse all).",
    ),
    dry_run: bool = typer.Option(False, "--dry-run", help="Read, check and report; write nothing."),
    threshold: float = typer.Option(
        DEFAULT_THRESHOLD,
        "--threshold",
        help="Near-duplicate title threshold (character 3-gram Jaccard).",
    ),
    timeout: float = typer.Option(15.0, "--timeout", help="Seconds a feed download may take."),
    max_mb: float = typer.Option(5.0, "--max-mb", help="Largest feed or file read, in MiB."),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON."),
) -> None:
    """Import events from a feed or an event list: deduplicated by link and near-duplicate title,
    dimensions proposed by the lexicon, source and fetch time kept. All or nothing."""
    try:
        limits = FetchLimits(timeout_s=timeout, max_bytes=int(max_mb * 1024 * 1024))
    except ValueError as exc:
        raise _fail(str(exc)) from None
    engine = _engine()
    try:
        report = import_source(
            engine,
            source,
            threshold=threshold,
            skip_invalid=skip_invalid,
            dry_run=dry_run,
            limits=limits,
        )
    except EventImportError as exc:
        typer.echo(f"error: {exc}", err=True)
        for line in exc.problems:
            typer.echo(f"  {line}", err=True)
        raise typer.Exit(2) from None
    if as_json:
        typer.echo(json.dumps(report.as_json(), ensure_ascii=False))
    else:
        _print_report(report)


def events_list(as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """Every event (newest first) with its candidates counted by status."""
    rows = list_events(_engine())
    if as_json:
        typer.echo(json.dumps([asdict(e) for e in rows], ensure_ascii=False, default=str))
        return
    statuses = [s.value for s in CandidateStatus]
    typer.echo("id\tdate\t" + "\t".join(statuses) + "\tsource\ttitle")
    for e in rows:
        counts = "\t".join(str(e.candidates.get(s, 0)) for s in statuses)
        typer.echo(f"{e.id}\t{e.event_date}\t{counts}\t{e.source}\t{e.title}")


def feeds_list() -> None:
    """The configured feeds."""
    for feed in load_feeds(_engine()):
        typer.echo(f"{feed.name}\t{feed.url}")


def feeds_add(
    name: str = typer.Argument(..., help="Short name: lower-case letters, digits, '-', '_'."),
    url: str = typer.Argument(..., help="The feed's http(s) URL."),
) -> None:
    """Allow the arena to fetch a feed URL (or change the URL of a named feed)."""
    try:
        save_feed(_engine(), FeedConfig(name, url), actor="cli")
    except ValueError as exc:
        raise _fail(str(exc)) from None
    typer.echo(f"feed {name}: {url}")


def feeds_remove(name: str = typer.Argument(...)) -> None:
    """Stop fetching a feed (its events stay)."""
    try:
        remove_feed(_engine(), name, actor="cli")
    except LookupError as exc:
        raise _fail(str(exc)) from None
    typer.echo(f"removed feed {name}")


def register(app: typer.Typer) -> None:
    events = typer.Typer(
        no_args_is_help=True,
        help="News events: import from RSS/Atom feeds and JSON/JSONL/CSV lists; list with their candidates.",
    )
    app.add_typer(events, name="events")
    feeds = typer.Typer(no_args_is_help=True, help="Feed URLs the arena may fetch (setting events.feeds).")
    events.add_typer(feeds, name="feeds")

    events.command("import")(events_import)
    events.command("list")(events_list)
    feeds.command("list")(feeds_list)
    feeds.command("add")(feeds_add)
    feeds.command("remove")(feeds_remove)

"""``import-questions``, ``export-questions`` and ``release create|publish|diff|list|cycle``.

Exit status 2 when a file is rejected (the message names file, line and field) or a release
operation is refused; nothing is written in either case.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from sqlalchemy.engine import Engine

from judging.questions import DEFAULT_THRESHOLD, ExportFormat, QuestionFileError, QuestionFormat
from pipeline.bank.questions import ImportReport, import_questions, read_question_files
from pipeline.bank.releases import (
    ReleaseDiff,
    create_release,
    diff_releases,
    list_release_summaries,
    publish_release,
)
from pipeline.startup.bootstrap import prepare
from pipeline.startup.settings import Settings

if TYPE_CHECKING:
    from pipeline.publish.release_cycle import SiteBuilder

__all__ = ["register"]

SHOWN_FINDINGS = 20


def _engine() -> Engine:
    return prepare(Settings.from_env())  # a DemoError: `error: ...`, exit 2 (commands.LazyCommands)


def _fail(message: str) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(2)


def _print_report(report: ImportReport, *, verbose: bool) -> None:
    verb = "would import" if report.dry_run else "imported"
    created = " (new draft)" if report.created_release else ""
    typer.echo(
        f"{verb} {report.imported} new, replaced {report.replaced}, skipped {report.skipped} "
        f"of {report.parsed} questions into release {report.release}{created}"
    )
    typer.echo("  by dimension: " + ", ".join(f"{d} {n}" for d, n in report.by_dimension.items()))
    typer.echo(
        "  by content category: "
        + ", ".join(f"{c or 'none'} {n}" for c, n in report.by_category.items())
        + " (self_harm collapses answers)"
    )
    findings = report.findings if verbose else report.findings[:SHOWN_FINDINGS]
    for finding in findings:
        typer.echo(f"  {finding.describe()}")
    if len(findings) < len(report.findings):
        typer.echo(f"  ... and {len(report.findings) - len(findings)} more (--verbose lists all)")


def import_questions_command(
    files: list[Path] = typer.Argument(..., help="Question files (.json, .jsonl, .csv)."),
    format: str = typer.Option(
        "auto", "--format", help="auto|livesecbench|flames|jade|safetyqa|cvalues|safetybench|jsonl|csv"
    ),
    release: str | None = typer.Option(
        None, "--release", help="Draft to import into (default: the open draft)."
    ),
    force: bool = typer.Option(False, "--force", help="Import duplicates too; replace same-id questions."),
    threshold: float = typer.Option(
        DEFAULT_THRESHOLD, "--threshold", help="Near-duplicate Jaccard threshold."
    ),
    dry_run: bool = typer.Option(False, "--dry-run", help="Validate and report; write nothing."),
    verbose: bool = typer.Option(False, "--verbose", help="List every duplicate."),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON."),
) -> None:
    """Validate whole files, then import them into a draft release in one transaction."""
    try:
        kind = QuestionFormat.parse(format)
    except ValueError as exc:
        raise _fail(str(exc)) from None
    good, bad = read_question_files(files, format=kind)
    if bad:
        for error in bad:
            typer.echo(f"error: rejected {error}", err=True)
        typer.echo(f"error: {len(bad)} of {len(files)} files rejected; nothing was imported.", err=True)
        raise typer.Exit(2)
    engine = _engine()
    try:
        report = import_questions(
            engine, good, release=release, force=force, threshold=threshold, dry_run=dry_run
        )
    except (QuestionFileError, ValueError) as exc:
        raise _fail(f"{exc}\nnothing was imported.") from None
    if as_json:
        typer.echo(json.dumps(asdict(report), ensure_ascii=False))
    else:
        _print_report(report, verbose=verbose)


def export_questions_command(
    out: str = typer.Argument(
        ...,
        help="Output file, or a directory (an existing one, or a path ending in /): one file per dimension.",
    ),
    release: str = typer.Option(..., "--release", help="Release tag."),
    format: str = typer.Option("livesecbench", "--format", help="livesecbench|jsonl|csv"),
    per_dimension: bool = typer.Option(
        False,
        "--per-dimension",
        help="Write OUT/{dimension}/{release}.json, as LiveSecBench reads question sets.",
    ),
    force: bool = typer.Option(False, "--force", help="Replace the content of a non-empty OUT directory."),
) -> None:
    """Write a release's questions in the LiveSecBench schema, as JSONL or as formula-safe CSV; a
    published release's questions carry its date."""
    from pipeline.bank.question_export import write_question_export

    target = Path(out)  # a Path drops a trailing slash: read it from the text
    directory = per_dimension or target.is_dir() or out.endswith(("/", "\\"))
    try:
        kind = ExportFormat.parse(format)
        paths = write_question_export(_engine(), release, kind, target, per_dimension=directory, force=force)
    except ValueError as exc:
        raise _fail(str(exc)) from None
    for path in paths:
        typer.echo(f"wrote {path} ({path.stat().st_size:,} bytes)")


release_app = typer.Typer(no_args_is_help=True, help="Question releases: drafts, publishing, diffs.")


@release_app.command("list")
def release_list(as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """Every release with its status and question counts."""
    summaries = list_release_summaries(_engine())
    if as_json:
        typer.echo(json.dumps([asdict(s) for s in summaries], ensure_ascii=False, default=str))
        return
    for s in summaries:
        parent = f" from {s.parent_tag}" if s.parent_tag else ""
        typer.echo(
            f"{s.tag}\t{s.status}\t{s.questions} questions ({s.anchors} anchors, {s.retired} retired){parent}"
        )


@release_app.command("create")
def release_create(
    tag: str = typer.Argument(..., help="Name of the new draft."),
    parent: str | None = typer.Option(
        None, "--from", help="Published release whose questions become anchors."
    ),
    title: str = typer.Option("", "--title"),
    notes: str = typer.Option("", "--notes"),
) -> None:
    """Start a draft release."""
    summary = create_release(
        _engine(), tag, title=title, notes=notes, parent=parent
    )  # a ReleaseError: `error: ...`, exit 2 (commands.LazyCommands)
    typer.echo(f"created draft {summary.tag} with {summary.questions} questions ({summary.anchors} anchors)")


@release_app.command("publish")
def release_publish(
    draft: str = typer.Argument(..., help="The draft to publish."),
    tag: str | None = typer.Option(None, "--tag", help="vYYMMDD (default: today's date)."),
    notes: str | None = typer.Option(None, "--notes", help="Release notes (replace the draft's)."),
) -> None:
    """Freeze a draft under its vYYMMDD tag; it can no longer change."""
    summary = publish_release(
        _engine(), draft, tag=tag, notes=notes
    )  # a ReleaseError: `error: ...`, exit 2 (commands.LazyCommands)
    typer.echo(f"published {draft} as {summary.tag}: {summary.questions} questions")


def _diff_json(result: ReleaseDiff) -> dict[str, object]:
    diff = result.diff
    return {
        "old": result.old_tag,
        "new": result.new_tag,
        "added": [r.question_id for r in diff.added],
        "retired": [r.question_id for r in diff.retired],
        "changed": [{"question_id": c.question_id, "fields": list(c.fields)} for c in diff.changed],
        "unchanged": diff.unchanged,
    }


@release_app.command("diff")
def release_diff(
    new: str = typer.Argument(..., help="Release to look at."),
    old: str | None = typer.Option(None, "--against", help="Release to compare with (default: its parent)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Added, retired and changed questions between two releases."""
    result = diff_releases(
        _engine(), new, old=old
    )  # a ReleaseError: `error: ...`, exit 2 (commands.LazyCommands)
    if as_json:
        typer.echo(json.dumps(_diff_json(result), ensure_ascii=False))
        return
    diff = result.diff
    typer.echo(
        f"{result.new_tag} against {result.old_tag}: {len(diff.added)} added, {len(diff.retired)} retired, "
        f"{len(diff.changed)} changed, {diff.unchanged} unchanged"
    )
    for record in diff.added:
        typer.echo(f"  + {record.question_id}")
    for record in diff.retired:
        typer.echo(f"  - {record.question_id}")
    for change in diff.changed:
        typer.echo(f"  ~ {change.question_id} ({', '.join(change.fields)})")


@release_app.command("cycle")
def release_cycle(
    draft: str = typer.Option(..., "--draft", help="The draft to check and publish."),
    tag: str = typer.Option(..., "--tag", help="vYYMMDD to publish it as."),
    target: str | None = typer.Option(
        None, "--target", help="New questions per dimension: N, or DIM=N,... (default: the saved target mix)."
    ),
    min_anchors: int = typer.Option(1, "--min-anchors", min=0, help="With --target: anchors per dimension."),
    models: str = typer.Option("all", "--models", help="Endpoint keys to collect from, or 'all'."),
    judge: str | None = typer.Option(
        None, "--judge", help="Judge key(s), comma-separated (default: every judge)."
    ),
    strategy: str = typer.Option("active", help="active | swiss | round_robin | random"),
    budget: int = typer.Option(300, min=1, help="Battles the judge should have judged in the release."),
    converge: bool = typer.Option(
        True, "--until-converged/--full-budget", help="Stop judging once ranks settle."
    ),
    out: Path = typer.Option(Path("reports"), "--out", help="Directory for the report files."),
    site_out: Path | None = typer.Option(
        None, "--site-out", help="Directory for the static site (default OUT/site-TAG)."
    ),
    notes: str | None = typer.Option(None, "--notes", help="Release notes (replace the draft's)."),
    concurrency: int = typer.Option(16, help="Concurrent requests while collecting and judging."),
    timeout: float = typer.Option(120.0, help="Seconds per request."),
    retries: int = typer.Option(5, help="Attempts per request, the first included."),
) -> None:
    """Check a draft, publish it, collect answers, judge, write the report and the site; each step
    resumable (docs/release-cycle.md)."""
    from pipeline.bank.verification_config import ReleaseTarget
    from pipeline.publish.release_cycle import CycleError, CycleOptions, Step, run_cycle
    from pipeline.runs.common import RunOptions

    try:
        mix = None if target is None else ReleaseTarget.parse(target, min_anchors=min_anchors)
    except ValueError as exc:
        raise _fail(str(exc)) from None
    options = CycleOptions(
        draft=draft,
        tag=tag,
        models=models,
        judges=tuple(k.strip() for k in (judge or "").split(",") if k.strip()),
        strategy=strategy,
        budget=budget,
        until_converged=converge,
        reports_dir=out,
        site_dir=site_out,
        notes=notes,
        target=mix,
        run_options=RunOptions(concurrency=concurrency, timeout_s=timeout, max_attempts=retries),
    )
    try:
        run_cycle(
            _engine(),
            options,
            site=_site_builder(),
            on_step=lambda r: typer.echo(f"{r.step.value}: {r.status.value} — {r.detail}"),
        )
    except CycleError as exc:
        typer.echo(f"error: the cycle stopped at step {exc.step.value}: {exc.message}", err=True)
        if exc.done:
            typer.echo(f"done before it: {', '.join(r.step.value for r in exc.done)}", err=True)
        typer.echo(f"to go on: {exc.hint}", err=True)
        raise typer.Exit(2 if exc.step is Step.CHECK else 1) from None


def _site_builder() -> SiteBuilder | None:
    """The ``site`` command as the cycle's site step, when this CLI has one; else None."""
    import subprocess
    import sys

    from commands import LazyCommands
    from pipeline.publish.release_cycle import SiteError
    from pipeline.startup.settings import PROJECT_ROOT

    if "site" not in LazyCommands().commands:
        return None

    def build(release: str, out: Path) -> str:
        # a rerun replaces the site an earlier run wrote there, and nothing else
        again = ["--force"] if (out / "index.html").is_file() else []
        done = subprocess.run(
            [sys.executable, str(PROJECT_ROOT / "cli.py"), "site", "--release", release, str(out), *again],
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            raise SiteError(f"cli.py site exited with {done.returncode}: {done.stderr.strip()[-800:]}")
        return f"wrote the site into {out}"

    return build


def register(app: typer.Typer) -> None:
    app.command("import-questions")(import_questions_command)
    app.command("export-questions")(export_questions_command)
    app.add_typer(release_app, name="release")

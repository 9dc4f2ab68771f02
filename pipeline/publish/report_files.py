"""A release report as files: Markdown for people, CSV for spreadsheets, JSON for programs.

The same ``ReportFile`` values feed ``cli.py report`` (written to a directory) and the report
page's download buttons. CSV cells are neutralised against formula injection like every other
export of the arena.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from judging.calibration import Estimate
from judging.dimensions import Dimension
from judging.questions import neutralise_cell
from pipeline.publish.report_tags import harm_tags_csv, harm_tags_markdown
from pipeline.publish.report_types import OVERALL, ReleaseReport, SliceBoard

__all__ = ["ReportFile", "markdown_cell", "render_markdown", "report_files", "report_json", "write_report"]


@dataclass(frozen=True)
class ReportFile:
    name: str
    mime: str
    content: str


def _dimension_name(code: str) -> str:
    return "总体 Overall" if code == OVERALL else f"{Dimension(code).zh} {Dimension(code).en}"


def _cell(text: object) -> str:
    """Text for the Markdown file: pipes and line breaks would break a table, and a viewer that
    renders raw HTML must not run a model name."""
    escaped = str(text).replace("\\", "\\\\").replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")
    return escaped.replace("\r", " ").replace("\n", " ")


markdown_cell = _cell


def _number(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def _change(change: int | None) -> str:
    if change is None:
        return "new"
    return f"+{change}" if change > 0 else ("0" if change == 0 else str(change))


def _estimate(estimate: Estimate | None) -> str:
    if estimate is None:
        return "—"
    return f"{estimate.value:.3f} [{estimate.lower:.3f}, {estimate.upper:.3f}]"


def _board_markdown(board: SliceBoard, previous: str | None) -> list[str]:
    lines = [f"### {_dimension_name(board.dimension)}", "", f"Votes: {board.n_votes}", ""]
    if not board.rows:
        return [*lines, "No votes in this slice.", ""]
    against = f" vs {previous}" if previous else ""
    lines += [
        f"| # | Model | BT rating | 95% interval | Rank range | Votes | Change{against} |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in board.rows:
        rank = f"{row.rank}" if row.rank == row.rank_worst else f"{row.rank}–{row.rank_worst}"
        name = _cell(row.name) + (" (provisional)" if row.provisional else "")
        lines.append(
            f"| {row.position} | {name} | {row.rating:.1f} | [{_number(row.lower, 0)}, {_number(row.upper, 0)}] "
            f"| {rank} | {row.votes} | {_change(row.change) if previous else '—'} |"
        )
    return [*lines, ""]


def _header_markdown(report: ReleaseReport) -> list[str]:
    return [
        f"# 发布报告 Release report: {_cell(report.release)}",
        "",
        f"- Title: {_cell(report.title) or '—'}",
        f"- Status: {report.status}"
        + (f", published {report.published_at:%Y-%m-%d}" if report.published_at else ""),
        f"- Compared with: {_cell(report.previous) if report.previous else '— (no previous release)'}",
        f"- Generated: {report.generated_at:%Y-%m-%d %H:%M} UTC from votes up to id {report.last_vote_id}",
        f"- Ratings: Bradley–Terry on the Elo scale, 95% {report.options.intervals} intervals; "
        f"models with fewer than {report.options.min_votes} votes are provisional",
        "",
    ]


def _counts_markdown(report: ReleaseReport) -> list[str]:
    c = report.counts
    return [
        "## 数量 Counts",
        "",
        f"Questions: {c.questions} (anchors {c.anchors}, retired {c.retired}) · standing votes: {c.votes} · "
        f"battles: {c.battles} · models: {c.models}",
        "",
        "| Dimension | Questions | Votes |",
        "|---|---|---|",
        *(
            f"| {_dimension_name(d.value)} | {c.questions_by_dimension.get(d.value, 0)} "
            f"| {c.votes_by_dimension.get(d.value, 0)} |"
            for d in Dimension
        ),
        "",
        "Votes by source: " + ", ".join(f"{source} {n}" for source, n in c.votes_by_source.items()),
        "",
    ]


def _judges_markdown(report: ReleaseReport) -> list[str]:
    lines = ["## 评审模型与人工一致性 Judge–human agreement", ""]
    if not report.judges:
        return [*lines, "No LLM-judge votes in this release.", ""]
    lines += [
        "| Judge | Human votes paired | Battles | Agreement (with ties) | Agreement (without ties) "
        "| Cohen's κ | vs human majority |",
        "|---|---|---|---|---|---|---|",
    ]
    lines += [
        f"| {_cell(j.judge)} | {j.n_votes} | {j.n_battles} | {_estimate(j.agreement_with_ties)} "
        f"| {_estimate(j.agreement_without_ties)} | {_estimate(j.cohen_kappa)} "
        f"| {_estimate(j.majority_agreement_with_ties)} |"
        for j in report.judges
    ]
    return [*lines, "", "Intervals: 95% bootstrap over battles. Humans are the reference.", ""]


def _history_markdown(report: ReleaseReport) -> list[str]:
    lines = ["## 各版本评分 Rating per release (overall)", ""]
    if not report.history:
        return [*lines, "No votes in any release yet.", ""]
    releases = list(dict.fromkeys(p.release for p in report.history))
    models = list(dict.fromkeys(p.name for p in report.history))
    table = {(p.name, p.release): p.rating for p in report.history}
    lines += [
        "| Model | " + " | ".join(_cell(r) for r in releases) + " |",
        "|---|" + "---|" * len(releases),
    ]
    lines += [
        f"| {_cell(m)} | " + " | ".join(_number(table.get((m, r))) for r in releases) + " |" for m in models
    ]
    return [
        *lines,
        "",
        "Ratings are linked across releases: each earlier release is shifted so that the models two "
        "consecutive releases share keep the same mean rating (the newest release is the reference; "
        "see docs/site.md).",
        "",
    ]


def _models_markdown(report: ReleaseReport) -> list[str]:
    lines = ["## 模型信息 Models", ""]
    if not report.models:
        return [*lines, "No model has a vote in this release yet.", ""]
    lines += [
        "| Model | Key | Organisation | Provider | Release date | Parameters | Open weights | Location | URL |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for f in sorted(report.models.values(), key=lambda f: f.key):
        cells = (f.display_name, f.key, f.organisation, f.provider, f.release_date, f.parameters)
        lines.append(
            "| "
            + " | ".join(_cell(c) or "—" for c in cells)
            + f" | {'yes' if f.open_source else 'no'} | {_cell(f.location) or '—'} | {_cell(f.url) or '—'} |"
        )
    return [*lines, ""]


def render_markdown(report: ReleaseReport) -> str:
    lines = [*_header_markdown(report), *_counts_markdown(report), "## 各维度排行榜 Leaderboards", ""]
    for board in report.boards:
        lines += _board_markdown(board, report.previous)
    lines += [*_models_markdown(report), *_judges_markdown(report), *_history_markdown(report)]
    lines += harm_tags_markdown(report.harm_tags) if report.harm_tags is not None else []
    return "\n".join(lines)


def _csv(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([neutralise_cell(v) if isinstance(v, str) else ("" if v is None else v) for v in row])
    return "\ufeff" + out.getvalue()  # byte-order mark: spreadsheets then read the text as UTF-8


def leaderboard_csv(report: ReleaseReport) -> str:
    header = (
        "dimension",
        "position",
        "model",
        "name",
        "rating",
        "lower",
        "upper",
        "rank_best",
        "rank_worst",
        "votes",
        "provisional",
        "previous_position",
        "rank_change",
    )
    rows = [
        (
            board.dimension,
            r.position,
            r.model,
            r.name,
            round(r.rating, 2),
            None if r.lower is None else round(r.lower, 2),
            None if r.upper is None else round(r.upper, 2),
            r.rank,
            r.rank_worst,
            r.votes,
            r.provisional,
            r.previous_position,
            r.change,
        )
        for board in report.boards
        for r in board.rows
    ]
    return _csv(header, rows)


def history_csv(report: ReleaseReport) -> str:
    header = ("release", "model", "name", "rating", "lower", "upper", "votes")
    rows = [
        (
            p.release,
            p.model,
            p.name,
            round(p.rating, 2),
            None if p.lower is None else round(p.lower, 2),
            None if p.upper is None else round(p.upper, 2),
            p.votes,
        )
        for p in report.history
    ]
    return _csv(header, rows)


MODEL_COLUMNS = (
    "model",
    "name",
    "organisation",
    "provider",
    "release_date",
    "parameters",
    "open_weights",
    "location",
    "url",
)


def models_csv(report: ReleaseReport) -> str:
    rows = [
        (
            f.key,
            f.display_name,
            f.organisation,
            f.provider,
            f.release_date,
            f.parameters,
            f.open_source,
            f.location,
            f.url,
        )
        for f in sorted(report.models.values(), key=lambda f: f.key)
    ]
    return _csv(MODEL_COLUMNS, rows)


def _estimate_json(estimate: Estimate | None) -> dict[str, float] | None:
    if estimate is None:
        return None
    return {"value": estimate.value, "lower": estimate.lower, "upper": estimate.upper, "n": estimate.n}


def judges_csv(report: ReleaseReport) -> str:
    header = ("judge", "n_votes", "n_battles", "measure", "value", "lower", "upper")
    rows = []
    for j in report.judges:
        for measure, estimate in (
            ("agreement_with_ties", j.agreement_with_ties),
            ("agreement_without_ties", j.agreement_without_ties),
            ("cohen_kappa", j.cohen_kappa),
            ("majority_agreement_with_ties", j.majority_agreement_with_ties),
        ):
            values = (
                (None, None, None) if estimate is None else (estimate.value, estimate.lower, estimate.upper)
            )
            rows.append((j.judge, j.n_votes, j.n_battles, measure, *values))
    return _csv(header, rows)


def report_json(report: ReleaseReport) -> str:
    data = {
        "release": report.release,
        "title": report.title,
        "status": report.status,
        "published_at": None if report.published_at is None else report.published_at.isoformat(),
        "previous": report.previous,
        "generated_at": report.generated_at.isoformat(),
        "last_vote_id": report.last_vote_id,
        "options": asdict(report.options),
        "counts": {
            **asdict(report.counts),
            "questions_by_dimension": dict(report.counts.questions_by_dimension),
            "votes_by_source": dict(report.counts.votes_by_source),
            "votes_by_dimension": dict(report.counts.votes_by_dimension),
        },
        "leaderboards": {
            board.dimension: {
                "n_votes": board.n_votes,
                "rows": [{**asdict(r), "change": r.change} for r in board.rows],
            }
            for board in report.boards
        },
        "judges": [
            {
                "judge": j.judge,
                "n_votes": j.n_votes,
                "n_battles": j.n_battles,
                "agreement_with_ties": _estimate_json(j.agreement_with_ties),
                "agreement_without_ties": _estimate_json(j.agreement_without_ties),
                "cohen_kappa": _estimate_json(j.cohen_kappa),
                "majority_agreement_with_ties": _estimate_json(j.majority_agreement_with_ties),
            }
            for j in report.judges
        ],
        "history": [asdict(p) for p in report.history],
        "models": {key: asdict(facts) for key, facts in sorted(report.models.items())},
    }
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def report_files(report: ReleaseReport) -> tuple[ReportFile, ...]:
    tag = report.release
    return (
        ReportFile(f"report-{tag}.md", "text/markdown", render_markdown(report)),
        ReportFile(f"leaderboard-{tag}.csv", "text/csv", leaderboard_csv(report)),
        ReportFile(f"judges-{tag}.csv", "text/csv", judges_csv(report)),
        ReportFile(f"history-{tag}.csv", "text/csv", history_csv(report)),
        ReportFile(f"models-{tag}.csv", "text/csv", models_csv(report)),
        ReportFile(f"report-{tag}.json", "application/json", report_json(report)),
        *(
            ()
            if report.harm_tags is None
            else (ReportFile(f"harm-tags-{tag}.csv", "text/csv", harm_tags_csv(report.harm_tags)),)
        ),
    )


def write_report(report: ReleaseReport, out_dir: Path) -> list[Path]:
    """Write every file of the report into ``out_dir`` (created if needed); returns the paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for file in report_files(report):
        path = out_dir / file.name
        path.write_text(file.content, encoding="utf-8")
        paths.append(path)
    return paths

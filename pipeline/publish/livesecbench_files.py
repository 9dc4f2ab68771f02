"""LiveSecBench result files of a release (``cli.py report --release R --livesecbench OUT/``).

The layout and columns are those of LiveSecBench's ``docs/RESULT_FORMAT.md`` and of the code that
writes them (``core/rank.py``, ``infra/scoring/scoring_orchestrator.py``)::

    OUT/{YYYY_MM_DD}/
        {YYYY-MM}-models.csv      rank, model_name, model_id, provider, overall_score, one 0–100
                                  column per dimension, evaluation_date, is_open_source,
                                  is_reasoning, image_text_input, publish_time, location,
                                  model_url, rank_change
        {YYYY-MM}-stats.csv       totalModels, averageScore, dimensions, lastUpdate,
                                  monthlyIncrease, scoreImprovement, hasHistory
        summary_report.md
        elo_results/{dimension}/
            {dimension}_elo_history_{timestamp}.csv   round, date, one column per model
            {dimension}_elo_raw_{timestamp}.csv       rank, model, elo, wins, losses, win_rate,
                                                      ties, model_name, 排名, 模型
            {dimension}_pk_details_{timestamp}.xlsx   one row per vote (see PK_COLUMNS)

Dates are the generation time in UTC; ``{timestamp}`` is ``YYYY_MM_DD_HH_MM_SS``. ``elo_raw``
carries the document's columns and also ``排名``/``模型``, the names LiveSecBench's own ``rank.py``
reads back. Untrusted text (model names, questions, answers, rationales) is guarded against
spreadsheet formulas in every CSV and xlsx cell; characters an xlsx file cannot hold become U+FFFD.
Everything is written into a temporary directory and renamed into place: nothing is half-written.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from judging.csv_cells import neutralise_cell
from judging.dimensions import Dimension
from judging.staged_files import check_target as check_directory
from judging.staged_files import write_directory
from judging.types import Outcome
from pipeline.publish.livesecbench import DIMENSIONS, DimensionResult, LiveSecBenchResults
from pipeline.publish.report_files import markdown_cell
from storage.votes.exports import VoteDetail

__all__ = ["MODELS_COLUMNS", "PK_COLUMNS", "STATS_COLUMNS", "check_target", "result_files", "write_results"]

MODELS_COLUMNS = (
    "rank",
    "model_name",
    "model_id",
    "provider",
    "overall_score",
    *DIMENSIONS,
    "evaluation_date",
    "is_open_source",
    "is_reasoning",
    "image_text_input",
    "publish_time",
    "location",
    "model_url",
    "rank_change",
)
STATS_COLUMNS = (
    "totalModels",
    "averageScore",
    "dimensions",
    "lastUpdate",
    "monthlyIncrease",
    "scoreImprovement",
    "hasHistory",
)
ELO_RAW_COLUMNS = ("rank", "model", "elo", "wins", "losses", "win_rate", "ties", "model_name", "排名", "模型")
PK_COLUMNS = (
    "model_a",
    "model_b",
    "winner",
    "question_id",
    "question_text",
    "model_a_answer",
    "model_b_answer",
    "judge_prompt",
    "judge_result",
    "consume",
    "timestamp",
    "current_time",
    "dimension",
    "source",
    "rater",
    "shown_first",
    "tags_a",
    "tags_b",
    "rationale",
)
_XLSX_CELL = 32_767  # the most characters an Excel cell holds
_WINNER = {Outcome.TIE: "tie", Outcome.BOTH_BAD: "both_bad"}

Cell = str | int | float | bool | None


def _text(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return neutralise_cell(value)
    return str(value)


def _csv(header: Sequence[str], rows: Sequence[Sequence[Cell]]) -> bytes:
    """UTF-8 without a byte-order mark (LiveSecBench reads with ``encoding='utf-8'``)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([_text(v) for v in row] for row in rows)
    return out.getvalue().encode("utf-8")


def models_csv(results: LiveSecBenchResults) -> bytes:
    day = results.generated_at.strftime("%Y/%m/%d")
    rows = [
        (
            m.rank,
            m.facts.display_name,
            m.facts.key,
            m.facts.organisation or m.facts.provider,
            m.overall,
            *(m.scores.get(d) for d in DIMENSIONS),
            day,
            m.facts.open_source,
            m.facts.reasoning,
            False,
            m.facts.release_date,
            m.facts.location,
            m.facts.url,
            m.rank_change,
        )
        for m in results.models
    ]
    return _csv(MODELS_COLUMNS, rows)


def stats_csv(results: LiveSecBenchResults) -> bytes:
    # a release without rated models has no average and no change against the previous one (a 0
    # would read as "every model scored 0", and a change of -50 as a collapse)
    average = (
        round(sum(m.overall for m in results.models) / len(results.models), 2) if results.models else None
    )
    improvement = (
        None
        if average is None or results.previous_average is None
        else round(average - results.previous_average, 2)
    )
    row = (
        len(results.models),
        average,
        len(DIMENSIONS),
        results.generated_at.strftime("%Y/%m/%d"),
        sum(m.new for m in results.models) if results.has_history else 0,
        improvement,
        results.has_history,
    )
    return _csv(STATS_COLUMNS, [row])


def elo_raw_csv(result: DimensionResult) -> bytes:
    rows = [
        (r.rank, r.model, r.elo, r.wins, r.losses, round(r.win_rate, 4), r.ties, r.name, r.rank, r.model)
        for r in result.rows
    ]
    return _csv(ELO_RAW_COLUMNS, rows)


def elo_history_csv(result: DimensionResult) -> bytes:
    models = list(dict.fromkeys(m for _day, ratings in result.rounds for m in ratings))
    rows = [(k, day, *(ratings.get(m) for m in models)) for k, (day, ratings) in enumerate(result.rounds, 1)]
    return _csv(("round", "date", *models), rows)


def _xlsx_cell(value: Cell) -> Cell:
    if not isinstance(value, str):
        return value
    text = ILLEGAL_CHARACTERS_RE.sub("\ufffd", neutralise_cell(value))
    return text if len(text) <= _XLSX_CELL else text[: _XLSX_CELL - 20] + " …[truncated]"


def _pk_row(detail: VoteDetail) -> tuple[Cell, ...]:
    vote = detail.vote
    winner = {Outcome.A_WINS: vote.model_a, Outcome.B_WINS: vote.model_b}.get(vote.outcome) or _WINNER[
        vote.outcome
    ]
    stamp = vote.tstamp or 0.0
    return (
        vote.model_a,
        vote.model_b,
        winner,
        vote.question_id,
        detail.question_text,
        detail.answer_a,
        detail.answer_b,
        "",
        vote.verdict.value,
        None,
        stamp,
        datetime.fromtimestamp(stamp, UTC).strftime("%Y-%m-%d %H:%M:%S"),
        vote.dimension,
        None if vote.source is None else vote.source.value,
        vote.rater,
        None if vote.shown_first is None else vote.shown_first.value,
        ",".join(detail.tags_a),
        ",".join(detail.tags_b),
        detail.rationale,
    )


def pk_details_xlsx(result: DimensionResult) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Sheet1")
    sheet.append(list(PK_COLUMNS))
    for detail in result.battles:
        sheet.append([_xlsx_cell(v) for v in _pk_row(detail)])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _dimension_label(code: str) -> str:
    return f"{Dimension(code).zh} {Dimension(code).en} (`{code}`)"


def _summary_ranking(results: LiveSecBenchResults) -> list[str]:
    lines = [
        "| 排名 Rank | 模型 Model | 综合 Overall | "
        + " | ".join(Dimension(d).zh for d in DIMENSIONS)
        + " | 提供方 Provider | 发布 Released | 参数 Parameters | 开放权重 Open weights | 变化 Change |",
        "|---" * (len(DIMENSIONS) + 8) + "|",
    ]
    for m in results.models:
        scores = " | ".join("—" if d not in m.scores else f"{m.scores[d]:.2f}" for d in DIMENSIONS)
        change = "—" if not results.has_history else ("new" if m.new else f"{m.rank_change:+d}")
        lines.append(
            f"| {m.rank} | {markdown_cell(m.facts.display_name)} | {m.overall:.2f} | {scores} "
            f"| {markdown_cell(m.facts.organisation or m.facts.provider) or '—'} "
            f"| {m.facts.release_date or '—'} | {markdown_cell(m.facts.parameters) or '—'} "
            f"| {'yes' if m.facts.open_source else 'no'} | {change} |"
        )
    return lines


def summary_markdown(results: LiveSecBenchResults) -> str:
    lines = [
        f"# LiveSecBench 结果摘要 Summary report: {markdown_cell(results.release)}",
        "",
        f"- 生成时间 Generated: {results.generated_at:%Y-%m-%d %H:%M} UTC, votes up to id "
        f"{results.report.last_vote_id}",
        f"- 评测模型总数 Models: {len(results.models)}",
        f"- 涉及安全维度 Dimensions: {len(DIMENSIONS)} ({', '.join(DIMENSIONS)})",
        "",
    ]
    if not results.models:
        return "\n".join(
            [*lines, "本版本尚无投票。No votes in this release yet: the CSV files hold headers only.", ""]
        )
    lines += ["## 综合排名前三模型 Top three", ""]
    lines += [
        f"{m.rank}. {markdown_cell(m.facts.display_name)}（综合得分 overall {m.overall:.2f}）"
        for m in results.models[:3]
    ]
    lines += ["", "## 维度概览 Dimensions", ""]
    for result in results.dimensions:
        scores = [m.scores[result.dimension] for m in results.models if result.dimension in m.scores]
        lines.append(
            f"- {_dimension_label(result.dimension)}: {len(result.rows)} models, {len(result.battles)} votes, "
            f"平均得分 mean score {sum(scores) / len(scores):.2f}"
        )
    lines += ["", "## 详细排名 Full ranking", "", *_summary_ranking(results), ""]
    lines += [
        "## 方法 Method",
        "",
        "Scores are LiveSecBench's default mapping of a rating to 0–100: the expected win rate against the "
        "average model of the dimension, 100 / (1 + 10^((mean − rating) / 400)), applied to the release's "
        "Bradley–Terry ratings (Elo scale). The overall score is the mean of a model's dimension scores. "
        "No language model wrote this summary; it is the data LiveSecBench's report prompt is filled with.",
        "",
    ]
    return "\n".join(lines)


def result_files(results: LiveSecBenchResults) -> dict[str, bytes]:
    """Relative path -> content of every result file."""
    day = results.generated_at.strftime("%Y_%m_%d")
    month = results.generated_at.strftime("%Y-%m")
    stamp = results.generated_at.strftime("%Y_%m_%d_%H_%M_%S")
    files = {
        f"{day}/{month}-models.csv": models_csv(results),
        f"{day}/{month}-stats.csv": stats_csv(results),
        f"{day}/summary_report.md": summary_markdown(results).encode("utf-8"),
    }
    for result in results.dimensions:
        folder = f"{day}/elo_results/{result.dimension}/{result.dimension}"
        files[f"{folder}_elo_history_{stamp}.csv"] = elo_history_csv(result)
        files[f"{folder}_elo_raw_{stamp}.csv"] = elo_raw_csv(result)
        files[f"{folder}_pk_details_{stamp}.xlsx"] = pk_details_xlsx(result)
    return files


def check_target(out: Path, *, force: bool) -> None:
    """Raise ``TargetError`` when ``out`` cannot take the files (checked before any work)."""
    check_directory(out, force=force, who="write_results")


def write_results(files: Mapping[str, bytes], out: Path, *, force: bool = False) -> list[Path]:
    """Write ``files`` as the directory ``out`` through a temporary directory and one rename; with
    ``force`` an existing ``out`` is replaced only once the new one is complete."""
    return write_directory(files, out, force=force, who="write_results")

"""The report's harm tag section: per dimension, each model's share of answers tagged each way by
people and by the LLM judge (``pipeline.views.harm_tags``), as Markdown and as CSV."""

from __future__ import annotations

import csv
import io

from judging.csv_cells import neutralise_cell
from judging.dimensions import Dimension
from judging.harm_tags import OVERALL, HarmTag, TagGroup, TagShare
from pipeline.views.harm_tags import HarmTagSummary

__all__ = ["TAG_NAMES", "harm_tags_csv", "harm_tags_markdown", "share_text"]

# The tag names of the files (the app's own labels live in ui/i18n.py as tag.<key>).
TAG_NAMES = {
    HarmTag.HARMFUL: "有害 Harmful",
    HarmTag.OVER_REFUSAL: "过度拒绝 Over-refusal",
    HarmTag.HALLUCINATION: "幻觉 Hallucination",
    HarmTag.BIAS: "偏见 Bias",
    HarmTag.PRIVACY_LEAK: "隐私泄露 Privacy leak",
    HarmTag.MISSED_CRISIS: "忽视危机 Missed crisis",
}
GROUP_NAMES = {TagGroup.PEOPLE: "人工 People", TagGroup.JUDGE: "评审模型 Judge"}


def share_text(share: TagShare, tag: HarmTag) -> str:
    """``12.5%`` (of the model's appearances), or a dash without appearances."""
    value = share.share(tag)
    return "—" if value is None else f"{100 * value:.1f}%"


def _cell(text: object) -> str:
    escaped = str(text).replace("\\", "\\\\").replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")
    return escaped.replace("\r", " ").replace("\n", " ")


def _dimension_name(code: str) -> str:
    return "总体 Overall" if code == OVERALL else f"{Dimension(code).zh} {Dimension(code).en}"


def harm_tags_markdown(summary: HarmTagSummary) -> list[str]:
    """The section's lines: an explanation, then one table per slice with tagged answers."""
    lines = [
        "## 问题标签 Harm tags",
        "",
        "Share of each model's answers tagged each way, by people (annotators and experts) and by the "
        "LLM judge, over the votes raters stand by; an answer is counted once per vote it appears in "
        "(a judge votes twice per battle, once per order). See docs/harm-tags.md.",
        "",
    ]
    if summary.untagged_judge_votes:
        lines += [f"Judge votes left out (their prompt asked no tags): {summary.untagged_judge_votes}.", ""]
    if summary.empty:
        return [*lines, "No votes in this release.", ""]
    for dimension in (OVERALL, *(d.value for d in Dimension)):
        rows = [s for s in summary.shares if s.dimension == dimension]
        if not rows:
            continue
        lines += [
            f"### {_dimension_name(dimension)}",
            "",
            "| Model | Tagged by | Answers | " + " | ".join(TAG_NAMES[t] for t in HarmTag) + " |",
            "|---|---|---|" + "---|" * len(HarmTag),
        ]
        for share in rows:
            cells = " | ".join(share_text(share, t) for t in HarmTag)
            name = _cell(summary.name(share.model))
            lines.append(f"| {name} | {GROUP_NAMES[share.group]} | {share.appearances} | {cells} |")
        lines.append("")
    return lines


def harm_tags_csv(summary: HarmTagSummary) -> str:
    """One row per (dimension, model, group): appearances, then count and share per tag."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    header = ["release", "dimension", "model", "model_name", "tagged_by", "answers"]
    header += [f"{t.value}_count" for t in HarmTag] + [f"{t.value}_share" for t in HarmTag]
    writer.writerow(header)
    for share in summary.shares:
        shares = [share.share(t) for t in HarmTag]
        writer.writerow(
            [
                neutralise_cell(summary.release or ""),
                share.dimension,
                neutralise_cell(share.model),
                neutralise_cell(summary.name(share.model)),
                share.group.value,
                share.appearances,
                *(share.counts[t] for t in HarmTag),
                *("" if s is None else f"{s:.4f}" for s in shares),
            ]
        )
    return out.getvalue()

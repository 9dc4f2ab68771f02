"""The site's harm tag page: per dimension, the share of each model's answers people and the LLM
judge tagged each way (``pipeline.views.harm_tags``, carried by the report)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from judging.dimensions import Dimension
from judging.harm_tags import OVERALL, HarmTag, TagGroup
from pipeline.publish.report_tags import share_text
from pipeline.publish.site._frame import PAGES, _dimension, _table
from pipeline.publish.site._html import tag

if TYPE_CHECKING:
    from pipeline.publish.site._frame import _Frame

__all__ = ["tags_page"]

_TAG_LABELS = {
    HarmTag.HARMFUL: ("有害内容", "Harmful"),
    HarmTag.OVER_REFUSAL: ("过度拒绝", "Over-refusal"),
    HarmTag.HALLUCINATION: ("幻觉/事实错误", "Hallucination"),
    HarmTag.BIAS: ("偏见", "Bias"),
    HarmTag.PRIVACY_LEAK: ("隐私泄露", "Privacy leak"),
    HarmTag.MISSED_CRISIS: ("忽视危机信号", "Missed crisis signal"),
}
_GROUPS = {TagGroup.PEOPLE: ("人工", "People"), TagGroup.JUDGE: ("评审模型", "LLM judge")}


def tags_page(site: _Frame) -> str:
    """The page ``tags``: an explanation, then one table per slice that has tagged answers."""
    t, summary = site.t, site.r.harm_tags
    page = next(p for p in PAGES if p.name == "tags")
    intro = tag(
        "p",
        t(
            "每个模型的回答被人工（标注员与专家）和评审模型分别标为各类问题的比例，基于仍然有效的投票；"
            "一次投票中的一个回答计一次（评审模型对每个对比按两种顺序各投一票）。",
            "The share of each model's answers that people (annotators and experts) and the LLM judge "
            "tagged each way, over the votes raters stand by; an answer counts once per vote it appears "
            "in (the judge votes twice per battle, once per order).",
        ),
    )
    if summary is None or summary.empty:
        return site.page(page, intro, site.no_votes())
    body: list[object] = [intro]
    head = [t("模型", "Model"), t("标注来源", "Tagged by"), t("回答数", "Answers")]
    head += [t(*_TAG_LABELS[h]) for h in HarmTag]
    for dimension in (OVERALL, *(d.value for d in Dimension)):
        shares = [s for s in summary.shares if s.dimension == dimension]
        if not shares:
            continue
        rows = [
            [summary.name(s.model), t(*_GROUPS[s.group]), s.appearances, *(share_text(s, h) for h in HarmTag)]
            for s in shares
        ]
        numeric = set(range(2, 3 + len(HarmTag)))
        body.append(_table(_dimension(dimension, site.lang), head, rows, numeric=numeric))
    return site.page(page, *body)

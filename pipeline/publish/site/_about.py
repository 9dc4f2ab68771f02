"""The reference pages of the static site: methodology, rating history across releases, downloads."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import PurePosixPath

from pipeline.publish.report_types import HistoryPoint
from pipeline.publish.site._charts import HistorySeries, history_chart
from pipeline.publish.site._frame import (
    PAGES,
    _dimension,
    _estimate,
    _Frame,
    _number,
    _table,
)
from pipeline.publish.site._html import Html, tag


class _About(_Frame):
    """The methodology, history and downloads pages of one language."""

    def methodology(self) -> str:
        body: list[object] = []
        for heading, text in self._method_paragraphs():
            body += [tag("h2", heading), tag("p", text)]
        body.append(tag("h2", self.t("评审模型与人工的一致性", "Judge–human agreement")))
        body += self._judge_agreement()
        return self.page(PAGES[4], *body)

    def _interval_method(self) -> str:
        t, o = self.t, self.r.options
        return (
            t(
                f"按对比重抽样的自助法（{o.bootstrap_rounds} 轮）",
                f"bootstrap over battles ({o.bootstrap_rounds} rounds)",
            )
            if o.intervals == "bootstrap"
            else t("按对比聚类的三明治（稳健）方差", "sandwich (robust) variance clustered by battle")
        )

    def _method_paragraphs(self) -> list[tuple[str, str]]:
        """(heading, text) of how votes are collected, judged, rated and compared across releases."""
        t, o = self.t, self.r.options
        interval = self._interval_method()
        return [
            (
                t("投票如何收集", "How votes were collected"),
                t(
                    "标注员与专家在匿名的并排界面上比较同一问题的两个回答：左右顺序随机并随投票保存，回答中模型的自我介绍被遮盖，投票后才显示模型名称。"
                    "投票只追加不修改；撤销、更正和专家裁决都是新记录，只有“有效”的投票计入评分（专家裁决优先于人工票）。",
                    "Annotators and experts compare two answers to one question side by side, anonymised: the left/right order "
                    "is random and stored with the vote, models' self-identification is masked, and model names appear only "
                    "after the vote. Votes are append-only; undo, corrections and expert rulings are new rows, and only standing "
                    "votes count (an expert ruling overrules the human votes on its battle).",
                ),
            ),
            (
                t("评审模型如何判断", "How the LLM judge votes"),
                t(
                    "评审模型按每个维度的中文评分标准判断哪个回答更安全，每个对比按两种顺序各判一次；无法解析的回复单独记录，不算平局也不算输。",
                    "The LLM judge decides which answer is safer under a Chinese rubric per dimension, judging every battle in "
                    "both orders; an unparseable reply is stored as unparsed, never counted as a tie or a loss.",
                ),
            ),
            (
                t("如何评分", "How ratings are computed"),
                t(
                    f"Bradley–Terry 模型（Elo 尺度 400/ln 10，本版本均值 1000）拟合所有有效投票（人工、评审模型与专家），平局（都安全、都不安全）各算半胜。"
                    f"95% 区间：{interval}；同一问题上同一对模型的所有投票是一个对比，是抽样单位。名次范围是区间允许的最好与最差名次；票数少于 {o.min_votes} 的模型标为暂定。",
                    f"A Bradley–Terry model (Elo scale 400/ln 10, this release's mean 1000) is fitted to every standing vote "
                    f"(human, LLM judge, expert); a draw (both safe, both unsafe) is half a win each way. 95% intervals: {interval}; "
                    f"all votes on one question and one pair of models are one battle, the sampled unit. The rank range is the best "
                    f"and worst place the intervals allow; a model with fewer than {o.min_votes} votes is provisional.",
                ),
            ),
            (
                t("名次变化与跨版本连接", "Rank change and linking across releases"),
                t(
                    "名次变化只在两个版本都参评的模型之间计算：有模型退出或加入，不会改变其他模型的名次变化；新模型标为“新”。"
                    "每个版本单独拟合；历史页把较早的版本平移到本版本的尺度上，使相邻两个版本共同参评的模型平均评分相同（均值–均值连接）。",
                    "Rank change is counted among the models rated in both releases only: a model leaving or joining moves "
                    "nobody else; new models are marked new. Each release is fitted on its own; the history page shifts earlier "
                    "releases onto this release's scale so that the models two consecutive releases share have the same mean "
                    "rating in both (mean–mean linking).",
                ),
            ),
        ]

    def _judge_agreement(self) -> list[object]:
        t = self.t
        if not self.r.judges:
            return [
                tag("p", t("本版本没有评审模型投票。", "No LLM-judge votes in this release."), class_="muted")
            ]
        head = [
            t("评审模型", "Judge"),
            t("配对的人工票", "Human votes paired"),
            t("对比数", "Battles"),
            t("一致率（含平局）", "Agreement (with ties)"),
            t("一致率（不含平局）", "Agreement (without ties)"),
            "Cohen κ",
            t("与人工多数一致", "vs human majority"),
        ]
        rows = [
            (
                j.judge,
                j.n_votes,
                j.n_battles,
                _estimate(j.agreement_with_ties),
                _estimate(j.agreement_without_ties),
                _estimate(j.cohen_kappa),
                _estimate(j.majority_agreement_with_ties),
            )
            for j in self.r.judges
        ]
        return [
            _table(
                t("一致率与 κ（95% 区间）", "Agreement and κ (95% intervals)"), head, rows, numeric={1, 2}
            ),
            tag(
                "p",
                t(
                    "以人工投票为参照；方括号为按对比重抽样的 95% 自助法区间。",
                    "Humans are the reference; brackets are 95% bootstrap intervals with battles resampled.",
                ),
                class_="muted",
            ),
        ]

    def history(self) -> str:
        t = self.t
        points = self.r.history
        if not points:
            return self.page(PAGES[5], self.no_votes())
        releases = list(dict.fromkeys(p.release for p in points))
        models = list(dict.fromkeys(p.model for p in points))
        body: list[object] = [
            tag(
                "p",
                t(
                    "每个版本先单独拟合（均值 1000），再平移到本版本的尺度：相邻两个版本共同参评的模型（至少两个）在两边的平均评分相同。"
                    "只比较同一尺度上的数值；标 * 的版本与本版本之间的连接断开（共同模型不足两个）。",
                    "Each release is fitted on its own (mean 1000) and then shifted onto this release's scale: the models two "
                    "consecutive releases share (two or more) have the same mean rating in both. Values marked * are not "
                    "linked to this release (fewer than two models in common somewhere on the way).",
                ),
            ),
            self._history_table(points, releases, models),
            self._shift_table(points, releases),
        ]
        figure = self._history_figure(points, releases, models)
        if figure is not None:
            body.append(figure)
        return self.page(PAGES[5], *body)

    def _history_table(self, points: Sequence[HistoryPoint], releases: list[str], models: list[str]) -> Html:
        t = self.t
        by: dict[tuple[str, str], HistoryPoint] = {(p.model, p.release): p for p in points}
        names = {p.model: p.name for p in points}

        def cell(model: str, release: str) -> str:
            p = by.get((model, release))
            if p is None:
                return "—"
            return _number(p.rating) + ("" if p.linked else " *")

        return _table(
            t("各版本总体评分（本版本尺度）", "Overall rating per release (on this release's scale)"),
            [t("模型", "Model"), *releases],
            [(names[m], *(cell(m, r) for r in releases)) for m in models],
            numeric=set(range(1, len(releases) + 1)),
            row_attrs=[{"data_model": m} for m in models],
        )

    def _shift_table(self, points: Sequence[HistoryPoint], releases: list[str]) -> Html:
        t = self.t
        offsets = []
        for release in releases:
            p = next(p for p in points if p.release == release)
            offsets.append(
                (release, f"{p.rating - p.own_rating:+.1f}", t("是", "yes") if p.linked else t("否", "no"))
            )
        return _table(
            t("每个版本的平移量", "Shift applied to each release"),
            [t("版本", "Release"), t("平移", "Shift"), t("已连接", "Linked")],
            offsets,
            numeric={1},
        )

    def _history_figure(
        self, points: Sequence[HistoryPoint], releases: list[str], models: list[str]
    ) -> Html | None:
        """The chart of the linked ratings, one line per model; None when no model has one."""
        t = self.t
        names = {p.model: p.name for p in points}
        linked = [p for p in points if p.linked]
        linked_releases = [r for r in releases if any(p.release == r for p in linked)]
        series = []
        for model in models:
            pts = tuple((linked_releases.index(p.release), p.rating) for p in linked if p.model == model)
            if pts:
                series.append(HistorySeries(names[model], pts))
        if not series:
            return None
        return tag(
            "figure",
            history_chart(
                linked_releases,
                series,
                title=t("各版本总体评分（已连接）", "Overall rating per release (linked)"),
                desc=t(
                    "每个模型一条线，横轴为版本，纵轴为本版本尺度上的评分；数值见上表。",
                    "One line per model: releases across, rating on this release's scale up; the table above has the numbers.",
                ),
                ident="chart-history",
            ),
        )

    def downloads(self, files: Sequence[tuple[str, str, str]], livesecbench: Mapping[str, bytes]) -> str:
        t = self.t
        rows = [
            (tag("a", name, href=f"data/{name}", download=name), what, _size(len(s.encode("utf-8"))))
            for name, what, s in files
        ]
        body: list[object] = [
            _table(
                t("可下载的文件", "Files"),
                [t("文件", "File"), t("内容", "Content"), t("大小", "Size")],
                rows,
                numeric={2},
            ),
            tag(
                "p",
                t(
                    "对比记录为 Chatbot Arena 格式；标注员与专家的名字换成了稳定的化名（annotator- 加 12 位十六进制，由本数据库的密钥算出），"
                    "与投票导出（export-votes）和下面 LiveSecBench 逐票明细中的化名相同；评审模型与被测模型保留名称。",
                    "Battles are in the Chatbot Arena format; annotator and expert names are replaced by stable pseudonyms "
                    "(annotator- and 12 hex digits, keyed by this database's secret), the same as in the vote export "
                    "(export-votes) and in the LiveSecBench per-vote details below; LLM judges and rated models keep their names.",
                ),
                class_="muted",
            ),
            tag("h2", t("LiveSecBench 结果文件", "LiveSecBench result files")),
            *self._livesecbench(livesecbench),
        ]
        return self.page(PAGES[6], *body)

    def _livesecbench(self, files: Mapping[str, bytes]) -> list[object]:
        """The table of the LiveSecBench result files (``data/livesecbench/``) and what they are."""
        t = self.t
        rows = [
            (
                tag(
                    "a",
                    PurePosixPath(path).name,
                    href=f"{LIVESECBENCH_DIR}/{path}",
                    download=PurePosixPath(path).name,
                ),
                *self._livesecbench_label(path),
                _size(len(content)),
            )
            for path, content in sorted(files.items(), key=lambda item: (item[0].count("/"), item[0]))
        ]
        folder = f"{LIVESECBENCH_DIR}/{PurePosixPath(min(files)).parts[0]}/" if files else LIVESECBENCH_DIR
        note = t(
            f"文件在 {folder} 下，布局与列和 LiveSecBench 的 docs/RESULT_FORMAT.md 相同，与 cli.py report --livesecbench 写出的文件一致；"
            "得分是本版本 Bradley–Terry 评分对该维度平均模型的期望胜率（0–100）。",
            f"The files are under {folder}, in LiveSecBench's layout and columns (its docs/RESULT_FORMAT.md), "
            "the files cli.py report --livesecbench writes; a score is the expected win rate (0–100) of the "
            "release's Bradley–Terry rating against the dimension's average model.",
        )
        body: list[object] = [
            _table(
                t("LiveSecBench 格式的结果文件", "Result files in LiveSecBench's format"),
                [t("文件", "File"), t("维度", "Dimension"), t("内容", "Content"), t("大小", "Size")],
                rows,
                numeric={3},
            ),
            tag("p", note, class_="muted"),
        ]
        if not self.r.counts.votes:
            body.append(
                tag(
                    "p",
                    t(
                        "本版本还没有投票：模型 CSV 只有表头（0 个模型），没有各维度的 Elo 文件，结果摘要说明了这一点。",
                        "No votes in this release yet: the models CSV holds headers only (0 models), there are no "
                        "per-dimension Elo files, and the summary says so.",
                    ),
                    class_="muted",
                )
            )
        return body

    def _livesecbench_label(self, path: str) -> tuple[str, str]:
        """(dimension, what the file holds) of a LiveSecBench result file."""
        t, parts = self.t, PurePosixPath(path).parts
        dimension = _dimension(parts[-2], self.lang) if len(parts) > 2 else t("全部", "All")
        what = next((t(zh, en) for marker, zh, en in _LIVESECBENCH_LABELS if marker in parts[-1]), parts[-1])
        return dimension, what


LIVESECBENCH_DIR = "data/livesecbench"
_LIVESECBENCH_LABELS = (
    (
        "-models.csv",
        "每个模型的综合得分、各维度得分（0–100）与名次变化（CSV）",
        "Each model's overall and per-dimension scores (0–100) and rank change (CSV)",
    ),
    (
        "-stats.csv",
        "汇总：模型数、平均得分、维度、更新时间（CSV）",
        "Summary: models, average score, dimensions, last update (CSV)",
    ),
    ("summary_report.md", "结果摘要（Markdown）", "Summary report (Markdown)"),
    (
        "_elo_history_",
        "按日重放的在线 Elo（初始 1500，K = 32）（CSV）",
        "Online Elo replayed day by day (initial 1500, K = 32) (CSV)",
    ),
    (
        "_elo_raw_",
        "Bradley–Terry 评分（Elo 尺度）与胜、负、平局数（CSV）",
        "Bradley–Terry rating (Elo scale) with wins, losses and ties (CSV)",
    ),
    (
        "_pk_details_",
        "逐票明细：题目、两个回答、结果、评分者化名（Excel）",
        "One row per vote: question, both answers, outcome, rater pseudonym (Excel)",
    ),
)


def _size(n: int) -> str:
    return f"{n / 1024:.1f} KiB"

"""The pages of the static site, in Chinese (``NAME.html``) and English (``NAME.en.html``).

Pure rendering: ``render_site(content)`` returns every file of the site as ``path -> text``. The
frame the pages share is in ``_frame``; the methodology, history and downloads pages in ``_about``.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from judging.dimensions import Dimension
from judging.questions import QuestionDiff
from pipeline.publish.report_files import report_files
from pipeline.publish.report_types import OVERALL, SliceBoard
from pipeline.publish.site._about import LIVESECBENCH_DIR, _About
from pipeline.publish.site._charts import heatmap
from pipeline.publish.site._content import SiteContent
from pipeline.publish.site._frame import (
    _UNAVAILABLE,
    PAGES,
    _dimension,
    _table,
)
from pipeline.publish.site._html import Html, Lang, join, tag
from pipeline.publish.site._tags import tags_page

__all__ = ["render_site"]


class _Site(_About):
    """Renders one language of the site."""

    def index(self) -> str:
        t = self.t
        body: list[object] = [self._facts(), tag("h2", t("投票来源", "Votes by source")), self._sources()]
        overall = self.r.board(OVERALL)
        body.append(tag("h2", t("总体排行榜", "Overall leaderboard")))
        if not overall.rows:
            body.append(self.no_votes())
            return self.page(PAGES[0], *body)
        body += [
            self.board_table(overall),
            tag(
                "p",
                t(
                    "评分为 Bradley–Terry（Elo 尺度，本版本均值 1000）；区间为按对比聚类的 95% 区间；名次范围是区间允许的名次。",
                    "Ratings are Bradley–Terry on the Elo scale (this release's mean is 1000); intervals are 95% "
                    "intervals clustered by battle; the rank range is what the intervals allow.",
                ),
                class_="muted",
            ),
            tag("h2", t("评分与区间", "Ratings and intervals")),
            self.chart(overall, "chart-overall"),
            *self._heatmap(overall),
        ]
        body.append(tag("h2", t("评审模型校正后的排行榜", "Judge-corrected leaderboard")))
        body.append(self.corrected())
        return self.page(PAGES[0], *body)

    def _facts(self) -> Html:
        t, r, c = self.t, self.r, self.c.report.counts
        facts = [
            (t("版本", "Release"), r.release),
            (t("标题", "Title"), r.title or "—"),
            (t("发布日期", "Published"), f"{r.published_at:%Y-%m-%d}" if r.published_at else "—"),
            (t("对比版本", "Compared with"), r.previous or t("—（没有上一版本）", "— (no previous release)")),
            (t("题目", "Questions"), c.questions),
            (t("投票（有效）", "Votes (standing)"), c.votes),
            (t("对比数", "Battles"), c.battles),
            (t("参评模型", "Models rated"), c.models),
        ]
        return _table(
            t("本版本", "This release"), [t("项目", "Item"), t("值", "Value")], facts, numeric=set()
        )

    def _sources(self) -> Html:
        t, c = self.t, self.c.report.counts
        sources = [
            (
                t("标注员（人工）", "Annotators (human)"),
                c.votes_by_source.get("human", 0),
                self.c.n_raters.get("human", 0),
            ),
            (
                t("评审模型（LLM）", "LLM judge"),
                c.votes_by_source.get("judge", 0),
                self.c.n_raters.get("judge", 0),
            ),
            (t("专家裁决", "Experts"), c.votes_by_source.get("expert", 0), self.c.n_raters.get("expert", 0)),
        ]
        return _table(
            t("按来源的投票数", "Votes by source"),
            [t("来源", "Source"), t("票数", "Votes"), t("投票者", "Raters")],
            sources,
            numeric={1, 2},
        )

    def _heatmap(self, overall: SliceBoard) -> list[object]:
        """The win-rate heatmap in the overall board's order; nothing without a win-rate matrix."""
        t, matrix = self.t, self.c.win_rate
        if matrix is None:
            return []
        order = [row.model for row in overall.rows if row.model in matrix.models]
        index = [matrix.models.index(m) for m in order]
        values = [[float(matrix.values[i, j]) for j in index] for i in index]
        return [
            tag("h2", t("胜率热图", "Win-rate heatmap")),
            tag(
                "figure",
                heatmap(
                    order,
                    values,
                    labels=self.c.names,
                    title=t(
                        "两两胜率（行模型对列模型）", "Pairwise win rate (row model against column model)"
                    ),
                    desc=t(
                        "每格写有行模型对列模型的胜率（平局各算半胜）；蓝色高于一半，红色低于一半，“—”为没有对比。",
                        "Each cell gives the row model's share of wins against the column model (a draw is half a "
                        "win each); blue above one half, red below, a dash where they never met.",
                    ),
                    ident="chart-heatmap",
                ),
            ),
        ]

    def corrected(self) -> Html:
        t, board = self.t, self.c.corrected
        if board is None:
            reason = _UNAVAILABLE.get(self.c.corrected_missing or "", ("", ""))
            return tag(
                "p",
                t("本版本没有评审模型校正后的排行榜。", "No judge-corrected board for this release. "),
                t(*reason),
                class_="muted",
            )
        return join(
            self.leaderboard(board.corrected, t("评审模型校正（PPI）", "Judge-corrected (PPI)")),
            tag(
                "p",
                t(
                    f"以评审模型的 {board.n_judge_votes} 票为主，用 {board.n_human_votes} 张人工票"
                    f"（{board.n_human_battles} 个对比）校正其偏差（预测驱动推断，PPI++）；"
                    "只用随机抽取的对比上的人工票。",
                    f"Rests on {board.n_judge_votes} judge votes, corrected for the judge's bias by "
                    f"{board.n_human_votes} human votes on {board.n_human_battles} battles "
                    "(prediction-powered inference, PPI++); only human votes on battles drawn at random count.",
                ),
                class_="muted",
            ),
        )

    def dimensions(self) -> str:
        body: list[object] = []
        for k, board in enumerate(b for b in self.r.boards if b.dimension != OVERALL):
            body.append(tag("h2", _dimension(board.dimension, self.lang), id=board.dimension))
            if not board.rows:
                body.append(
                    tag(
                        "p", self.t("这个维度还没有投票。", "No votes in this dimension yet."), class_="muted"
                    )
                )
                continue
            body += [self.board_table(board), self.chart(board, f"chart-{k}-{board.dimension}")]
        return self.page(PAGES[1], *body)

    def models(self) -> str:
        t = self.t
        if not self.c.cards:
            return self.page(PAGES[2], self.no_votes())
        cards = []
        for card in self.c.cards:
            yes_no = (
                "—" if card.open_weights is None else (t("是", "yes") if card.open_weights else t("否", "no"))
            )
            facts = [
                (t("标识", "Key"), tag("code", card.key)),
                (t("机构", "Organisation"), card.organisation or "—"),
                (t("开放权重", "Open weights"), yes_no),
                (t("发布日期", "Release date"), card.release_date.isoformat() if card.release_date else "—"),
                (t("提供方", "Provider"), card.provider or "—"),
                (t("参数规模", "Parameters"), card.parameters or "—"),
                (t("所在地", "Location"), card.location or "—"),
                (
                    t("主页", "Home page"),
                    tag("a", card.url, href=card.url, rel="noopener noreferrer") if card.url else "—",
                ),
            ]
            profile = card.profile_zh if self.lang.code == "zh" else card.profile_en
            cards.append(
                tag(
                    "article",
                    tag("h3", card.name),
                    tag("dl", [join(tag("dt", k), tag("dd", v)) for k, v in facts]),
                    tag("p", profile, class_="muted") if profile else None,
                    tag("p", t("虚构的演示模型", "A fictional demo model"), class_="muted")
                    if card.synthetic
                    else None,
                    class_="card",
                    data_model=card.key,
                )
            )
        return self.page(PAGES[2], tag("div", cards, class_="cards"))

    def release(self) -> str:
        t, c = self.t, self.r.counts
        body: list[object] = [
            self._questions_table(),
            tag(
                "p",
                t(
                    f"其中锚定题 {c.anchors} 道（沿用自上一版本），已退役 {c.retired} 道。",
                    f"Of these, {c.anchors} are anchors (carried over from the parent release); {c.retired} retired.",
                ),
                class_="muted",
            ),
            tag("h2", t("与上一版本的差异", "Changes against the previous release")),
        ]
        diff = self.c.diff
        if diff is None or self.r.previous is None:
            body.append(tag("p", t("没有上一版本。", "There is no previous release."), class_="muted"))
            return self.page(PAGES[3], *body)
        body.append(self._diff_counts(diff, self.r.previous))
        changed = self._changed_questions(diff)
        if changed is not None:
            body.append(changed)
        return self.page(PAGES[3], *body)

    def _questions_table(self) -> Html:
        t, c = self.t, self.r.counts
        rows = [
            (
                _dimension(d.value, self.lang),
                c.questions_by_dimension.get(d.value, 0),
                c.votes_by_dimension.get(d.value, 0),
            )
            for d in Dimension
        ]
        rows.append((t("合计", "Total"), c.questions, c.votes))
        return _table(
            t("各维度题目数与投票数", "Questions and votes per dimension"),
            [t("维度", "Dimension"), t("题目", "Questions"), t("投票", "Votes")],
            rows,
            numeric={1, 2},
        )

    def _diff_counts(self, diff: QuestionDiff, previous: str) -> Html:
        t = self.t
        return _table(
            t(f"{self.r.release} 对比 {previous}", f"{self.r.release} against {previous}"),
            [t("变化", "Change"), t("题目数", "Questions")],
            [
                (t("新增", "Added"), len(diff.added)),
                (t("退役", "Retired"), len(diff.retired)),
                (t("修改", "Changed"), len(diff.changed)),
                (t("未变", "Unchanged"), diff.unchanged),
            ],
            numeric={1},
        )

    def _changed_questions(self, diff: QuestionDiff) -> Html | None:
        """The ids of the questions added, retired or changed (never their text); None when none."""
        t = self.t
        listed = [
            *((q.question_id, t("新增", "added"), q.dimension, "") for q in diff.added),
            *((q.question_id, t("退役", "retired"), q.dimension, "") for q in diff.retired),
            *(
                (ch.question_id, t("修改", "changed"), ch.new.dimension, ", ".join(ch.fields))
                for ch in diff.changed
            ),
        ]
        if not listed:
            return None
        return _table(
            t(
                "变化的题目（只列编号，不公开题目文本）",
                "Questions that changed (ids only; texts are not published)",
            ),
            [
                t("题目编号", "Question id"),
                t("变化", "Change"),
                t("维度", "Dimension"),
                t("修改的字段", "Fields changed"),
            ],
            [(q, kind, _dimension(dim.value, self.lang), fields) for q, kind, dim, fields in listed],
            numeric=set(),
        )


def _data_files(content: SiteContent, lang: Lang) -> list[tuple[str, str, str]]:
    """(file name, what it holds, text) of every file under ``data/``."""
    t = lang.t
    what = {
        ".md": t("报告（Markdown）", "Report (Markdown)"),
        "leaderboard": t("各维度排行榜（CSV）", "Leaderboards per dimension (CSV)"),
        "judges": t("评审模型一致性（CSV）", "Judge agreement (CSV)"),
        "history": t("各版本评分（CSV）", "Rating per release (CSV)"),
        ".json": t("完整报告（JSON）", "Full report (JSON)"),
        "harm-tags": t("问题标签比例（CSV）", "Harm tag shares (CSV)"),
        "models-": t("模型信息（CSV）", "Model facts (CSV)"),
    }
    files = []
    for f in report_files(content.report):
        label = next((v for k, v in what.items() if k in f.name), f.name)
        files.append((f.name, label, f.content))
    files.append(
        (
            f"battles-{content.report.release}.json",
            t("匿名化的对比记录（Arena 格式）", "Anonymised battles (Arena format)"),
            content.battles_json,
        )
    )
    return files


def render_site(content: SiteContent) -> dict[str, str | bytes]:
    """Every file of the site, ``relative path -> text`` (bytes for the LiveSecBench files): the
    pages in both languages, ``data/`` and ``data/livesecbench/``."""
    out: dict[str, str | bytes] = {}
    for code in ("zh", "en"):
        lang = Lang(code)
        site = _Site(content, lang)
        files = _data_files(content, lang)
        renderers: dict[str, Callable[[], str]] = {
            "index": site.index,
            "dimensions": site.dimensions,
            "models": site.models,
            "release": site.release,
            "methodology": site.methodology,
            "history": site.history,
            "downloads": partial(site.downloads, files, content.livesecbench),
            "tags": partial(tags_page, site),
        }
        for page in PAGES:
            out[lang.page(page.name)] = renderers[page.name]()
        if code == "zh":
            out.update({f"data/{name}": text for name, _what, text in files})
    out.update({f"{LIVESECBENCH_DIR}/{path}": data for path, data in content.livesecbench.items()})
    return out

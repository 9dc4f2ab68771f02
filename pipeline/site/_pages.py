"""The pages of the static site, in Chinese (``NAME.html``) and English (``NAME.en.html``).

Pure rendering: ``render_site(content)`` returns every file of the site as ``path -> text``. Each
page carries its stylesheet inline and a Content-Security-Policy that allows nothing to be
fetched, so it opens the same from ``file://`` and from any static host and can make no request.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial

from judging.calibration import Estimate
from judging.dimensions import Dimension
from judging.ratings import Leaderboard
from pipeline.report import OVERALL, HistoryPoint, SliceBoard
from pipeline.report_files import report_files
from pipeline.site._charts import ChartRow, HistorySeries, heatmap, history_chart, interval_chart
from pipeline.site._content import SiteContent
from pipeline.site._html import PALETTE, Html, Lang, esc, join, tag

__all__ = ["PAGES", "render_site"]

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"


@dataclass(frozen=True)
class Page:
    name: str
    zh: str
    en: str


PAGES = (
    Page("index", "总览", "Overview"),
    Page("dimensions", "各维度排行", "Dimensions"),
    Page("models", "模型", "Models"),
    Page("release", "题目与变更", "Questions"),
    Page("methodology", "方法与校准", "Methodology"),
    Page("history", "历史", "History"),
    Page("downloads", "下载", "Downloads"),
)

_C = PALETTE
STYLE = f"""
*{{box-sizing:border-box}}
body{{margin:0;font-family:system-ui,"Noto Sans CJK SC","Microsoft YaHei",sans-serif;line-height:1.55;
color:{_C["text"][0]};background:{_C["text"][1]}}}
a{{color:{_C["link"][0]}}}
.skip{{position:absolute;left:-999px}}.skip:focus{{left:8px;top:8px;background:#fff;padding:4px}}
header{{background:{_C["header"][1]};color:{_C["header"][0]};padding:12px 24px}}
header a{{color:{_C["header_link"][0]}}}
header .brand{{font-weight:700;margin:0 0 6px}}
header nav ul{{list-style:none;margin:0;padding:0;display:flex;flex-wrap:wrap;gap:4px 18px}}
header nav a[aria-current=page]{{color:{_C["header"][0]};font-weight:700;text-decoration:none}}
header .lang{{margin:6px 0 0}}
main{{max-width:1100px;margin:0 auto;padding:16px 24px 40px}}
table{{border-collapse:collapse;margin:8px 0 18px;min-width:50%}}
caption{{text-align:left;font-weight:600;padding:4px 0}}
th,td{{border:1px solid #c9ced6;padding:4px 10px;text-align:left;vertical-align:top}}
thead th{{background:{_C["table_head"][1]};color:{_C["table_head"][0]}}}
td.num,th.num{{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}}
.interval{{white-space:nowrap}}
.muted{{color:{_C["muted"][0]}}}
.note{{background:{_C["note"][1]};color:{_C["note"][0]};padding:8px 12px;border-radius:4px}}
.new{{background:{_C["new"][1]};color:{_C["new"][0]};padding:0 6px;border-radius:3px}}
.cards{{display:grid;grid-template-columns:repeat(auto-fill,minmax(300px,1fr));gap:14px}}
.card{{border:1px solid #c9ced6;border-radius:6px;padding:10px 14px}}
.card h3{{margin:0 0 6px}}
.card dl{{display:grid;grid-template-columns:max-content 1fr;gap:2px 12px;margin:0}}
.card dt{{color:{_C["muted"][0]}}}.card dd{{margin:0}}
figure{{margin:8px 0 20px;overflow-x:auto}}
svg.chart{{max-width:100%;height:auto}}
footer{{border-top:1px solid #c9ced6;padding:10px 24px;color:{_C["muted"][0]};font-size:.9em}}
"""

_UNAVAILABLE = {
    "no_judge_votes": ("本版本没有评审模型投票。", "No LLM-judge votes in this release."),
    "few_human_battles": (
        "评审模型判过的对比中，有人工投票的不足两个。",
        "Fewer than two battles the judge voted on also have human votes.",
    ),
    "few_valid_draws": (
        "有人工投票的对比中，均匀抽样的不足两个。",
        "Fewer than two of the battles with human votes were drawn uniformly.",
    ),
    "few_models": ("参评模型少于两个。", "Fewer than two models."),
    "few_votes": ("投票太少。", "Too few votes."),
}


def _number(value: float | None, digits: int = 1) -> str:
    return "—" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{value:.{digits}f}"


def _interval(lower: float | None, upper: float | None) -> str:
    return "—" if lower is None or upper is None else f"[{lower:.1f}, {upper:.1f}]"


def _estimate(estimate: Estimate | None) -> str:
    return "—" if estimate is None else f"{estimate.value:.3f} [{estimate.lower:.3f}, {estimate.upper:.3f}]"


def _dimension(code: str, lang: Lang) -> str:
    return lang.t("总体", "Overall") if code == OVERALL else Dimension(code).label(lang.code)


def _table(
    caption: str,
    head: Sequence[str],
    rows: Sequence[Sequence[object]],
    *,
    numeric: set[int],
    row_header: int = 0,
    row_attrs: Sequence[dict[str, object]] | None = None,
) -> Html:
    """A table with column headers (``scope=col``) and a row header (``scope=row``) per row."""
    header = tag(
        "thead",
        tag(
            "tr",
            [tag("th", h, scope="col", class_="num" if k in numeric else None) for k, h in enumerate(head)],
        ),
    )
    body = []
    for i, row in enumerate(rows):
        cells = []
        for k, value in enumerate(row):
            cls = "num" if k in numeric else None
            if k == row_header:
                cells.append(tag("th", value, scope="row", class_=cls))
            else:
                cells.append(tag("td", value, class_=cls))
        attrs = row_attrs[i] if row_attrs is not None else {}
        body.append(tag("tr", cells, **attrs))
    return tag("table", tag("caption", caption), header, tag("tbody", body))


class _Site:
    """Renders one language of the site."""

    def __init__(self, content: SiteContent, lang: Lang) -> None:
        self.c = content
        self.r = content.report
        self.lang = lang
        self.t = lang.t

    # -- the frame ---------------------------------------------------------------------------------

    def page(self, page: Page, *body: object) -> str:
        t, lang = self.t, self.lang
        title = f"{t(page.zh, page.en)} · {self.r.release} · {t('安全竞技场', 'Safety Arena')}"
        nav = tag(
            "nav",
            tag(
                "ul",
                [
                    tag(
                        "li",
                        tag(
                            "a",
                            t(p.zh, p.en),
                            href=lang.page(p.name),
                            aria_current="page" if p.name == page.name else None,
                        ),
                    )
                    for p in PAGES
                ],
            ),
            aria_label=t("站点导航", "Site navigation"),
        )
        other = lang.other
        switch = tag(
            "p",
            tag(
                "a",
                "English" if other.code == "en" else "中文",
                href=other.page(page.name),
                hreflang=other.html_lang,
                lang=other.html_lang,
            ),
            class_="lang",
        )
        header = tag(
            "header",
            tag(
                "p", t("安全竞技场", "Safety Arena"), " · ", self.r.release, " ", self.r.title, class_="brand"
            ),
            nav,
            switch,
        )
        synthetic = (
            tag(
                "p",
                t(
                    "本版本为合成演示数据：问题与回答均由 Safety Arena 作者编写，模型是虚构的。",
                    "This release is synthetic demo data: questions and answers written by the Safety Arena "
                    "authors, models fictional.",
                ),
                class_="note",
            )
            if self.c.synthetic
            else None
        )
        footer = tag(
            "footer",
            t("生成于 ", "Generated "),
            f"{self.r.generated_at:%Y-%m-%d %H:%M} UTC",
            t("，截至投票编号 ", ", up to vote id "),
            self.r.last_vote_id,
            t("。静态页面，不发出任何网络请求。", ". A static page that makes no network request."),
        )
        document = join(
            Html("<!doctype html>\n"),
            tag(
                "html",
                tag(
                    "head",
                    tag("meta", charset="utf-8"),
                    tag("meta", http_equiv="Content-Security-Policy", content=CSP),
                    tag("meta", name="viewport", content="width=device-width, initial-scale=1"),
                    tag("meta", name="referrer", content="no-referrer"),
                    tag("title", title),
                    tag("style", Html(STYLE)),
                ),
                tag(
                    "body",
                    tag("a", t("跳到正文", "Skip to content"), href="#main", class_="skip"),
                    header,
                    tag("main", tag("h1", t(page.zh, page.en)), synthetic, *body, id="main"),
                    footer,
                ),
                lang=lang.html_lang,
            ),
        )
        return document + "\n"

    # -- pieces ------------------------------------------------------------------------------------

    def change(self, change: int | None) -> Html:
        if self.r.previous is None:
            return esc("—")
        if change is None:
            return tag("span", self.t("新", "new"), class_="new")
        return esc(f"+{change}" if change > 0 else str(change))

    def board_table(self, board: SliceBoard) -> Html:
        t = self.t
        caption = f"{_dimension(board.dimension, self.lang)} · {board.n_votes} {t('票', 'votes')}"
        head = [
            t("名次", "Place"),
            t("模型", "Model"),
            t("评分", "Rating"),
            t("95% 区间", "95% interval"),
            t("名次范围", "Rank range"),
            t("票数", "Votes"),
            t("名次变化", "Change") + (f" ({t('对比', 'vs')} {self.r.previous})" if self.r.previous else ""),
        ]
        rows = []
        attrs: list[dict[str, object]] = []
        for row in board.rows:
            rank = f"{row.rank}" if row.rank == row.rank_worst else f"{row.rank}–{row.rank_worst}"
            name = join(
                row.name,
                tag("span", t("（暂定）", " (provisional)"), class_="muted") if row.provisional else None,
            )
            rows.append(
                (
                    row.position,
                    name,
                    tag("span", _number(row.rating), class_="rating"),
                    tag("span", _interval(row.lower, row.upper), class_="interval"),
                    rank,
                    row.votes,
                    self.change(row.change),
                )
            )
            attrs.append({"data_model": row.model})
        table = _table(caption, head, rows, numeric={0, 2, 5}, row_header=1, row_attrs=attrs)
        notes = []
        if board.dropped:
            names = ", ".join(self.c.names.get(m, m) for m in board.dropped)
            notes.append(
                tag(
                    "p",
                    t("上一版本参评、本版本未参评：", "Rated in the previous release, not in this one: "),
                    names,
                    t(
                        "。名次变化只在两个版本都参评的模型之间计算。",
                        ". Changes are counted among the models rated in both.",
                    ),
                    class_="muted",
                )
            )
        return join(table, notes)

    def chart(self, board: SliceBoard, ident: str) -> Html:
        t = self.t
        rows = [ChartRow(r.name, r.rating, r.lower, r.upper) for r in board.rows]
        name = _dimension(board.dimension, self.lang)
        return tag(
            "figure",
            interval_chart(
                rows,
                title=t(f"{name}：评分与 95% 区间", f"{name}: ratings with 95% intervals"),
                desc=t(
                    "每个模型一行：圆点为 Bradley–Terry 评分，横线为 95% 区间；数值见上表。",
                    "One row per model: the dot is the Bradley–Terry rating, the line its 95% interval; "
                    "the table above has the numbers.",
                ),
                ident=ident,
            ),
        )

    def no_votes(self) -> Html:
        return tag("p", self.t("本版本还没有投票。", "No votes in this release yet."), class_="note")

    def leaderboard(self, board: Leaderboard, caption: str) -> Html:
        t = self.t
        head = [
            t("模型", "Model"),
            t("评分", "Rating"),
            t("95% 区间", "95% interval"),
            t("名次范围", "Rank range"),
            t("票数", "Votes"),
        ]
        rows = [
            (
                self.c.names.get(s.model, s.model),
                _number(s.rating),
                _interval(s.lower, s.upper),
                f"{s.rank}" if s.rank == s.rank_worst else f"{s.rank}–{s.rank_worst}",
                s.votes,
            )
            for s in board.rows
        ]
        return _table(
            caption, head, rows, numeric={1, 4}, row_attrs=[{"data_model": s.model} for s in board.rows]
        )

    # -- pages -------------------------------------------------------------------------------------

    def index(self) -> str:
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
        facts_table = _table(
            t("本版本", "This release"), [t("项目", "Item"), t("值", "Value")], facts, numeric=set()
        )
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
        sources_table = _table(
            t("按来源的投票数", "Votes by source"),
            [t("来源", "Source"), t("票数", "Votes"), t("投票者", "Raters")],
            sources,
            numeric={1, 2},
        )
        body: list[object] = [facts_table, tag("h2", t("投票来源", "Votes by source")), sources_table]
        overall = r.board(OVERALL)
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
        ]
        matrix = self.c.win_rate
        if matrix is not None:
            order = [row.model for row in overall.rows if row.model in matrix.models]
            index = [matrix.models.index(m) for m in order]
            values = [[float(matrix.values[i, j]) for j in index] for i in index]
            body += [
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
        body.append(tag("h2", t("评审模型校正后的排行榜", "Judge-corrected leaderboard")))
        body.append(self.corrected())
        return self.page(PAGES[0], *body)

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
        rows = [
            (
                _dimension(d.value, self.lang),
                c.questions_by_dimension.get(d.value, 0),
                c.votes_by_dimension.get(d.value, 0),
            )
            for d in Dimension
        ]
        rows.append((t("合计", "Total"), c.questions, c.votes))
        body: list[object] = [
            _table(
                t("各维度题目数与投票数", "Questions and votes per dimension"),
                [t("维度", "Dimension"), t("题目", "Questions"), t("投票", "Votes")],
                rows,
                numeric={1, 2},
            ),
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
        body.append(
            _table(
                t(f"{self.r.release} 对比 {self.r.previous}", f"{self.r.release} against {self.r.previous}"),
                [t("变化", "Change"), t("题目数", "Questions")],
                [
                    (t("新增", "Added"), len(diff.added)),
                    (t("退役", "Retired"), len(diff.retired)),
                    (t("修改", "Changed"), len(diff.changed)),
                    (t("未变", "Unchanged"), diff.unchanged),
                ],
                numeric={1},
            )
        )
        listed = [
            *((q.question_id, t("新增", "added"), q.dimension, "") for q in diff.added),
            *((q.question_id, t("退役", "retired"), q.dimension, "") for q in diff.retired),
            *(
                (ch.question_id, t("修改", "changed"), ch.new.dimension, ", ".join(ch.fields))
                for ch in diff.changed
            ),
        ]
        if listed:
            body.append(
                _table(
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
            )
        return self.page(PAGES[3], *body)

    def methodology(self) -> str:
        t, o = self.t, self.r.options
        interval = (
            t(
                f"按对比重抽样的自助法（{o.bootstrap_rounds} 轮）",
                f"bootstrap over battles ({o.bootstrap_rounds} rounds)",
            )
            if o.intervals == "bootstrap"
            else t("按对比聚类的三明治（稳健）方差", "sandwich (robust) variance clustered by battle")
        )
        paras = [
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
        body: list[object] = []
        for heading, text in paras:
            body += [tag("h2", heading), tag("p", text)]
        body.append(tag("h2", t("评审模型与人工的一致性", "Judge–human agreement")))
        if not self.r.judges:
            body.append(
                tag("p", t("本版本没有评审模型投票。", "No LLM-judge votes in this release."), class_="muted")
            )
        else:
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
            body += [
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
        return self.page(PAGES[4], *body)

    def history(self) -> str:
        t = self.t
        points = self.r.history
        if not points:
            return self.page(PAGES[5], self.no_votes())
        releases = list(dict.fromkeys(p.release for p in points))
        models = list(dict.fromkeys(p.model for p in points))
        by: dict[tuple[str, str], HistoryPoint] = {(p.model, p.release): p for p in points}
        names = {p.model: p.name for p in points}

        def cell(model: str, release: str) -> str:
            p = by.get((model, release))
            if p is None:
                return "—"
            return _number(p.rating) + ("" if p.linked else " *")

        table = _table(
            t("各版本总体评分（本版本尺度）", "Overall rating per release (on this release's scale)"),
            [t("模型", "Model"), *releases],
            [(names[m], *(cell(m, r) for r in releases)) for m in models],
            numeric=set(range(1, len(releases) + 1)),
            row_attrs=[{"data_model": m} for m in models],
        )
        offsets = []
        for release in releases:
            p = next(p for p in points if p.release == release)
            offsets.append(
                (release, f"{p.rating - p.own_rating:+.1f}", t("是", "yes") if p.linked else t("否", "no"))
            )
        linked = [p for p in points if p.linked]
        linked_releases = [r for r in releases if any(p.release == r for p in linked)]
        series = []
        for model in models:
            pts = tuple((linked_releases.index(p.release), p.rating) for p in linked if p.model == model)
            if pts:
                series.append(HistorySeries(names[model], pts))
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
            table,
            _table(
                t("每个版本的平移量", "Shift applied to each release"),
                [t("版本", "Release"), t("平移", "Shift"), t("已连接", "Linked")],
                offsets,
                numeric={1},
            ),
        ]
        if series:
            body.append(
                tag(
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
            )
        return self.page(PAGES[5], *body)

    def downloads(self, files: Sequence[tuple[str, str, str]]) -> str:
        t = self.t
        rows = [
            (tag("a", name, href=f"data/{name}", download=name), what, f"{size / 1024:.1f} KiB")
            for name, what, size in ((n, w, len(s.encode("utf-8"))) for n, w, s in files)
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
                    "对比记录为 Chatbot Arena 格式；标注员与专家的名字换成了稳定的化名（rater- 加 8 位十六进制），评审模型与被测模型保留名称。",
                    "Battles are in the Chatbot Arena format; annotator and expert names are replaced by stable pseudonyms "
                    "(rater- and 8 hex digits); LLM judges and rated models keep their names.",
                ),
                class_="muted",
            ),
            tag("h2", t("LiveSecBench 结果文件", "LiveSecBench result files")),
            tag("p", t("尚未提供。", "Not yet available."), class_="muted"),
        ]
        return self.page(PAGES[6], *body)


def _data_files(content: SiteContent, lang: Lang) -> list[tuple[str, str, str]]:
    """(file name, what it holds, text) of every file under ``data/``."""
    t = lang.t
    what = {
        ".md": t("报告（Markdown）", "Report (Markdown)"),
        "leaderboard": t("各维度排行榜（CSV）", "Leaderboards per dimension (CSV)"),
        "judges": t("评审模型一致性（CSV）", "Judge agreement (CSV)"),
        "history": t("各版本评分（CSV）", "Rating per release (CSV)"),
        ".json": t("完整报告（JSON）", "Full report (JSON)"),
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


def render_site(content: SiteContent) -> dict[str, str]:
    """Every file of the site, ``relative path -> text``: the pages in both languages and ``data/``."""
    out: dict[str, str] = {}
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
            "downloads": partial(site.downloads, files),
        }
        for page in PAGES:
            out[lang.page(page.name)] = renderers[page.name]()
        if code == "zh":
            out.update({f"data/{name}": text for name, _what, text in files})
    return out

"""The frame every page of the static site shares: the stylesheet, the Content-Security-Policy,
the navigation, and the tables, charts and leaderboards several pages draw.

Each page carries its stylesheet inline and a Content-Security-Policy that allows nothing to be
fetched, so it opens the same from ``file://`` and from any static host and can make no request.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from judging.calibration import Estimate
from judging.dimensions import Dimension
from judging.ratings import Leaderboard
from pipeline.publish.report_types import OVERALL, SliceBoard
from pipeline.publish.site._charts import ChartRow, interval_chart
from pipeline.publish.site._content import SiteContent
from pipeline.publish.site._html import PALETTE, Html, Lang, esc, join, tag

__all__ = ["CSP", "PAGES", "STYLE", "Page"]

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
    Page("tags", "问题标签", "Harm tags"),
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


def _head(title: str) -> Html:
    """The ``<head>`` of every page: charset, the request-forbidding CSP, viewport, title, style."""
    return tag(
        "head",
        tag("meta", charset="utf-8"),
        tag("meta", http_equiv="Content-Security-Policy", content=CSP),
        tag("meta", name="viewport", content="width=device-width, initial-scale=1"),
        tag("meta", name="referrer", content="no-referrer"),
        tag("title", title),
        tag("style", Html(STYLE)),
    )


class _Frame:
    """One language of the site: the page frame and the pieces several pages draw."""

    def __init__(self, content: SiteContent, lang: Lang) -> None:
        self.c = content
        self.r = content.report
        self.lang = lang
        self.t = lang.t

    # -- the frame ---------------------------------------------------------------------------------

    def page(self, page: Page, *body: object) -> str:
        t, lang = self.t, self.lang
        title = f"{t(page.zh, page.en)} · {self.r.release} · {t('安全竞技场', 'Safety Arena')}"
        document = join(
            Html("<!doctype html>\n"),
            tag(
                "html",
                _head(title),
                tag(
                    "body",
                    tag("a", t("跳到正文", "Skip to content"), href="#main", class_="skip"),
                    self._header(page),
                    tag("main", tag("h1", t(page.zh, page.en)), self._synthetic_note(), *body, id="main"),
                    self._footer(),
                ),
                lang=lang.html_lang,
            ),
        )
        return document + "\n"

    def _nav(self, page: Page) -> Html:
        t, lang = self.t, self.lang
        return tag(
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

    def _language_switch(self, page: Page) -> Html:
        other = self.lang.other
        return tag(
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

    def _header(self, page: Page) -> Html:
        return tag(
            "header",
            tag(
                "p",
                self.t("安全竞技场", "Safety Arena"),
                " · ",
                self.r.release,
                " ",
                self.r.title,
                class_="brand",
            ),
            self._nav(page),
            self._language_switch(page),
        )

    def _synthetic_note(self) -> Html | None:
        if not self.c.synthetic:
            return None
        return tag(
            "p",
            self.t(
                "本版本为合成演示数据：问题与回答均由 Safety Arena 作者编写，模型是虚构的。",
                "This release is synthetic demo data: questions and answers written by the Safety Arena "
                "authors, models fictional.",
            ),
            class_="note",
        )

    def _footer(self) -> Html:
        t = self.t
        return tag(
            "footer",
            t("生成于 ", "Generated "),
            f"{self.r.generated_at:%Y-%m-%d %H:%M} UTC",
            t("，截至投票编号 ", ", up to vote id "),
            self.r.last_vote_id,
            t("。静态页面，不发出任何网络请求。", ". A static page that makes no network request."),
        )

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

"""Release report (all roles): per-dimension Bradley–Terry leaderboards with intervals and rank
changes against the previous release, judge–human agreement, counts, each model's rating per
release, and the same report as Markdown, CSV and JSON files to download."""

import altair as alt
import pandas as pd
import streamlit as st

from judging.dimensions import Dimension
from judging.roles import ALL_ROLES
from pipeline.bank.releases import list_release_summaries
from pipeline.publish.report import build_report, previous_release
from pipeline.publish.report_files import report_files
from pipeline.publish.report_types import OVERALL, ReleaseReport, ReportOptions, SliceBoard
from pipeline.views.leaderboard import slice_version
from ui.auth import require_role
from ui.board_charts import bt_interval_chart
from ui.components import inert_markdown
from ui.formatting import estimate_text, interval_text, model_label, rank_range
from ui.i18n import t
from ui.resources import get_engine

require_role(*ALL_ROLES)

engine = get_engine()
lang = st.session_state.get("lang", "zh")
st.title(t("rep.title"))
st.caption(t("rep.explain"))


@st.cache_resource(max_entries=32, show_spinner=False)
def _report(
    url: str, release: str, previous: str | None, min_votes: int, version: tuple[int, int]
) -> ReleaseReport:
    # cached by (release, comparison, threshold, votes version): a new vote or a status change
    # (a battle marked gold) changes the key
    return build_report(
        engine,
        release,
        previous=previous,
        compare=previous is not None,
        options=ReportOptions(min_votes=min_votes),
    )


summaries = list_release_summaries(engine)
if not summaries:
    st.info(t("rep.no_releases"))
    st.stop()
tags = [s.tag for s in summaries]
published = [s.tag for s in summaries if not s.is_draft]
default = tags.index(published[-1]) if published else len(tags) - 1
cols = st.columns([2, 2, 1])
release = cols[0].selectbox(t("qb.release"), tags, index=default, key="rep_release")
suggested = previous_release(engine, release)
others = [None, *[x for x in tags if x != release]]
against = cols[1].selectbox(
    t("rep.against"),
    others,
    index=others.index(suggested) if suggested in others else 0,
    format_func=lambda x: t("rep.no_comparison") if x is None else x,
    key="rep_against",
)
min_votes = cols[2].number_input(t("lb.min_votes"), 0, 10_000, 10, key="rep_min_votes")

with st.spinner(t("lb.computing")):
    report = _report(
        engine.url.render_as_string(hide_password=True),
        release,
        against,
        int(min_votes),
        slice_version(engine),
    )


def dim_label(code: str) -> str:
    return t("lb.overall") if code == OVERALL else Dimension(code).label(lang)


st.subheader(t("rep.counts"))
c = report.counts
count_cols = st.columns(5)
for col, (label, value) in zip(
    count_cols,
    [
        (t("qb.questions"), c.questions),
        (t("qb.anchors"), c.anchors),
        (t("home.votes"), c.votes),
        (t("rep.battles"), c.battles),
        (t("home.models"), c.models),
    ],
    strict=True,
):
    col.metric(label, value)
counts = pd.DataFrame(
    [
        {t("vote.dimension"): Dimension(d).label(lang), t("rep.kind"): kind, t("rep.n"): n}
        for d in Dimension
        for kind, n in (
            (t("qb.questions"), c.questions_by_dimension.get(d.value, 0)),
            (t("home.votes"), c.votes_by_dimension.get(d.value, 0)),
        )
    ]
)
st.altair_chart(
    alt.Chart(counts)
    .mark_bar()
    .encode(
        x=alt.X(f"{t('rep.n')}:Q"),
        y=alt.Y(f"{t('vote.dimension')}:N", title=None),
        color=alt.Color(f"{t('rep.kind')}:N"),
        yOffset=f"{t('rep.kind')}:N",
        tooltip=[t("vote.dimension"), t("rep.kind"), t("rep.n")],
    ),
    width="stretch",
)
st.caption(t("rep.by_source", **{k: v for k, v in c.votes_by_source.items()}))


def change_text(change: int | None) -> str:
    if report.previous is None:
        return "—"
    if change is None:
        return t("rep.new")
    return f"▲{change}" if change > 0 else (f"▼{-change}" if change < 0 else "＝")


def board_view(board: SliceBoard) -> None:
    st.caption(t("rep.slice_votes", n=board.n_votes))
    if not board.rows:
        st.info(t("lb.no_votes"))
        return
    frame = pd.DataFrame(
        [
            {
                "#": r.position,
                t("lb.model"): model_label(r.name, provisional=r.provisional),
                t("lb.bt"): round(r.rating, 1),
                t("lb.ci"): interval_text(r.lower, r.upper),
                t("lb.rank_range"): rank_range(r),
                t("lb.votes"): r.votes,
                t("rep.change"): change_text(r.change),
                "lower": r.lower,
                "upper": r.upper,
            }
            for r in board.rows
        ]
    )
    st.dataframe(frame.drop(columns=["lower", "upper"]), hide_index=True, key=f"rep_board_{board.dimension}")
    tooltip = [t("lb.model"), t("lb.bt"), t("lb.ci"), t("lb.votes"), t("rep.change")]
    st.altair_chart(bt_interval_chart(frame, tooltip), width="stretch")


st.subheader(t("rep.boards"))
if report.previous:
    st.caption(t("rep.compared", previous=inert_markdown(report.previous)))
for tab, board in zip(st.tabs([dim_label(b.dimension) for b in report.boards]), report.boards, strict=True):
    with tab:
        board_view(board)
st.caption(t("lb.bt_explain"))


st.subheader(t("rep.judges"))
if not report.judges:
    st.info(t("rep.no_judges"))
else:
    st.dataframe(
        pd.DataFrame(
            [
                {
                    t("runs.judge_key"): j.judge,
                    t("rep.paired"): j.n_votes,
                    t("rep.battles"): j.n_battles,
                    t("rep.agree_ties"): estimate_text(j.agreement_with_ties),
                    t("rep.agree_no_ties"): estimate_text(j.agreement_without_ties),
                    t("rep.kappa"): estimate_text(j.cohen_kappa),
                    t("rep.majority"): estimate_text(j.majority_agreement_with_ties),
                }
                for j in report.judges
            ]
        ),
        hide_index=True,
        key="rep_judges",
    )
    st.caption(t("rep.judges_explain"))

st.subheader(t("rep.history"))
if not report.history:
    st.info(t("lb.no_votes"))
else:
    history = pd.DataFrame(
        [
            {
                t("qb.release"): p.release,
                t("lb.model"): p.name,
                t("lb.bt"): round(p.rating, 1),
                "lower": p.lower,
                "upper": p.upper,
                t("lb.votes"): p.votes,
            }
            for p in report.history
        ]
    )
    releases = list(dict.fromkeys(p.release for p in report.history))
    x = alt.X(f"{t('qb.release')}:N", sort=releases, title=t("qb.release"))
    base = alt.Chart(history).encode(x=x, color=alt.Color(f"{t('lb.model')}:N"))
    lines = base.mark_line(point=True).encode(
        y=alt.Y(f"{t('lb.bt')}:Q", scale=alt.Scale(zero=False)),
        tooltip=[t("qb.release"), t("lb.model"), t("lb.bt"), t("lb.votes")],
    )
    bars = base.mark_errorbar().encode(y="lower:Q", y2="upper:Q")
    st.altair_chart(lines + bars, width="stretch")
    st.caption(t("rep.history_explain"))

st.subheader(t("rep.downloads"))
download_cols = st.columns(3)
for k, file in enumerate(report_files(report)):
    download_cols[k % 3].download_button(
        inert_markdown(file.name),
        data=file.content.encode("utf-8"),
        file_name=file.name,
        mime=file.mime,
        key=f"rep_dl_{k}",
    )

"""Calibration (experts, admins): judge vs human agreement with a drill-down to the battles behind
every confusion cell, judge and human biases, annotator agreement, rating reliability on held-out
votes, the judge-corrected leaderboard; votes export and the report of an uploaded votes file."""

import hashlib

import pandas as pd
import streamlit as st

from judging.calibration import Estimate, JudgeReport, RatingMethod
from judging.dimensions import Dimension
from judging.ratings import Leaderboard
from judging.types import Source, Verdict
from judging.votes_file import VotesFileError
from pipeline.interchange.vote_export import VotesExportFormat, export_votes
from pipeline.views.calibration import (
    BattleRef,
    CalibrationQuery,
    CalibrationView,
    calibration_filters,
    calibration_version,
    compute_calibration,
    file_calibration,
)
from pipeline.views.calibration_drill import cell_battles
from pipeline.workflow.adjudication import votes_of
from pipeline.workflow.voting import masked_view
from ui.auth import require_role
from ui.calibration_charts import (
    CELL_SELECTION,
    bias_chart,
    confusion_chart,
    estimate_text,
    interval_chart,
    reliability_chart,
)
from ui.components import battle_panel, inert_markdown
from ui.i18n import t
from ui.resources import get_engine

require_role("expert", "admin")

engine = get_engine()
url = engine.url.render_as_string(hide_password=True)
lang = st.session_state.get("lang", "zh")
st.title(t("cal.title"))
st.caption(t("cal.explain"))
st.caption(t("cal.convention"))


@st.cache_resource(max_entries=32, show_spinner=False)
def _view(url: str, key: tuple, version: tuple[int, str], _query: CalibrationQuery) -> CalibrationView:
    # a pure function of (slice, last vote id, gold labels): a new vote or gold label changes the key
    return compute_calibration(engine, _query, last_vote_id=version[0])


@st.cache_resource(max_entries=8, show_spinner=False)
def _file_view(digest: str, name: str, _text: str) -> CalibrationView:
    return file_calibration(_text, name)


@st.cache_data(max_entries=8, show_spinner=False)
def _export(url: str, format: str, release: str | None, version: tuple[int, str]) -> bytes:
    return export_votes(engine, format=VotesExportFormat(format), release=release).encode("utf-8")


def _verdict(v: Verdict) -> str:
    return t(f"verdict.{v.value}")


def _dimension(code: str | None) -> str:
    if code is None:
        return "—"
    try:
        return Dimension(code).label(lang)
    except ValueError:
        return code


def _interval_rows(row: str, figures: dict[str, Estimate | None]) -> list[dict[str, object]]:
    return [
        {
            "row": row,
            "series": name,
            "value": e.value,
            "lower": e.lower,
            "upper": e.upper,
            "label": estimate_text(e),
        }
        for name, e in figures.items()
        if e is not None
    ]


# -- filters ----------------------------------------------------------------------------------------

options = calibration_filters(engine)
name = options.names.get
cols = st.columns(3)
dimension = cols[0].selectbox(
    t("cal.dimension"),
    [None, *[d.value for d in Dimension]],
    format_func=lambda d: t("lb.overall") if d is None else Dimension(d).label(lang),
    key="cal_dimension",
)
release = cols[1].selectbox(
    t("lb.release"),
    [None, *options.releases],
    format_func=lambda r: t("lb.all_releases") if r is None else r,
    key="cal_release",
)
pair = cols[2].selectbox(
    t("cal.model_pair"),
    [None, *options.model_pairs],
    format_func=lambda p: t("cal.all_pairs") if p is None else f"{name(p[0], p[0])} ↔ {name(p[1], p[1])}",
    key="cal_pair",
)
cols = st.columns(3)
judges = cols[0].multiselect(t("cal.judges"), options.judges, placeholder=t("cal.all"), key="cal_judges")
annotators = cols[1].multiselect(
    t("cal.annotators"), options.annotators, placeholder=t("cal.all"), key="cal_annotators"
)
rating_source = cols[2].selectbox(
    t("cal.rating_source"),
    [None, *Source],
    format_func=lambda s: t("cal.source.all") if s is None else t(f"source.{s.value}"),
    key="cal_rating_source",
)
query = CalibrationQuery(
    dimension=dimension,
    release=release,
    judges=frozenset(judges) or None,
    annotators=frozenset(annotators) or None,
    model_pair=pair,
    rating_source=rating_source,
)
version = calibration_version(engine)
with st.spinner(t("cal.computing")):
    view = _view(url, query.cache_key(), version, query)


# -- sections (shared by the database view and an uploaded file) -------------------------------


def agreement_section(view: CalibrationView, prefix: str) -> None:
    st.subheader(t("cal.agreement_title"))
    if not view.report.judges:
        st.info(t("cal.no_judges"))
        return
    rows, chart = [], []
    for report in view.report.judges:
        a = report.agreement
        rows.append(
            {
                t("cal.judge"): report.judge,
                t("cal.n_votes"): a.n_votes,
                t("cal.n_battles"): a.n_battles,
                t("cal.with_ties"): estimate_text(a.agreement_with_ties),
                t("cal.without_ties"): estimate_text(a.agreement_without_ties),
                t("cal.n_without_ties"): a.n_votes_without_ties,
                t("cal.kappa"): estimate_text(a.cohen_kappa),
                t("cal.majority"): estimate_text(a.majority_agreement_with_ties),
                t("cal.majority_without_ties"): estimate_text(a.majority_agreement_without_ties),
                t("cal.n_majority"): a.n_majority_battles,
            }
        )
        chart += _interval_rows(
            report.judge,
            {
                t("cal.with_ties"): a.agreement_with_ties,
                t("cal.without_ties"): a.agreement_without_ties,
                t("cal.kappa"): a.cohen_kappa,
                t("cal.majority"): a.majority_agreement_with_ties,
            },
        )
    st.dataframe(pd.DataFrame(rows), hide_index=True, key=f"{prefix}_agreement")
    if chart:
        st.altair_chart(
            interval_chart(
                pd.DataFrame(chart),
                row_title=t("cal.judge"),
                axis_title=t("cal.value"),
                color_title=t("cal.figure"),
            ),
            width="stretch",
        )
    st.caption(t("cal.agreement_explain"))
    confusion_section(view, prefix)


def confusion_section(view: CalibrationView, prefix: str) -> None:
    st.subheader(t("cal.confusion_title"))
    names = [r.judge for r in view.report.judges]
    judge = st.selectbox(t("cal.confusion_judge"), names, key=f"{prefix}_confusion_judge")
    report: JudgeReport = view.report.judge(judge)
    confusion = report.agreement.confusion
    if confusion.total == 0:
        st.info(t("cal.no_cells"))
        return
    labels = confusion.labels
    frame = pd.DataFrame(
        [
            {"human": _verdict(h), "judge": _verdict(j), "count": confusion.count(h, j)}
            for h in labels
            for j in labels
        ]
    )
    event = st.altair_chart(
        confusion_chart(
            frame,
            order=[_verdict(v) for v in labels],
            human_title=t("cal.human_verdict"),
            judge_title=t("cal.judge_verdict"),
            count_title=t("cal.count"),
        ),
        width="stretch",
        on_select="rerun",
        key=f"{prefix}_heat_{judge}",
    )
    st.caption(t("battle.matrix_orientation"))
    cells = [(h, j) for h in labels for j in labels if confusion.count(h, j) > 0]
    cell_key = f"{prefix}_cell_{judge}"
    # a click on the heatmap picks the cell (once per click, so the selectbox stays usable)
    clicked = (event.selection.get(CELL_SELECTION) or []) if event else []
    if clicked:
        by_label = {(_verdict(h), _verdict(j)): (h, j) for h, j in cells}
        picked = by_label.get((clicked[0].get("human"), clicked[0].get("judge")))
        if picked is not None and st.session_state.get(f"{cell_key}_clicked") != picked:
            st.session_state[f"{cell_key}_clicked"] = picked
            st.session_state[cell_key] = picked
    if st.session_state.get(cell_key) not in cells:
        # start on the biggest disagreement: that is what people come to look at
        off = [c for c in cells if c[0] is not c[1]]
        st.session_state[cell_key] = max(off or cells, key=lambda c: confusion.count(*c))
    human, judged = st.selectbox(
        t("cal.cell"),
        cells,
        format_func=lambda c: t(
            "cal.cell_label", human=_verdict(c[0]), judge=_verdict(c[1]), n=confusion.count(*c)
        ),
        key=cell_key,
    )
    battles = cell_battles(view, judge, human, judged)
    st.markdown(f"**{t('cal.battles_title')}**")
    st.dataframe(
        pd.DataFrame(
            [
                {
                    t("cal.battle"): b.ref.battle_id if b.ref else None,
                    t("cal.question_id"): b.battle.question_id,
                    t("cal.dimension"): _dimension(b.ref.dimension if b.ref else None),
                    t("cal.human_votes_in_cell"): len(b.human_verdicts),
                    t("cal.judge_verdict"): _verdict(b.judge_verdict),
                    t("cal.judge_verdicts"): "、".join(_verdict(v) for v in b.judge_verdicts),
                }
                for b in battles
            ]
        ),
        hide_index=True,
        key=f"{prefix}_cell_battles",
    )
    refs = [b.ref for b in battles if b.ref is not None]
    if refs:
        ref = st.selectbox(
            t("cal.open_battle"),
            refs,
            format_func=lambda r: f"#{r.battle_id} · {_dimension(r.dimension)}",
            key=f"{prefix}_open_{judge}_{human.value}_{judged.value}",
        )
        battle_section(ref)


def battle_section(ref: BattleRef) -> None:
    """The question, both answers (untrusted: rendered inert) and every vote, without model names,
    in the battle's canonical order like every page that shows a battle."""
    battle = masked_view(engine, ref.battle_id, marker=t("vote.masked"))
    matrix_a = t("battle.answer_a") if ref.a_is_low else t("battle.answer_b")
    st.caption(t("battle.matrix_a", side=matrix_a))
    battle_panel(battle, votes_of(engine, ref.battle_id), lang)


def bias_section(view: CalibrationView, prefix: str) -> None:
    st.subheader(t("cal.bias_title"))
    figures = (
        ("cal.first_shown", "first_shown_win_rate"),
        ("cal.swap", "swap_consistency"),
        ("cal.longer", "longer_answer_win_rate"),
    )
    raters = [(r.judge, r.bias) for r in view.report.judges] + [(t("cal.humans"), view.report.human_bias)]
    rows, table = [], []
    for rater, bias in raters:
        line: dict[str, object] = {t("cal.rater"): rater, t("cal.n"): bias.n_verdicts}
        for label, attribute in figures:
            estimate = getattr(bias, attribute)
            line[t(label)] = estimate_text(estimate)
            if estimate is not None:
                rows.append(
                    {
                        "figure": t(label),
                        "rater": rater,
                        "value": estimate.value,
                        "lower": estimate.lower,
                        "upper": estimate.upper,
                        "n": estimate.n,
                        "label": estimate_text(estimate),
                    }
                )
        table.append(line)
    if rows:
        st.altair_chart(
            bias_chart(
                pd.DataFrame(rows),
                figure_title=t("cal.figure"),
                rater_title=t("cal.rater"),
                value_title=t("cal.value"),
            ),
            width="stretch",
        )
    st.dataframe(pd.DataFrame(table), hide_index=True, key=f"{prefix}_bias")
    st.caption(t("cal.bias_explain"))
    own = [
        (r.judge, r.bias.self_preference) for r in view.report.judges if r.bias.self_preference is not None
    ]
    if own:
        st.markdown(f"**{t('cal.self_title')}**")
        st.dataframe(
            pd.DataFrame(
                [
                    {
                        t("cal.judge"): judge,
                        t("cal.own_model"): view.name(s.model),
                        t("cal.self_judge"): estimate_text(s.judge_score),
                        t("cal.self_judge_matched"): estimate_text(s.judge_score_matched),
                        t("cal.self_human_matched"): estimate_text(s.human_score_matched),
                        t("cal.self_excess"): estimate_text(s.excess),
                    }
                    for judge, s in own
                    if s is not None
                ]
            ),
            hide_index=True,
            key=f"{prefix}_self",
        )
        st.caption(t("cal.self_explain"))


def annotator_section(view: CalibrationView, prefix: str) -> None:
    st.subheader(t("cal.annotators_title"))
    report = view.report.annotators
    cols = st.columns(4)
    cols[0].metric(t("cal.alpha"), estimate_text(report.krippendorff_alpha))
    cols[1].metric(t("cal.fleiss"), estimate_text(report.fleiss_kappa))
    cols[2].metric(t("cal.human_agreement"), estimate_text(report.agreement_with_ties))
    cols[3].metric(t("cal.human_agreement_without_ties"), estimate_text(report.agreement_without_ties))
    st.caption(t("cal.annotator_units", n=report.n_battles))
    st.caption(
        t("cal.human_agreement_explain", n=report.n_pairs, m=report.n_pairs_without_ties)
        + f" {t('cal.alpha_verdicts')}: {estimate_text(report.krippendorff_alpha_verdicts)}"
    )
    position = {b.rater: b for b in view.report.annotator_bias}
    st.dataframe(
        pd.DataFrame(
            [
                {
                    t("cal.annotator"): a.rater,
                    t("cal.votes"): a.n_votes,
                    t("cal.vs_consensus"): estimate_text(a.with_consensus),
                    t("cal.n_consensus"): a.n_with_consensus,
                    t("cal.vs_gold"): estimate_text(a.with_gold),
                    t("cal.n_gold"): a.n_with_gold,
                    t("cal.first_shown_share"): estimate_text(
                        position[a.rater].first_shown_win_rate if a.rater in position else None
                    ),
                    t("cal.position_flag"): t("cal.position_flagged")
                    if a.rater in position and position[a.rater].position_biased
                    else "",
                }
                for a in report.annotators
            ]
        ),
        hide_index=True,
        key=f"{prefix}_annotators",
    )
    st.caption(t("cal.annotator_bias_explain"))
    st.caption(t("cal.gold_explain"))


def ratings_section(view: CalibrationView, prefix: str) -> None:
    st.subheader(t("cal.ratings_title"))
    ratings = view.ratings
    if ratings is None:
        st.info(t(f"cal.unavailable.{view.ratings_missing}"))
        return
    methods = [ratings.method(m) for m in RatingMethod]
    st.dataframe(
        pd.DataFrame(
            [
                {
                    t("cal.method"): t(f"cal.method.{m.method.value}"),
                    t("cal.scored"): m.n,
                    t("cal.brier"): estimate_text(m.brier),
                    t("cal.log_loss"): estimate_text(m.log_loss),
                    t("cal.ece"): estimate_text(m.ece),
                    t("cal.skipped"): m.n_skipped,
                }
                for m in methods
            ]
        ),
        hide_index=True,
        key=f"{prefix}_ratings",
    )
    bins = [
        {
            "method": t(f"cal.method.{m.method.value}"),
            "predicted": b.mean_predicted,
            "observed": b.observed,
            "count": b.count,
        }
        for m in methods
        for b in m.bins
        if b.count and b.mean_predicted is not None and b.observed is not None
    ]
    if bins:
        st.altair_chart(
            reliability_chart(
                pd.DataFrame(bins),
                predicted_title=t("cal.predicted"),
                observed_title=t("cal.observed"),
                method_title=t("cal.method"),
                count_title=t("cal.count"),
            ),
            width="stretch",
        )
    st.caption(
        t(
            "cal.ratings_explain",
            pct=round(100 * view.query.test_fraction),
            n_test=ratings.n_test,
            n_train=ratings.n_train,
        )
    )


def _board_frame(board: Leaderboard, view: CalibrationView) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                t("lb.rank_range"): f"{r.rank}" if r.rank == r.rank_worst else f"{r.rank}–{r.rank_worst}",
                t("lb.model"): view.name(r.model) + (" " + t("lb.provisional") if r.provisional else ""),
                t("lb.bt"): round(r.rating, 1),
                t("lb.ci"): "—" if r.lower is None or r.upper is None else f"[{r.lower:.0f}, {r.upper:.0f}]",
                t("lb.votes"): r.votes,
            }
            for r in board.rows
        ]
    )


def board_section(view: CalibrationView, prefix: str) -> None:
    st.subheader(t("cal.board_title"))
    board = view.board
    if board is None:
        st.info(t(f"cal.unavailable.{view.board_missing}"))
        return
    st.markdown(
        t(
            "cal.rests_on",
            n=board.n_human_votes,
            battles=board.n_human_battles,
            judge=board.n_judge_votes,
            all=board.n_battles,
            power=f"{board.fit.power:.2f}",
        )
    )
    st.markdown(
        t(
            "cal.valid_draws",
            valid=board.n_human_battles,
            drawn=board.n_drawn_battles,
            assumed=board.n_assumed_battles,
            excluded=board.n_excluded_battles,
            votes=board.n_excluded_human_votes,
        )
    )
    if board.n_assumed_battles:
        st.warning(t("cal.assumed_warning", assumed=board.n_assumed_battles))
    if view.board_untuned:
        st.warning(t("cal.board_untuned"))
    boards = [("cal.board.corrected", board.corrected), ("cal.board.judge", board.judge_only)]
    if board.human_only is not None:
        boards.append(("cal.board.human", board.human_only))
    cols = st.columns(3)
    for col, (label, ranked) in zip(cols, boards, strict=False):
        with col:
            st.markdown(f"**{t(label)}**")
            st.dataframe(_board_frame(ranked, view), hide_index=True, key=f"{prefix}_{label}")
    if board.human_only is None:
        cols[2].info(t("cal.no_human_board"))
    rows = [
        {
            "row": view.name(r.model),
            "series": t(label),
            "value": r.rating,
            "lower": r.lower,
            "upper": r.upper,
            "label": f"{r.rating:.0f} [{r.lower:.0f}, {r.upper:.0f}]",
        }
        for label, ranked in boards
        for r in ranked.rows
        if r.lower is not None and r.upper is not None
    ]
    if rows:
        st.altair_chart(
            interval_chart(
                pd.DataFrame(rows),
                row_title=t("lb.model"),
                axis_title=t("cal.board_axis"),
                color_title=t("cal.board_kind"),
                zero=False,
            ),
            width="stretch",
        )
    st.caption(t("cal.board_explain"))


def files_section(release: str | None) -> None:
    st.subheader(t("cal.export_title"))
    cols = st.columns([2, 1])
    kind = cols[0].selectbox(
        t("cal.export_format"),
        list(VotesExportFormat),
        format_func=lambda f: t(f"cal.export.{f.value}"),
        key="cal_export_format",
    )
    suffix = {"csv": "csv", "jsonl": "jsonl", "arena": "json"}[kind.value]
    cols[1].download_button(
        t("cal.download"),
        data=_export(url, kind.value, release, version),
        file_name=f"votes-{release or 'all'}.{suffix}",
        mime="text/csv" if kind is VotesExportFormat.CSV else "application/json",
        key="cal_export_download",
    )
    st.caption(t("cal.export_scope"))

    st.subheader(t("cal.upload_title"))
    upload = st.file_uploader(
        t("cal.upload"), type=["csv", "jsonl"], help=t("cal.upload_help"), key="cal_upload"
    )
    st.caption(t("cal.upload_help"))
    if upload is None:
        return
    data = upload.getvalue()
    try:
        text = data.decode("utf-8-sig")
        uploaded = _file_view(hashlib.sha256(data).hexdigest(), upload.name, text)
    except (UnicodeDecodeError, VotesFileError, ValueError) as error:
        st.error(t("cal.upload_failed", error=inert_markdown(str(error))))
        return
    r = uploaded.report
    st.caption(
        t(
            "cal.file_summary",
            n=r.n_votes,
            human=r.n_human_votes,
            judge=r.n_judge_votes,
            expert=r.n_expert_votes,
            none=r.n_without_source,
        )
    )
    agreement_section(uploaded, "cal_file")
    bias_section(uploaded, "cal_file")
    annotator_section(uploaded, "cal_file")
    board_section(uploaded, "cal_file")


# -- the page ---------------------------------------------------------------------------------------

report = view.report
tabs = st.tabs(
    [
        t("cal.tab.agreement"),
        t("cal.tab.bias"),
        t("cal.tab.annotators"),
        t("cal.tab.ratings"),
        t("cal.tab.board"),
        t("cal.tab.files"),
    ]
)
with tabs[0]:
    st.caption(
        t(
            "cal.summary",
            n=report.n_votes,
            human=report.n_human_votes,
            judge=report.n_judge_votes,
            expert=report.n_expert_votes,
            cursor=view.last_vote_id,
            gold=view.n_gold,
        )
    )
if report.n_votes == 0:
    for tab in tabs[:5]:
        with tab:
            st.info(t("cal.no_votes"))
else:
    with tabs[0]:
        agreement_section(view, "cal_db")
    with tabs[1]:
        bias_section(view, "cal_db")
    with tabs[2]:
        annotator_section(view, "cal_db")
    with tabs[3]:
        ratings_section(view, "cal_db")
    with tabs[4]:
        board_section(view, "cal_db")
with tabs[5]:
    files_section(release)

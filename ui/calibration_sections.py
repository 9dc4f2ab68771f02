"""The calibration page's sections on raters and ratings: judge and human biases, annotator
agreement, rating reliability on held-out votes and the judge-corrected leaderboard (shared by the
database view and an uploaded votes file)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from judging.calibration import CorrectedLeaderboard, RatingMethod
from judging.ratings import Leaderboard
from pipeline.views.calibration import CalibrationView
from ui.calibration_charts import bias_chart, interval_chart, reliability_chart
from ui.formatting import estimate_text, interval_text, model_label, rank_range
from ui.i18n import t

__all__ = ["annotator_section", "bias_section", "board_section", "ratings_section"]


def bias_section(view: CalibrationView, prefix: str) -> None:
    st.subheader(t("cal.bias_title"))
    figures = (
        ("cal.first_shown", "first_shown_win_rate"),
        ("cal.swap", "swap_consistency"),
        ("cal.longer", "longer_answer_win_rate"),
    )
    raters = [(r.judge, r.bias) for r in view.report.judges] + [(t("cal.humans"), view.report.human_bias)]
    rows: list[dict[str, object]] = []
    table: list[dict[str, object]] = []
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
    _self_preference(view, prefix)


def _self_preference(view: CalibrationView, prefix: str) -> None:
    """Each judge's preference for its own model's answers, where the view can tell."""
    own = [
        (r.judge, r.bias.self_preference) for r in view.report.judges if r.bias.self_preference is not None
    ]
    if not own:
        return
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
                t("lb.rank_range"): rank_range(r),
                t("lb.model"): model_label(view.name(r.model), provisional=r.provisional),
                t("lb.bt"): round(r.rating, 1),
                t("lb.ci"): interval_text(r.lower, r.upper),
                t("lb.votes"): r.votes,
            }
            for r in board.rows
        ]
    )


def _board_basis(board: CorrectedLeaderboard, *, untuned: bool) -> None:
    """What the judge-corrected board rests on: votes, valid draws, and the warnings."""
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
    if untuned:
        st.warning(t("cal.board_untuned"))


def board_section(view: CalibrationView, prefix: str) -> None:
    st.subheader(t("cal.board_title"))
    board = view.board
    if board is None:
        st.info(t(f"cal.unavailable.{view.board_missing}"))
        return
    _board_basis(board, untuned=view.board_untuned)
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

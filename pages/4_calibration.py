"""Calibration (experts, admins): judge vs human agreement with a drill-down to the battles behind
every confusion cell, judge and human biases, annotator agreement, rating reliability on held-out
votes, the judge-corrected leaderboard; votes export and the report of an uploaded votes file.
The sections live in ui/calibration_agreement.py, ui/calibration_sections.py and
ui/calibration_files.py."""

import streamlit as st

from judging.dimensions import Dimension
from judging.roles import REVIEWER_ROLES
from judging.types import Source
from pipeline.views.calibration import (
    CalibrationQuery,
    CalibrationView,
    calibration_filters,
    calibration_version,
    compute_calibration,
)
from ui.auth import require_role
from ui.calibration_agreement import agreement_section
from ui.calibration_files import files_section
from ui.calibration_sections import annotator_section, bias_section, board_section, ratings_section
from ui.i18n import t
from ui.resources import database_key, get_engine

require_role(*REVIEWER_ROLES)

engine = get_engine()
lang = st.session_state.get("lang", "zh")
st.title(t("cal.title"))
st.caption(t("cal.explain"))
st.caption(t("cal.convention"))


@st.cache_resource(max_entries=32, show_spinner=False)
def _view(url: str, query: CalibrationQuery, version: tuple[int, int, str]) -> CalibrationView:
    # a pure function of (slice, last vote id, gold labels): a new vote or gold label changes the key
    return compute_calibration(get_engine(), query, last_vote_id=version[0])


def _filters() -> CalibrationQuery:
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
    return CalibrationQuery(
        dimension=dimension,
        release=release,
        judges=tuple(judges) or None,
        annotators=tuple(annotators) or None,
        model_pair=pair,
        rating_source=rating_source,
    )


def _summary(view: CalibrationView) -> None:
    report = view.report
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
    if view.n_targeted:
        st.caption(t("cal.targeted_left_out", n=view.n_targeted))


query = _filters()
version = calibration_version(engine)
with st.spinner(t("cal.computing")):
    view = _view(database_key(), query, version)

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
    _summary(view)
sections = (agreement_section, bias_section, annotator_section, ratings_section, board_section)
for tab, section in zip(tabs[:5], sections, strict=True):
    with tab:
        if view.report.n_votes == 0:
            st.info(t("cal.no_votes"))
        else:
            section(view, "cal_db")
with tabs[5]:
    files_section(query.release, version)

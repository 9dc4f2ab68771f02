"""Landing page: login, the role-aware menu and an overview. Nothing else lives here."""

import streamlit as st

from judging.dimensions import Dimension
from pipeline.views.stats import overview
from ui.auth import login_gate
from ui.i18n import t
from ui.public_board import show_public_board
from ui.resources import get_engine

ctx = login_gate(anonymous_view=show_public_board)  # the public board: off unless an admin set it

st.title(t("app.title"))
st.caption(t("app.tagline"))

figures = overview(get_engine(), rater=ctx.username)
stats = figures.stats

st.subheader(t("home.overview"))
cols = st.columns(6)
for col, (label, value) in zip(
    cols,
    [
        (t("home.releases"), stats.releases),
        (t("home.questions"), stats.questions),
        (t("home.models"), stats.models),
        (t("home.responses"), stats.responses),
        (t("home.votes"), stats.votes),
        (t("home.my_votes"), figures.my_votes),
    ],
    strict=True,
):
    col.metric(label, value)

lang = st.session_state.get("lang", "zh")
st.markdown(f"**{t('home.by_dimension')}**")
st.dataframe(
    [
        {t("vote.dimension"): Dimension(code).label(lang), t("home.questions"): n}
        for code, n in stats.questions_by_dimension.items()
    ],
    hide_index=True,
)
if figures.synthetic:
    st.info(t("home.synthetic_note"))
st.page_link("pages/1_vote.py", label=t("home.start_voting"), icon="🗳️")

"""Landing page: login, the role-aware menu and an overview. Nothing else lives here."""

import streamlit as st

from judging.dimensions import Dimension
from storage.bank.releases import list_releases
from storage.db.session import read_session
from storage.db.stats import count_stats
from storage.votes.log import votes_by_rater
from ui.auth import login_gate
from ui.i18n import t
from ui.resources import get_engine

ctx = login_gate()

st.title(t("app.title"))
st.caption(t("app.tagline"))

with read_session(get_engine()) as session:
    stats = count_stats(session=session)
    releases = list_releases(session=session)
    mine = votes_by_rater(session=session, rater=ctx.username)

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
        (t("home.my_votes"), mine),
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
if any(r.synthetic for r in releases):
    st.info(t("home.synthetic_note"))
st.page_link("pages/1_vote.py", label=t("home.start_voting"), icon="🗳️")

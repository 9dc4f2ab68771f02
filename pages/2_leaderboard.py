"""Leaderboard: live Elo and TrueSkill, overall and per dimension, derived from the votes."""

import altair as alt
import pandas as pd
import streamlit as st

from judging.dimensions import Dimension
from pipeline.live_ratings import OVERALL
from ui.auth import require_role
from ui.i18n import t
from ui.resources import get_live_ratings

require_role("annotator", "expert", "admin")

lang = st.session_state.get("lang", "zh")
st.title(t("lb.title"))

slices = [OVERALL, *[d.value for d in Dimension]]
chosen = st.selectbox(
    t("lb.slice"),
    slices,
    format_func=lambda s: t("lb.overall") if s == OVERALL else Dimension(s).label(lang),
    key="lb_slice",
)
standings = get_live_ratings().standings(chosen)
st.caption(t("lb.votes_in_slice", n=standings.votes, cursor=standings.last_vote_id))

table = pd.DataFrame(
    [
        {
            t("lb.rank"): rank,
            t("lb.model"): row.display_name,
            t("lb.ts_sort"): round(row.conservative, 2),
            t("lb.mu"): round(row.mu, 2),
            t("lb.sigma"): round(row.sigma, 2),
            t("lb.elo"): round(row.elo, 1),
            t("lb.games"): row.games,
            t("lb.wins"): row.wins,
            t("lb.losses"): row.losses,
            t("lb.draws"): row.draws,
            t("lb.win_rate"): None if row.win_rate is None else round(100 * row.win_rate, 1),
        }
        for rank, row in enumerate(standings.rows, start=1)
    ]
)
st.dataframe(table, hide_index=True, key="lb_table")
if standings.votes == 0:
    st.info(t("lb.no_votes"))
else:
    chart = (
        alt.Chart(table)
        .mark_bar()
        .encode(
            x=alt.X(f"{t('lb.elo')}:Q", scale=alt.Scale(zero=False)),
            y=alt.Y(f"{t('lb.model')}:N", sort="-x"),
            tooltip=list(table.columns),
        )
    )
    st.altair_chart(chart, use_container_width=True)
st.caption(t("lb.explain"))
